package builtin.dockerfile.DS026_test

import rego.v1

import data.builtin.dockerfile.DS026 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_missing_healthcheck if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("cmd", ["/app"])]])
	msgs == {"No HEALTHCHECK instruction: the runtime cannot tell whether the application is still working; add a HEALTHCHECK"}
}

test_passes_with_healthcheck if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("healthcheck", ["CMD", "wget -qO- http://localhost:8080/health || exit 1"])]])
}

test_passes_with_healthcheck_none if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("healthcheck", ["NONE"])]])
}
