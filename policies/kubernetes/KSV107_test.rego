package defsec.kubernetes.KSV107_test

import rego.v1

import data.defsec.kubernetes.KSV107 as check

resource(api_version, kind) := {
	"apiVersion": api_version,
	"kind": kind,
	"metadata": {"name": "web"},
	"spec": {},
}

test_denies_removed_api_with_replacement if {
	msgs := {r.msg | some r in check.deny} with input as resource("extensions/v1beta1", "Deployment")
	msgs == {"Deployment 'web' uses apiVersion 'extensions/v1beta1', deprecated since Kubernetes 1.8 and removed in 1.16; use 'apps/v1' instead"}
}

test_denies_removed_api_without_replacement if {
	msgs := {r.msg | some r in check.deny} with input as resource("node.k8s.io/v1beta1", "RuntimeClass")
	msgs == {"RuntimeClass 'web' uses apiVersion 'node.k8s.io/v1beta1', deprecated since Kubernetes 1.22 and removed in 1.25"}
}

test_passes_current_api if {
	count(check.deny) == 0 with input as resource("apps/v1", "Deployment")
}

test_every_listed_api_version_passes_the_cheap_test if {
	count(check._apis) > 20
	count([v | some v; _ = check._apis[v]; not _alpha_or_beta(v)]) == 0
}

_alpha_or_beta(v) if contains(v, "beta")

_alpha_or_beta(v) if contains(v, "alpha")
