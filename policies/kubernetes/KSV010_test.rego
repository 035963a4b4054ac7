package builtin.kubernetes.KSV010_test

import rego.v1

import data.builtin.kubernetes.KSV010 as check

pod(value) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"hostPID": value, "containers": [{"name": "app", "image": "nginx:1.27"}]},
}

test_denies_hostPID_true if {
	msgs := {r.msg | some r in check.deny} with input as pod(true)
	msgs == {"Pod 'web' should not set 'hostPID' to true in its pod spec"}
}

test_passes_hostPID_false if {
	count(check.deny) == 0 with input as pod(false)
}

test_passes_hostPID_unset if {
	count(check.deny) == 0 with input as {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "web"},
		"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
	}
}
