package builtin.kubernetes.KSV026_test

import rego.v1

import data.builtin.kubernetes.KSV026 as check

pod(sysctls) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {
		"securityContext": {"sysctls": sysctls},
		"containers": [{"name": "app", "image": "nginx:1.27"}],
	},
}

test_denies_unsafe_sysctls if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "net.core.somaxconn", "value": "1024"},
		{"name": "net.ipv4.tcp_syncookies", "value": "1"},
		{"name": "kernel.msgmax", "value": "65536"},
	])
	msgs == {"Pod 'web' should set only safe sysctls in 'spec.securityContext.sysctls' (unsafe: kernel.msgmax, net.core.somaxconn)"}
}

test_passes_safe_sysctls if {
	count(check.deny) == 0 with input as pod([
		{"name": "kernel.shm_rmid_forced", "value": "0"},
		{"name": "net.ipv4.ip_local_port_range", "value": "32768 60999"},
		{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"},
	])
}
