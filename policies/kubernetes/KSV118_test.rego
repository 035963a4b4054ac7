package builtin.kubernetes.KSV118_test

import rego.v1

import data.builtin.kubernetes.KSV118 as check

pod(pod_spec) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": pod_spec,
}

test_denies_no_security_context_anywhere if {
	msgs := {r.msg | some r in check.deny} with input as pod({"containers": [{"name": "app", "image": "nginx:1.27"}]})
	msgs == {
		"Pod 'web' should set 'spec.securityContext' instead of relying on the default security context",
		"Container 'app' of Pod 'web' should set 'securityContext' instead of relying on the default security context",
	}
}

# fsGroup is not inherited by containers, so the container still has no security context.
test_denies_container_without_inherited_fields if {
	msgs := {r.msg | some r in check.deny} with input as pod({
		"securityContext": {"fsGroup": 2000},
		"containers": [{"name": "app", "image": "nginx:1.27"}],
	})
	msgs == {"Container 'app' of Pod 'web' should set 'securityContext' instead of relying on the default security context"}
}

test_passes_inherited_pod_security_context if {
	count(check.deny) == 0 with input as pod({
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "app", "image": "nginx:1.27"}],
	})
}
