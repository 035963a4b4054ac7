package builtin.dockerfile.DS012_test

import rego.v1

import data.builtin.dockerfile.DS012 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_duplicate_alias if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"]), instr("run", ["go build ./..."])],
		[instr("from", ["node:20", "AS", "Build"]), instr("run", ["npm ci"])],
		[instr("from", ["alpine:3.20"])],
	])
	msgs == {"Stage alias 'build' is declared by more than one FROM; give each stage its own name"}
}

test_passes_distinct_aliases if {
	count(check.deny) == 0 with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"])],
		[instr("from", ["node:20", "AS", "web"])],
		[instr("from", ["alpine:3.20"])],
	])
}
