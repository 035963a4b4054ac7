package builtin.kubernetes.KSV004_test

import rego.v1

import data.builtin.kubernetes.KSV004 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_without_drop_list if {
	msgs := {r.msg | some r in check.deny} with input as pod([{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}])
	msgs == {"Container 'app' of Pod 'web' should list the capabilities it drops in 'securityContext.capabilities.drop'"}
}

test_passes_with_any_drop_list if {
	count(check.deny) == 0 with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
		{"name": "empty", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": []}}},
	])
}
