package builtin.kubernetes.KSV023_test

import rego.v1

import data.builtin.kubernetes.KSV023 as check

pod(volumes) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "volumes": volumes},
}

test_denies_host_path_volume if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "logs", "hostPath": {"path": "/var/log"}},
		{"name": "cache", "emptyDir": {}},
	])
	msgs == {"Pod 'web' should not use the hostPath volume 'logs'"}
}

test_passes_without_host_path if {
	count(check.deny) == 0 with input as pod([{"name": "cache", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}}])
}
