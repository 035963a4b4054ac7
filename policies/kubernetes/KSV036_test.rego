package builtin.kubernetes.KSV036_test

import rego.v1

import data.builtin.kubernetes.KSV036 as check

pod(pod_spec) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": pod_spec,
}

test_denies_explicit_automount if {
	msgs := {r.msg | some r in check.deny} with input as pod({
		"automountServiceAccountToken": true,
		"containers": [{"name": "app", "image": "nginx:1.27"}],
	})
	msgs == {"Pod 'web' should set 'automountServiceAccountToken' to false in its pod spec and not mount the service account token"}
}

test_denies_token_path_mounted if {
	msgs := {r.msg | some r in check.deny} with input as pod({"containers": [{
		"name": "app",
		"image": "nginx:1.27",
		"volumeMounts": [{"name": "token", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
	}]})
	msgs == {"Pod 'web' should set 'automountServiceAccountToken' to false in its pod spec and not mount the service account token"}
}

test_passes_automount_disabled if {
	count(check.deny) == 0 with input as pod({
		"automountServiceAccountToken": false,
		"containers": [{"name": "app", "image": "nginx:1.27"}],
	})
}

test_passes_unset_without_token_mount if {
	count(check.deny) == 0 with input as pod({"containers": [{
		"name": "app",
		"image": "nginx:1.27",
		"volumeMounts": [{"name": "data", "mountPath": "/data"}],
	}]})
}
