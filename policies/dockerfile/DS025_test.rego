package builtin.dockerfile.DS025_test

import rego.v1

import data.builtin.dockerfile.DS025 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_apk_add_without_no_cache if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("run", ["apk --no-cache update && apk add curl"])]])
	msgs == {"RUN has an 'apk add' without '--no-cache'; the apk cache stays in the image layer"}
}

test_passes_apk_add_no_cache if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("run", ["apk add --no-cache curl ca-certificates"])]])
}
