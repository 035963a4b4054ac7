package builtin.kubernetes.KSV022_test

import rego.v1

import data.builtin.kubernetes.KSV022 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_added_capabilities if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["SYS_TIME", "NET_ADMIN"]}}},
		{"name": "ok", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["ALL"]}}},
	])
	msgs == {"Container 'app' of Pod 'web' should not add capabilities in 'securityContext.capabilities.add' (found: NET_ADMIN, SYS_TIME)"}
}

test_passes_without_added_capabilities if {
	count(check.deny) == 0 with input as pod([{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": [], "drop": ["ALL"]}}}])
}
