package builtin.kubernetes.KSV054_test

import rego.v1

import data.builtin.kubernetes.KSV054 as check

role(rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "Role",
	"metadata": {"name": "debugger", "namespace": "shop"},
	"rules": rules,
}

attach := {"apiGroups": ["*"], "resources": ["pods/attach"], "verbs": ["create"]}

get_pods := {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}

test_denies_attach_then_get_pods if {
	msgs := {r.msg | some r in check.deny} with input as role([attach, get_pods])
	msgs == {"Role 'debugger' can attach to running containers ('create' on 'pods/attach' with 'get' on 'pods')"}
}

test_passes_attach_without_get_pods if {
	count(check.deny) == 0 with input as role([attach])
}

test_passes_get_pods_only if {
	count(check.deny) == 0 with input as role([get_pods])
}
