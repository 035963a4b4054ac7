package builtin.dockerfile.DS029_test

import rego.v1

import data.builtin.dockerfile.DS029 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_install_with_recommends if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["debian:12"]), instr("run", ["apt-get update && apt-get install -y curl"])]])
	msgs == {"RUN has an 'apt-get install' without '--no-install-recommends'; recommended packages are installed too"}
}

test_passes_no_install_recommends if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["debian:12"]), instr("run", ["apt-get update && apt-get install -y --no-install-recommends curl"])]])
}
