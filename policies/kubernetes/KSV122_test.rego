package appshield.kubernetes.KSV122_test

import rego.v1

import data.appshield.kubernetes.KSV122 as check

binding(kind, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "public", "namespace": "shop"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
	"subjects": subjects,
}

test_denies_anonymous_subjects if {
	msgs := {r.msg | some r in check.deny} with input as binding("ClusterRoleBinding", [
		{"kind": "User", "name": "system:anonymous", "apiGroup": "rbac.authorization.k8s.io"},
		{"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"},
		{"kind": "Group", "name": "developers", "apiGroup": "rbac.authorization.k8s.io"},
	])
	msgs == {
		"ClusterRoleBinding 'public' grants its role to 'system:anonymous', that is to unauthenticated requests",
		"ClusterRoleBinding 'public' grants its role to 'system:unauthenticated', that is to unauthenticated requests",
	}
}

test_passes_named_subjects if {
	count(check.deny) == 0 with input as binding("RoleBinding", [{"kind": "Group", "name": "developers", "apiGroup": "rbac.authorization.k8s.io"}])
}
