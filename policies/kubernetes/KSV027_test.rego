package builtin.kubernetes.KSV027_test

import rego.v1

import data.builtin.kubernetes.KSV027 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_proc_mount if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"procMount": "Unmasked"}},
		{"name": "ok", "image": "nginx:1.27"},
	])
	msgs == {"Container 'app' of Pod 'web' should not set 'securityContext.procMount' (found 'Unmasked')"}
}

test_passes_without_proc_mount if {
	count(check.deny) == 0 with input as pod([{"name": "app", "image": "nginx:1.27", "securityContext": {"runAsNonRoot": true}}])
}
