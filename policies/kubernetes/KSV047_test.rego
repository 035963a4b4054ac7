package builtin.kubernetes.KSV047_test

import rego.v1

import data.builtin.kubernetes.KSV047 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["nodes/proxy", "nodes"], "verbs": ["get"]}])
	msgs == {"ClusterRole 'ops' grants 'get' on 'nodes/proxy', which reaches the kubelet API of the nodes"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "create"]}])
}
