package builtin.kubernetes.KSV102_test

import rego.v1

import data.builtin.kubernetes.KSV102 as check

deployment(name, labels, containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": name, "labels": labels},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}},
}

test_denies_tiller_image if {
	msgs := {r.msg | some r in check.deny} with input as deployment("release-manager", {"app": "release"}, [
		{"name": "server", "image": "ghcr.io/helm/tiller:v2.17.0"},
		{"name": "proxy", "image": "nginx:1.27"},
	])
	msgs == {"Container 'server' of Deployment 'release-manager' runs Helm Tiller, which should not be deployed"}
}

test_denies_helm_label if {
	msgs := {r.msg | some r in check.deny} with input as deployment("release-manager", {"app": "helm"}, [{"name": "server", "image": "registry.example.com/rm:1.0"}])
	msgs == {"Container 'server' of Deployment 'release-manager' runs Helm Tiller, which should not be deployed"}
}

test_passes_other_workload if {
	count(check.deny) == 0 with input as deployment("web", {"app": "web"}, [{"name": "app", "image": "nginx:1.27"}])
}
