package builtin.kubernetes.KSV043_test

import rego.v1

import data.builtin.kubernetes.KSV043 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["groups"], "verbs": ["impersonate"]}])
	msgs == {"ClusterRole 'ops' can impersonate any group, privileged groups such as 'system:masters' included"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["users"], "verbs": ["impersonate"]}])
}
