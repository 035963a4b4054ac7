package builtin.kubernetes.KSV050_test

import rego.v1

import data.builtin.kubernetes.KSV050 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("ClusterRole", [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["bind", "escalate"]}])
	msgs == {"ClusterRole 'ops' grants 'bind', 'escalate' on 'rolebindings', 'roles', which allows privilege escalation"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["get", "list"]}])
}
