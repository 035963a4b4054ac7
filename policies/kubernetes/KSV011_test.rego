package builtin.kubernetes.KSV011_test

import rego.v1

import data.builtin.kubernetes.KSV011 as check

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

test_denies_missing_limits_cpu if {
	msgs := {r.msg | some r in check.deny} with input as deployment([
		{"name": "app", "image": "nginx:1.27"},
		{"name": "other", "image": "nginx:1.27", "resources": {"limits": {"ephemeral-storage": "1Gi"}}},
	])
	msgs == {
		"Container 'app' of Deployment 'web' should set a CPU limit in 'resources.limits.cpu'",
		"Container 'other' of Deployment 'web' should set a CPU limit in 'resources.limits.cpu'",
	}
}

test_passes_with_limits_cpu if {
	count(check.deny) == 0 with input as deployment([{"name": "app", "image": "nginx:1.27", "resources": {"limits": {"cpu": "500m"}}}])
}
