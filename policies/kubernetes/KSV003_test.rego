package builtin.kubernetes.KSV003_test

import rego.v1

import data.builtin.kubernetes.KSV003 as check

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

test_denies_without_drop_all if {
	msgs := {r.msg | some r in check.deny} with input as deployment([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
		{"name": "side", "image": "busybox:1.36"},
	])
	msgs == {
		"Container 'app' of Deployment 'web' should list 'ALL' in 'securityContext.capabilities.drop'",
		"Container 'side' of Deployment 'web' should list 'ALL' in 'securityContext.capabilities.drop'",
	}
}

test_passes_with_drop_all_any_case if {
	count(check.deny) == 0 with input as deployment([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": {"drop": ["ALL"]}}},
		{"name": "side", "image": "busybox:1.36", "securityContext": {"capabilities": {"drop": ["all"]}}},
	])
}
