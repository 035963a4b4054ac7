package builtin.dockerfile.DS009_test

import rego.v1

import data.builtin.dockerfile.DS009 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_relative_workdir if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("workdir", ["app"]), instr("workdir", ["/srv"])]])
	msgs == {"WORKDIR 'app' is a relative path; use an absolute path"}
}

test_passes_absolute_and_variable_paths if {
	count(check.deny) == 0 with input as dockerfile([[
		instr("from", ["alpine:3.20"]),
		instr("workdir", ["/app"]),
		instr("workdir", ["\"/app/data\""]),
		instr("workdir", ["C:\\app"]),
		instr("workdir", ["$HOME/app"]),
	]])
}
