package builtin.kubernetes.KSV005_test

import rego.v1

import data.builtin.kubernetes.KSV005 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_sys_admin if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["NET_ADMIN", "SYS_ADMIN"]}}},
		{"name": "ok", "image": "nginx:1.27", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}},
	])
	msgs == {"Container 'app' of Pod 'web' should not add 'SYS_ADMIN' to 'securityContext.capabilities.add'"}
}

test_passes_without_sys_admin if {
	count(check.deny) == 0 with input as pod([{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["SYS_ADMIN"]}}}])
}
