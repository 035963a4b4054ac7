package builtin.kubernetes.KSV110_test

import rego.v1

import data.builtin.kubernetes.KSV110 as check

workload(kind, metadata) := {
	"apiVersion": "v1",
	"kind": kind,
	"metadata": metadata,
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
}

test_denies_missing_namespace if {
	msgs := {r.msg | some r in check.deny} with input as workload("Pod", {"name": "web"})
	msgs == {"Pod 'web' should set 'metadata.namespace' to a namespace other than 'default'"}
}

test_denies_default_namespace if {
	msgs := {r.msg | some r in check.deny} with input as workload("Job", {"name": "migrate", "namespace": "default"})
	msgs == {"Job 'migrate' should set 'metadata.namespace' to a namespace other than 'default'"}
}

test_passes_own_namespace if {
	count(check.deny) == 0 with input as workload("Pod", {"name": "web", "namespace": "shop"})
}

test_ignores_services if {
	count(check.deny) == 0 with input as workload("Service", {"name": "web"})
}
