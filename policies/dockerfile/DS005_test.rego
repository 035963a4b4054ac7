package builtin.dockerfile.DS005_test

import rego.v1

import data.builtin.dockerfile.DS005 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_add_of_local_files if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["alpine:3.20"]), instr("add", ["app.py", "config.yaml", "/app/"])]])
	msgs == {"'ADD app.py config.yaml /app/' only copies local files; write it as 'COPY app.py config.yaml /app/'"}
}

test_passes_archives_and_urls if {
	count(check.deny) == 0 with input as dockerfile([[
		instr("from", ["alpine:3.20"]),
		instr("add", ["rootfs.tar.gz", "/"]),
		instr("add", ["https://example.com/tool.bin", "/usr/local/bin/tool"]),
		instr("copy", ["app.py", "/app/"]),
	]])
}

test_passes_image_history_add if {
	count(check.deny) == 0 with input as dockerfile([[instr("add", ["file:0123abcd", "in", "/"])]])
}
