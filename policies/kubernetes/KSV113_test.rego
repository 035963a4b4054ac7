package builtin.kubernetes.KSV113_test

import rego.v1

import data.builtin.kubernetes.KSV113 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["watch", "get"]}])
	msgs == {"Role 'ops' grants 'get', 'watch' on 'secrets' in namespace 'shop'"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "watch"]}])
}
