package builtin.dockerfile.DS004_test

import rego.v1

import data.builtin.dockerfile.DS004 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_ssh_port if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("expose", ["8080", "22/tcp"])]])
	msgs == {"EXPOSE lists port 22 (SSH); do not run or advertise an SSH server in a container image"}
}

test_passes_other_ports if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("expose", ["8080", "2222", "443/tcp"])]])
}
