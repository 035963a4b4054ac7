package builtin.kubernetes.KSV114_test

import rego.v1

import data.builtin.kubernetes.KSV114 as check

role(kind, rules) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}

test_denies_rule if {
	msgs := {r.msg | some r in check.deny} with input as role("ClusterRole", [{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], "verbs": ["patch"]}])
	msgs == {"ClusterRole 'ops' grants 'patch' on 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations'"}
}

test_passes_rule if {
	count(check.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["get", "list", "watch"]}])
}
