package builtin.kubernetes.KSV038_test

import rego.v1

import data.builtin.kubernetes.KSV038 as check

netpol(spec) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "allow-lan", "namespace": "shop"},
	"spec": spec,
}

test_denies_policy_without_selectors if {
	msgs := {r.msg | some r in check.deny} with input as netpol({
		"policyTypes": ["Ingress"],
		"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}],
	})
	msgs == {"NetworkPolicy 'allow-lan' in namespace 'shop' uses no 'podSelector' or 'namespaceSelector', neither in its spec nor in its ingress or egress peers"}
}

test_passes_spec_pod_selector if {
	count(check.deny) == 0 with input as netpol({"podSelector": {}, "policyTypes": ["Ingress"]})
}

test_passes_peer_namespace_selector if {
	count(check.deny) == 0 with input as netpol({
		"policyTypes": ["Egress"],
		"egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "shop"}}}]}],
	})
}
