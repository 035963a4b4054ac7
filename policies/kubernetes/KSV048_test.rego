package builtin.kubernetes.KSV048_test

import rego.v1

import data.builtin.kubernetes.KSV048 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["update", "create", "get"]}])
	msgs == {"Role 'ops' grants 'create', 'update' on 'deployments'"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": ["apps"], "resources": ["deployments", "pods"], "verbs": ["get", "list", "watch"]}])
}
