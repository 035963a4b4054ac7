package builtin.kubernetes.KSV119_test

import rego.v1

import data.builtin.kubernetes.KSV119 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_added_NET_RAW if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["CHOWN", "NET_RAW"]}}},
		{"name": "ok", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["CHOWN"]}}},
	])
	msgs == {"Container 'app' of Pod 'web' should not add 'NET_RAW' to 'securityContext.capabilities.add'"}
}

test_passes_dropped_NET_RAW if {
	count(check.deny) == 0 with input as pod([{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}])
}
