package builtin.kubernetes.KSV044_test

import rego.v1

import data.builtin.kubernetes.KSV044 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	msgs == {"Role 'ops' allows every verb on every resource of every API group"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["*"]}])
}
