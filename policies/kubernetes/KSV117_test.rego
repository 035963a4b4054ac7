package builtin.kubernetes.KSV117_test

import rego.v1

import data.builtin.kubernetes.KSV117 as check

pod(ports) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": ports}]},
}

test_denies_privileged_ports if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"containerPort": 443},
		{"containerPort": 8080},
		{"containerPort": 80},
		{"containerPort": 443, "protocol": "UDP"},
	])
	msgs == {"Container 'app' of Pod 'web' should not use container ports below 1024 (found: 443, 80)"}
}

test_passes_high_ports if {
	count(check.deny) == 0 with input as pod([{"containerPort": 8080}, {"containerPort": 8443}])
}
