package builtin.dockerfile.DS006_test

import rego.v1

import data.builtin.dockerfile.DS006 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

copy_from(stage, value) := {"Cmd": "copy", "SubCmd": "", "Flags": [concat("", ["--from=", stage])], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_copy_from_own_stage if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"]), instr("run", ["go build -o /out/app ."]), copy_from("BUILD", ["/out/app", "/bin/app"])],
		[instr("from", ["alpine:3.20"]), copy_from("build", ["/out/app", "/app"])],
	])
	msgs == {"COPY --from=BUILD refers to stage 'build', the stage this COPY is part of; a stage cannot copy from itself"}
}

test_passes_copy_from_other_stage if {
	count(check.deny) == 0 with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"]), instr("run", ["go build -o /out/app ."])],
		[instr("from", ["alpine:3.20", "AS", "final"]), copy_from("build", ["/out/app", "/app"])],
	])
}
