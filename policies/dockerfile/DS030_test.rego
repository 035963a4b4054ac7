package builtin.dockerfile.DS030_test

import rego.v1

import data.builtin.dockerfile.DS030 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_workdir_in_system_directory if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("workdir", ["/proc/app"]), instr("workdir", ["/app"])]])
	msgs == {"WORKDIR '/proc/app' is inside the system directory /proc; use a directory of your own"}
}

test_denies_quoted_system_directory if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("workdir", ["\"/dev\""])]])
	msgs == {"WORKDIR '\"/dev\"' is inside the system directory /dev; use a directory of your own"}
}

test_passes_own_directories if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("workdir", ["/app"]), instr("workdir", ["/process"]), instr("workdir", ["/devtools"])]])
}
