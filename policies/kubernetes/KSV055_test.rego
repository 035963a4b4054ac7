package builtin.kubernetes.KSV055_test

import rego.v1

import data.builtin.kubernetes.KSV055 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": ["*"], "resources": ["rolebindings"], "verbs": ["get", "patch"]}])
	msgs == {"Role 'ops' can read and patch RoleBindings, so its subjects can add others to them"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": ["*"], "resources": ["rolebindings"], "verbs": ["get", "list"]}])
}
