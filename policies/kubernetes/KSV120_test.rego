package builtin.kubernetes.KSV120_test

import rego.v1

import data.builtin.kubernetes.KSV120 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_added_SYS_MODULE if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["CHOWN", "SYS_MODULE"]}}},
		{"name": "ok", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["CHOWN"]}}},
	])
	msgs == {"Container 'app' of Pod 'web' should not add 'SYS_MODULE' to 'securityContext.capabilities.add'"}
}

test_passes_dropped_SYS_MODULE if {
	count(check.deny) == 0 with input as pod([{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["SYS_MODULE"]}}}])
}
