package builtin.kubernetes.KSV015_test

import rego.v1

import data.builtin.kubernetes.KSV015 as check

deployment(containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"spec": {"containers": containers}}},
}

test_denies_missing_requests_cpu if {
	msgs := {r.msg | some r in check.deny} with input as deployment([
		{"name": "app", "image": "nginx:1.27"},
		{"name": "other", "image": "nginx:1.27", "resources": {"requests": {"ephemeral-storage": "1Gi"}}},
	])
	msgs == {
		"Container 'app' of Deployment 'web' should set a CPU request in 'resources.requests.cpu'",
		"Container 'other' of Deployment 'web' should set a CPU request in 'resources.requests.cpu'",
	}
}

test_passes_with_requests_cpu if {
	count(check.deny) == 0 with input as deployment([{"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": "500m"}}}])
}
