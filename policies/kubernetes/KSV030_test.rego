package builtin.kubernetes.KSV030_test

import rego.v1

import data.builtin.kubernetes.KSV030 as check

pod(annotations, pod_sc, containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web", "annotations": annotations},
	"spec": {"securityContext": pod_sc, "containers": containers},
}

test_denies_legacy_annotation_value if {
	msgs := {r.msg | some r in check.deny} with input as pod(
		{"seccomp.security.alpha.kubernetes.io/pod": "unconfined"},
		{},
		[{"name": "app", "image": "nginx:1.27"}],
	)
	msgs == {"Pod 'web' should set the annotation 'seccomp.security.alpha.kubernetes.io/pod' to 'runtime/default' (found 'unconfined')"}
}

test_denies_container_without_profile if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, {}, [
		{"name": "app", "image": "nginx:1.27"},
		{"name": "local", "image": "nginx:1.27", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}},
		{"name": "free", "image": "nginx:1.27", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
	])
	msgs == {
		"Container 'app' of Pod 'web' should run with the seccomp profile type 'RuntimeDefault' or 'Localhost' (container or pod 'securityContext.seccompProfile.type')",
		"Container 'free' of Pod 'web' should run with the seccomp profile type 'RuntimeDefault' or 'Localhost' (container or pod 'securityContext.seccompProfile.type')",
	}
}

test_passes_pod_level_profile if {
	count(check.deny) == 0 with input as pod({}, {"seccompProfile": {"type": "RuntimeDefault"}}, [{"name": "app", "image": "nginx:1.27"}])
}

test_passes_legacy_annotation_runtime_default if {
	count(check.deny) == 0 with input as pod({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}, {}, [{"name": "app", "image": "nginx:1.27"}])
}
