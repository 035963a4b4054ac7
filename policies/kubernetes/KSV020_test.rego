package builtin.kubernetes.KSV020_test

import rego.v1

import data.builtin.kubernetes.KSV020 as check

pod(pod_sc, containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"securityContext": pod_sc, "containers": containers},
}

test_denies_low_or_unset_id if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, [
		{"name": "unset", "image": "nginx:1.27"},
		{"name": "low", "image": "nginx:1.27", "securityContext": {"runAsUser": 1000}},
		{"name": "high", "image": "nginx:1.27", "securityContext": {"runAsUser": 10001}},
	])
	msgs == {
		"Container 'unset' of Pod 'web' should run with 'securityContext.runAsUser' above 10000",
		"Container 'low' of Pod 'web' should run with 'securityContext.runAsUser' above 10000",
	}
}

test_container_value_overrides_pod if {
	msgs := {r.msg | some r in check.deny} with input as pod({"runAsUser": 20000}, [
		{"name": "inherits", "image": "nginx:1.27"},
		{"name": "root", "image": "nginx:1.27", "securityContext": {"runAsUser": 0}},
	])
	msgs == {"Container 'root' of Pod 'web' should run with 'securityContext.runAsUser' above 10000"}
}

test_passes_pod_level_high_id if {
	count(check.deny) == 0 with input as pod({"runAsUser": 10001}, [{"name": "app", "image": "nginx:1.27"}])
}
