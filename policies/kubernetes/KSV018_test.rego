package builtin.kubernetes.KSV018_test

import rego.v1

import data.builtin.kubernetes.KSV018 as check

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

test_denies_missing_limits_memory if {
	msgs := {r.msg | some r in check.deny} with input as deployment([
		{"name": "app", "image": "nginx:1.27"},
		{"name": "other", "image": "nginx:1.27", "resources": {"limits": {"ephemeral-storage": "1Gi"}}},
	])
	msgs == {
		"Container 'app' of Deployment 'web' should set a memory limit in 'resources.limits.memory'",
		"Container 'other' of Deployment 'web' should set a memory limit in 'resources.limits.memory'",
	}
}

test_passes_with_limits_memory if {
	count(check.deny) == 0 with input as deployment([{"name": "app", "image": "nginx:1.27", "resources": {"limits": {"memory": "500m"}}}])
}
