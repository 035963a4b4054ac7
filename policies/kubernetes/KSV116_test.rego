package builtin.kubernetes.KSV116_test

import rego.v1

import data.builtin.kubernetes.KSV116 as check

pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": container_sc}],
	},
}

test_denies_pod_level_root_groups if {
	msgs := {r.msg | some r in check.deny} with input as pod({"fsGroup": 0, "supplementalGroups": [1000, 0], "runAsGroup": 0}, {})
	msgs == {"Pod 'web' should not use group ID 0 in 'spec.securityContext' (runAsGroup, supplementalGroups, fsGroup)"}
}

test_denies_container_root_group if {
	msgs := {r.msg | some r in check.deny} with input as pod({"runAsGroup": 3000}, {"runAsGroup": 0})
	msgs == {"Container 'app' of Pod 'web' should not set 'securityContext.runAsGroup' to 0"}
}

test_passes_non_root_groups if {
	count(check.deny) == 0 with input as pod({"runAsGroup": 3000, "fsGroup": 2000, "supplementalGroups": [4000]}, {"runAsGroup": 3001})
}
