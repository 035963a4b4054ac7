package builtin.kubernetes.KSV056_test

import rego.v1

import data.builtin.kubernetes.KSV056 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": ["", "networking.k8s.io"], "resources": ["services", "networkpolicies", "pods"], "verbs": ["delete", "create", "get"]}])
	msgs == {"Role 'ops' grants 'create', 'delete' on 'networkpolicies', 'services'"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": ["", "networking.k8s.io"], "resources": ["services", "networkpolicies"], "verbs": ["get", "list", "watch"]}])
}
