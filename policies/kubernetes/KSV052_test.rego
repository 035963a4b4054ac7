package builtin.kubernetes.KSV052_test

import rego.v1

import data.builtin.kubernetes.KSV052 as check

cluster_role(rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {"name": "binder"},
	"rules": rules,
}

create_bindings := {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterrolebindings"], "verbs": ["create"]}

bind_any(resource_names) := {
	"apiGroups": ["rbac.authorization.k8s.io"],
	"resources": ["clusterroles"],
	"verbs": ["bind"],
	"resourceNames": resource_names,
}

test_denies_create_then_bind_any if {
	msgs := {r.msg | some r in check.deny} with input as cluster_role([create_bindings, bind_any(["*"])])
	msgs == {"ClusterRole 'binder' can create ClusterRoleBindings and bind any cluster role to them"}
}

test_passes_bind_limited_to_named_roles if {
	count(check.deny) == 0 with input as cluster_role([create_bindings, bind_any(["view"])])
}

test_passes_create_only if {
	count(check.deny) == 0 with input as cluster_role([create_bindings])
}
