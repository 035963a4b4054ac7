package builtin.kubernetes.KSV002_test

import rego.v1

import data.builtin.kubernetes.KSV002 as check

pod(annotations) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web", "annotations": annotations},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
}

test_denies_unconfined_profile if {
	msgs := {r.msg | some r in check.deny} with input as pod({"container.apparmor.security.beta.kubernetes.io/app": "unconfined"})
	msgs == {"Container 'app' of Pod 'web' should use the AppArmor profile 'runtime/default' (annotation 'container.apparmor.security.beta.kubernetes.io/app' is 'unconfined')"}
}

test_passes_runtime_default if {
	count(check.deny) == 0 with input as pod({"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"})
}

test_passes_without_annotation if {
	count(check.deny) == 0 with input as pod({"other": "x"})
}
