package builtin.dockerfile.DS019_test

import rego.v1

import data.builtin.dockerfile.DS019 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_install_without_clean if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["fedora:40"]), instr("run", ["dnf install -y httpd"])]])
	msgs == {"RUN installs packages with dnf but does not run 'dnf clean all' after it in the same RUN; the package cache stays in the layer"}
}

test_denies_clean_before_install if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["fedora:40"]), instr("run", ["dnf clean all && dnf install -y httpd"])]])
	msgs == {"RUN installs packages with dnf but does not run 'dnf clean all' after it in the same RUN; the package cache stays in the layer"}
}

test_passes_install_then_clean if {
	count(check.deny) == 0 with input as dockerfile([[instr("from", ["fedora:40"]), instr("run", ["dnf install -y httpd && dnf clean all"])]])
}
