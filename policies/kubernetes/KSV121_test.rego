package builtin.kubernetes.KSV121_test

import rego.v1

import data.builtin.kubernetes.KSV121 as check

pod(volumes) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "volumes": volumes},
}

test_denies_sensitive_host_paths if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "host-etc", "hostPath": {"path": "/etc/"}},
		{"name": "root", "hostPath": {"path": "/"}},
		{"name": "logs", "hostPath": {"path": "/var/log"}},
	])
	msgs == {
		"Pod 'web' should not mount the host path '/etc/' (volume 'host-etc')",
		"Pod 'web' should not mount the host path '/' (volume 'root')",
	}
}

test_passes_other_host_paths if {
	count(check.deny) == 0 with input as pod([
		{"name": "logs", "hostPath": {"path": "/var/log"}},
		{"name": "app-etc", "hostPath": {"path": "/etc/app"}},
	])
}
