package builtin.kubernetes.KSV001_test

import rego.v1

import data.builtin.kubernetes.KSV001 as check

pod(containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": containers},
}

test_denies_container_without_setting if {
	msgs := {r.msg | some r in check.deny} with input as pod([{"name": "app", "image": "nginx:1.27"}])
	msgs == {"Container 'app' of Pod 'web' should set 'securityContext.allowPrivilegeEscalation' to false"}
}

test_denies_escalation_true if {
	msgs := {r.msg | some r in check.deny} with input as pod([
		{"name": "app", "image": "nginx:1.27", "securityContext": {"allowPrivilegeEscalation": true}},
		{"name": "ok", "image": "nginx:1.27", "securityContext": {"allowPrivilegeEscalation": false}},
	])
	msgs == {"Container 'app' of Pod 'web' should set 'securityContext.allowPrivilegeEscalation' to false"}
}

test_passes_when_disabled if {
	count(check.deny) == 0 with input as pod([{
		"name": "app",
		"image": "nginx:1.27",
		"securityContext": {"allowPrivilegeEscalation": false},
	}])
}

test_ignores_non_workload if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}
}
