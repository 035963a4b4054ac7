package builtin.dockerfile.DS007_test

import rego.v1

import data.builtin.dockerfile.DS007 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_repeated_entrypoint_in_named_stage if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"]), instr("entrypoint", ["true"])],
		[instr("from", ["alpine:3.20", "AS", "app"]), instr("entrypoint", ["/bin/a"]), instr("entrypoint", ["/bin/b"]), instr("entrypoint", ["/bin/c"])],
	])
	msgs == {"There are 3 ENTRYPOINT instructions in stage 'app'; only the last one takes effect, so remove the others"}
}

test_denies_repeated_entrypoint_in_unnamed_stage if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("entrypoint", ["/bin/a"]), instr("entrypoint", ["/bin/b"])]])
	msgs == {"There are 2 ENTRYPOINT instructions in the stage FROM 'alpine:3.20'; only the last one takes effect, so remove the others"}
}

test_passes_one_entrypoint_per_stage if {
	count(check.deny) == 0 with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"]), instr("entrypoint", ["true"])],
		[instr("from", ["alpine:3.20", "AS", "app"]), instr("entrypoint", ["/bin/a"])],
	])
}
