package appshield.kubernetes.KSV01011_test

import rego.v1

import data.appshield.kubernetes.KSV01011 as check

binding(subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRoleBinding",
	"metadata": {"name": "everyone-reads"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
	"subjects": subjects,
}

test_denies_system_authenticated if {
	msgs := {r.msg | some r in check.deny} with input as binding([
		{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"},
		{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
	])
	msgs == {"ClusterRoleBinding 'everyone-reads' grants its role to every authenticated user ('system:authenticated')"}
}

test_passes_named_subjects if {
	count(check.deny) == 0 with input as binding([{"kind": "Group", "name": "developers", "apiGroup": "rbac.authorization.k8s.io"}])
}
