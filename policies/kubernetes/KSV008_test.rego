package builtin.kubernetes.KSV008_test

import rego.v1

import data.builtin.kubernetes.KSV008 as check

pod(value) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"hostIPC": value, "containers": [{"name": "app", "image": "nginx:1.27"}]},
}

test_denies_hostIPC_true if {
	msgs := {r.msg | some r in check.deny} with input as pod(true)
	msgs == {"Pod 'web' should not set 'hostIPC' to true in its pod spec"}
}

test_passes_hostIPC_false if {
	count(check.deny) == 0 with input as pod(false)
}

test_passes_hostIPC_unset if {
	count(check.deny) == 0 with input as {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "web"},
		"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
	}
}
