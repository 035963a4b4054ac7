package builtin.kubernetes.KSV009_test

import rego.v1

import data.builtin.kubernetes.KSV009 as check

pod(value) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"hostNetwork": value, "containers": [{"name": "app", "image": "nginx:1.27"}]},
}

test_denies_hostNetwork_true if {
	msgs := {r.msg | some r in check.deny} with input as pod(true)
	msgs == {"Pod 'web' should not set 'hostNetwork' to true in its pod spec"}
}

test_passes_hostNetwork_false if {
	count(check.deny) == 0 with input as pod(false)
}

test_passes_hostNetwork_unset if {
	count(check.deny) == 0 with input as {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "web"},
		"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
	}
}
