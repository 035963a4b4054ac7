package builtin.kubernetes.KSV104_test

import rego.v1

import data.builtin.kubernetes.KSV104 as check

pod(annotations, pod_sc, containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web", "annotations": annotations},
	"spec": {"securityContext": pod_sc, "containers": containers},
}

test_denies_missing_profile if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, {}, [{"name": "app", "image": "nginx:1.27"}])
	msgs == {"Container 'app' of Pod 'web' should set a seccomp profile ('securityContext.seccompProfile.type'); without one it runs unconfined"}
}

test_denies_unconfined_profile if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, {"seccompProfile": {"type": "RuntimeDefault"}}, [
		{"name": "app", "image": "nginx:1.27", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
		{"name": "ok", "image": "nginx:1.27"},
	])
	msgs == {"Container 'app' of Pod 'web' should not use the 'Unconfined' seccomp profile"}
}

test_passes_pod_level_profile if {
	count(check.deny) == 0 with input as pod({}, {"seccompProfile": {"type": "RuntimeDefault"}}, [{"name": "app", "image": "nginx:1.27"}])
}

test_passes_legacy_container_annotation if {
	count(check.deny) == 0 with input as pod(
		{"container.seccomp.security.alpha.kubernetes.io/app": "runtime/default"},
		{},
		[{"name": "app", "image": "nginx:1.27"}],
	)
}
