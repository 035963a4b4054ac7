package builtin.kubernetes.KSV017_test

import rego.v1

import data.builtin.kubernetes.KSV017 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_privileged if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": true}},
		{"name": "ok", "image": "nginx:1.27", "securityContext": {"privileged": false}},
	])
	msgs == {"Container 'app' of Pod 'web' should not run privileged: set 'securityContext.privileged' to false"}
}

test_passes_unprivileged if {
	count(check.deny) == 0 with input as pod([{"name": "app", "image": "nginx:1.27"}])
}
