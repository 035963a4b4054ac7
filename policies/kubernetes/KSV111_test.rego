package builtin.kubernetes.KSV111_test

import rego.v1

import data.builtin.kubernetes.KSV111 as check

binding(kind, role) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
	"subjects": [{"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}],
}

test_denies_cluster_admin if {
	msgs := {r.msg | some r in check.deny} with input as binding("ClusterRoleBinding", "cluster-admin")
	msgs == {"ClusterRoleBinding 'ops' binds the broad built-in role 'cluster-admin'"}
}

test_denies_edit_in_role_binding if {
	msgs := {r.msg | some r in check.deny} with input as binding("RoleBinding", "edit")
	msgs == {"RoleBinding 'ops' binds the broad built-in role 'edit'"}
}

test_passes_view if {
	count(check.deny) == 0 with input as binding("RoleBinding", "view")
}
