package builtin.kubernetes.KSV007_test

import rego.v1

import data.builtin.kubernetes.KSV007 as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

test_denies_host_aliases if {
	msgs := {r.msg | some r in check.deny} with input as deployment({
		"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["db.local"]}],
		"containers": [{"name": "app", "image": "nginx:1.27"}],
	})
	msgs == {"Deployment 'web' should not set 'hostAliases' in its pod spec"}
}

test_passes_without_host_aliases if {
	count(check.deny) == 0 with input as deployment({"containers": [{"name": "app", "image": "nginx:1.27"}]})
}
