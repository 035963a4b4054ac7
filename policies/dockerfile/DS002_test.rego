package builtin.dockerfile.DS002_test

import rego.v1

import data.builtin.dockerfile.DS002 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_missing_user if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("cmd", ["/app"])]])
	msgs == {"No USER instruction found, so the image runs as root; add 'USER <non-root user>'"}
}

test_denies_last_user_root if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([
		[instr("from", ["golang:1.22", "AS", "build"]), instr("user", ["app"])],
		[instr("from", ["alpine:3.20"]), instr("user", ["0:0"])],
	])
	msgs == {"The last USER instruction ('0:0') makes the image run as root; switch to a non-root user"}
}

test_passes_last_user_non_root if {
	count(check.deny) == 0 with input as dockerfile([[
		instr("from", ["alpine:3.20"]),
		instr("user", ["root"]),
		instr("run", ["apk add --no-cache curl"]),
		instr("user", ["10001"]),
	]])
}
