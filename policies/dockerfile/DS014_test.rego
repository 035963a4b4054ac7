package builtin.dockerfile.DS014_test

import rego.v1

import data.builtin.dockerfile.DS014 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_wget_and_curl_in_one_stage if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[
		instr("from", ["debian:12"]),
		instr("run", ["curl -fsSL https://example.com/a.tgz -o /tmp/a.tgz"]),
		instr("run", ["wget -q https://example.com/b.tgz"]),
	]])
	msgs == {"This stage downloads with both wget and curl; use only one of them"}
}

test_passes_tools_in_separate_stages if {
	count(check.deny) == 0 with input as dockerfile([
		[instr("from", ["debian:12", "AS", "fetch"]), instr("run", ["wget -q https://example.com/b.tgz"])],
		[instr("from", ["debian:12"]), instr("run", ["apt-get install -y wget && curl -fsSL https://example.com/a.tgz -o /tmp/a.tgz"])],
	])
}
