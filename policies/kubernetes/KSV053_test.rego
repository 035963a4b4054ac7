package builtin.kubernetes.KSV053_test

import rego.v1

import data.builtin.kubernetes.KSV053 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}])
	msgs == {"Role 'ops' grants 'create' on 'pods/exec', which allows running commands in containers"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["pods/exec", "pods"], "verbs": ["get"]}])
}
