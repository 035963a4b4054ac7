package builtin.dockerfile.DS008_test

import rego.v1

import data.builtin.dockerfile.DS008 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_out_of_range_ports if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[
		instr("from", ["alpine:3.20"]),
		instr("expose", ["8080", "70000"]),
		instr("expose", ["8000-65536/udp"]),
	]])
	msgs == {
		"EXPOSE port 70000 is out of range: ports go from 0 to 65535",
		"EXPOSE port 65536 is out of range: ports go from 0 to 65535",
	}
}

test_passes_valid_ports if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("expose", ["8080", "65535/tcp", "8000-8010/udp", "$PORT"])]])
}
