package builtin.kubernetes.KSV024_test

import rego.v1

import data.builtin.kubernetes.KSV024 as check

pod(ports) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": ports}]},
}

test_denies_host_ports_in_document_order if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"containerPort": 80, "hostPort": 9090},
		{"containerPort": 443, "hostPort": 8443},
		{"containerPort": 8080, "hostPort": 9090, "protocol": "UDP"},
	])
	msgs == {"Container 'app' of Pod 'web' should not set 'ports[].hostPort' (found: 9090, 8443)"}
}

test_passes_without_host_port if {
	count(check.deny) == 0 with input as pod([{"containerPort": 80}, {"containerPort": 443, "hostPort": 0}])
}
