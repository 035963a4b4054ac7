package builtin.kubernetes.KSV028_test

import rego.v1

import data.builtin.kubernetes.KSV028 as check

pod(volumes) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "volumes": volumes},
}

test_denies_non_core_volume_types if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "share", "nfs": {"server": "nfs.local", "path": "/exports"}},
		{"name": "repo", "gitRepo": {"repository": "https://example.com/repo.git"}},
		{"name": "cache", "emptyDir": {}},
	])
	msgs == {
		"Pod 'web' should not use a 'nfs' volume ('share'): only core volume types are allowed",
		"Pod 'web' should not use a 'gitRepo' volume ('repo'): only core volume types are allowed",
	}
}

test_passes_core_volume_types if {
	count(check.deny) == 0 with input as pod([
		{"name": "cache", "emptyDir": {}},
		{"name": "cfg", "configMap": {"name": "cfg"}},
		{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
	])
}
