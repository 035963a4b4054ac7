package builtin.kubernetes.KSV115_test

import rego.v1

import data.builtin.kubernetes.KSV115 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["aws-auth"], "verbs": ["update", "get"]}])
	msgs == {"Role 'ops' grants 'update' on 'configmaps' named 'aws-auth', which maps AWS IAM identities to Kubernetes users"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["update"]}])
}
