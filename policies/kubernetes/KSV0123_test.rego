package appshield.kubernetes.KSV0123_test

import rego.v1

import data.appshield.kubernetes.KSV0123 as check

binding(subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "RoleBinding",
	"metadata": {"name": "admins", "namespace": "shop"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "editor"},
	"subjects": subjects,
}

test_denies_system_masters if {
	msgs := {r.msg | some r in check.deny} with input as binding([{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}])
	msgs == {"RoleBinding 'admins' names the superuser group 'system:masters' as a subject"}
}

test_passes_other_group if {
	count(check.deny) == 0 with input as binding([{"kind": "Group", "name": "shop-admins", "apiGroup": "rbac.authorization.k8s.io"}])
}
