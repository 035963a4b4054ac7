package builtin.kubernetes.KSV012_test

import rego.v1

import data.builtin.kubernetes.KSV012 as check

pod(pod_sc, containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"securityContext": pod_sc, "containers": containers},
}

test_denies_container_without_run_as_non_root if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, [{"name": "app", "image": "nginx"}])
	msgs == {"Container 'app' of Pod 'web' should set 'securityContext.runAsNonRoot' to true"}
}

test_passes_with_pod_level_run_as_non_root if {
	count(check.deny) == 0 with input as pod({"runAsNonRoot": true}, [{"name": "app", "image": "nginx"}])
}
