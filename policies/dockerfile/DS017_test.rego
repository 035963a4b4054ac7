package builtin.dockerfile.DS017_test

import rego.v1

import data.builtin.dockerfile.DS017 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_update_without_install if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["debian:12"]), instr("run", ["apt-get update"]), instr("run", ["apt-get install -y curl"])]])
	msgs == {"RUN runs 'apt-get update' without an install after it in the same RUN; the update is cached as a layer of its own and later installs get stale package data"}
}

test_denies_apk_update_with_install_before_it if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("run", ["apk add curl && apk update"])]])
	msgs == {"RUN runs 'apk update' without an install after it in the same RUN; the update is cached as a layer of its own and later installs get stale package data"}
}

test_passes_update_then_install if {
	count(check.deny) == 0 with input as dockerfile([[
		instr("from", ["debian:12"]),
		instr("run", ["apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*"]),
		instr("run", ["apt update && apt install -y git"]),
	]])
}
