package builtin.dockerfile.DS013_test

import rego.v1

import data.builtin.dockerfile.DS013 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_cd_in_run if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["golang:1.22"]), instr("run", ["cd /src && cd cmd && go build ./..."])]])
	msgs == {"RUN changes directory with 'cd /src'; set the directory with WORKDIR instead"}
}

test_passes_workdir if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["golang:1.22"]), instr("workdir", ["/src"]), instr("run", ["go build ./... && make -C /src/docs"])]])
}
