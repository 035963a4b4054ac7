package builtin.dockerfile.DS022_test

import rego.v1

import data.builtin.dockerfile.DS022 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_maintainer if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("maintainer", ["jane@example.com"])]])
	msgs == {"'MAINTAINER jane@example.com' uses a deprecated instruction; record the maintainer with LABEL instead"}
}

test_passes_label if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("label", ["maintainer", "jane@example.com", "="])]])
}
