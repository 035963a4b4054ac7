package builtin.kubernetes.KSV014_test

import rego.v1

import data.builtin.kubernetes.KSV014 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_writable_root if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27"},
		{"name": "rw", "image": "nginx:1.27", "securityContext": {"readOnlyRootFilesystem": false}},
		{"name": "ro", "image": "nginx:1.27", "securityContext": {"readOnlyRootFilesystem": true}},
	])
	msgs == {
		"Container 'app' of Pod 'web' should set 'securityContext.readOnlyRootFilesystem' to true",
		"Container 'rw' of Pod 'web' should set 'securityContext.readOnlyRootFilesystem' to true",
	}
}

test_passes_read_only_root if {
	count(check.deny) == 0 with input as pod([{"name": "ro", "image": "nginx:1.27", "securityContext": {"readOnlyRootFilesystem": true}}])
}
