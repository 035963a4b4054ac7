package builtin.dockerfile.DS011_test

import rego.v1

import data.builtin.dockerfile.DS011 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_multi_source_copy_without_slash if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("copy", ["go.mod", "go.sum", "/src"])]])
	msgs == {"COPY has 2 sources, so its destination '/src' must end with '/'"}
}

test_passes_directory_destination if {
	count(check.deny) == 0 with input as dockerfile([[
		instr("from", ["alpine:3.20"]),
		instr("copy", ["go.mod", "go.sum", "/src/"]),
		instr("copy", ["main.go", "/src/main.go"]),
	]])
}
