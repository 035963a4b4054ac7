package builtin.kubernetes.KSV051_test

import rego.v1

import data.builtin.kubernetes.KSV051 as check

role(rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "Role",
	"metadata": {"name": "binder", "namespace": "shop"},
	"rules": rules,
}

create_bindings := {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create"]}

bind_any(resource_names) := {
	"apiGroups": ["rbac.authorization.k8s.io"],
	"resources": ["clusterroles"],
	"verbs": ["bind"],
	"resourceNames": resource_names,
}

test_denies_create_then_bind_any if {
	msgs := {r.msg | some r in check.deny} with input as role([create_bindings, bind_any(["*"])])
	msgs == {"Role 'binder' can create RoleBindings and bind any role or cluster role to them"}
}

test_passes_bind_limited_to_named_roles if {
	count(check.deny) == 0 with input as role([create_bindings, bind_any(["viewer"])])
}

# Like Trivy, the bind rule only counts after the create rule.
test_passes_bind_before_create if {
	count(check.deny) == 0 with input as role([bind_any(["*"]), create_bindings])
}
