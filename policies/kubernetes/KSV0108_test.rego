package builtin.kubernetes.KSV0108_test

import rego.v1

import data.builtin.kubernetes.KSV0108 as check

service(spec) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": spec,
}

test_denies_external_ips if {
	msgs := {r.msg | some r in check.deny} with input as service({"ports": [{"port": 80}], "externalIPs": ["203.0.113.10"]})
	msgs == {"Service 'web' in namespace 'shop' should not set 'spec.externalIPs'"}
}

test_denies_both_fields if {
	msgs := {r.msg | some r in check.deny} with input as service({
		"type": "ExternalName",
		"externalName": "db.example.com",
		"externalIPs": ["203.0.113.10"],
	})
	msgs == {"Service 'web' in namespace 'shop' should not set 'spec.externalIPs' or 'spec.externalName'"}
}

test_passes_cluster_ip_service if {
	count(check.deny) == 0 with input as service({"type": "ClusterIP", "ports": [{"port": 80}], "externalIPs": []})
}
