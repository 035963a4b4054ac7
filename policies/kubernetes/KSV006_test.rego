package builtin.kubernetes.KSV006_test

import rego.v1

import data.builtin.kubernetes.KSV006 as check

pod(volumes) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "volumes": volumes},
}

test_denies_docker_socket if {
	msgs := {r.msg | some r in check.deny} with input as pod([{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}])
	msgs == {"Pod 'web' should not mount the Docker socket '/var/run/docker.sock' from the host (volume 'sock')"}
}

test_denies_docker_socket_with_trailing_slash if {
	msgs := {r.msg | some r in check.deny} with input as pod([{"name": "sock", "hostPath": {"path": "/var/run/docker.sock/"}}])
	msgs == {"Pod 'web' should not mount the Docker socket '/var/run/docker.sock/' from the host (volume 'sock')"}
}

test_passes_other_host_path if {
	count(check.deny) == 0 with input as pod([
		{"name": "logs", "hostPath": {"path": "/var/log"}},
		{"name": "tmp", "emptyDir": {}},
	])
}
