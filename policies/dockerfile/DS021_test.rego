package builtin.dockerfile.DS021_test

import rego.v1

import data.builtin.dockerfile.DS021 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_install_without_yes if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["debian:12"]), instr("run", ["apt-get update && apt-get install --no-install-recommends curl"])]])
	msgs == {"RUN has an 'apt-get install' without '-y'; the build cannot answer its confirmation prompt"}
}

test_passes_with_yes_options if {
	count(check.deny) == 0 with input as dockerfile([[
		instr("from", ["debian:12"]),
		instr("run", ["apt-get update && apt-get install -qy curl"]),
		instr("run", ["apt-get install --assume-yes git"]),
		instr("run", ["apt-get -o Dpkg::Options::=--force-confold install --yes vim"]),
	]])
}
