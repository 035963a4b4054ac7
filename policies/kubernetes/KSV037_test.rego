package builtin.kubernetes.KSV037_test

import rego.v1

import data.builtin.kubernetes.KSV037 as check

resource(kind, metadata, spec) := {
	"apiVersion": "v1",
	"kind": kind,
	"metadata": metadata,
	"spec": spec,
}

test_denies_workload_in_kube_system if {
	msgs := {r.msg | some r in check.deny} with input as resource(
		"Deployment",
		{"name": "web", "namespace": "kube-system"},
		{"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}},
	)
	msgs == {"Deployment 'web' should not be placed in the 'kube-system' namespace"}
}

test_passes_control_plane_component if {
	count(check.deny) == 0 with input as resource(
		"Pod",
		{"name": "kube-apiserver-node1", "namespace": "kube-system", "labels": {"tier": "control-plane", "component": "kube-apiserver"}},
		{"priorityClassName": "system-node-critical", "containers": [{"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.30.0"}]},
	)
}

test_passes_other_namespace if {
	count(check.deny) == 0 with input as resource(
		"Deployment",
		{"name": "web", "namespace": "shop"},
		{"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}},
	)
}

test_passes_resource_without_spec if {
	count(check.deny) == 0 with input as {
		"apiVersion": "v1",
		"kind": "ConfigMap",
		"metadata": {"name": "cfg", "namespace": "kube-system"},
		"data": {"a": "b"},
	}
}
