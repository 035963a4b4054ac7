package builtin.kubernetes.KSV046_test

import rego.v1

import data.builtin.kubernetes.KSV046 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["*"], "verbs": ["list", "get", "watch"]}])
	msgs == {"ClusterRole 'ops' grants 'get', 'list' on '*' across the cluster"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["*"], "verbs": ["list", "get"]}])
}
