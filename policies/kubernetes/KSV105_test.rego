package builtin.kubernetes.KSV105_test

import rego.v1

import data.builtin.kubernetes.KSV105 as check

pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": container_sc}],
	},
}

test_denies_pod_level_root if {
	msgs := {r.msg | some r in check.deny} with input as pod({"runAsUser": 0}, {})
	msgs == {"Pod 'web' should not set 'spec.securityContext.runAsUser' to 0"}
}

test_denies_container_root if {
	msgs := {r.msg | some r in check.deny} with input as pod({"runAsUser": 1000}, {"runAsUser": 0})
	msgs == {"Container 'app' of Pod 'web' should not set 'securityContext.runAsUser' to 0"}
}

test_passes_non_root_user if {
	count(check.deny) == 0 with input as pod({"runAsUser": 1000}, {"runAsUser": 2000})
}
