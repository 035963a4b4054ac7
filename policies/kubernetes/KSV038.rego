# METADATA
# title: NetworkPolicy without pod or namespace selectors
# description: >-
#   A NetworkPolicy only takes effect on the pods its 'spec.podSelector' selects, and
#   its ingress and egress rules only mean something through the pods and namespaces
#   their peers select. A policy that uses no 'podSelector' or 'namespaceSelector'
#   anywhere (neither in its spec nor in an ingress 'from' or egress 'to' peer) does not
#   restrict the traffic it was meant to. An empty 'podSelector: {}' counts as a
#   selector (it selects every pod of the namespace). Reported at the 'spec' of such a
#   NetworkPolicy.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/services-networking/network-policies/
# - https://kubernetes.io/docs/tasks/administer-cluster/declare-network-policy/
# - https://avd.aquasec.com/misconfig/ksv038
# custom:
#   id: KSV038
#   aliases:
#   - KSV-0038
#   - AVD-KSV-0038
#   - selector-usage-in-network-policies
#   - kubernetes-selector-usage-in-network-policies
#   severity: MEDIUM
#   recommended_action: >-
#     Set 'spec.podSelector' to the pods the policy protects ('{}' for all pods of the
#     namespace) and select the allowed peers with 'podSelector' and/or
#     'namespaceSelector' in the ingress and egress rules.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: NetworkPolicy
package builtin.kubernetes.KSV038

import rego.v1

import data.lib.kubernetes
import data.result

_netpol_selector_fields := ["podSelector", "namespaceSelector"]

# The ingress 'from' and egress 'to' peers of the policy.
_netpol_peers(spec) := [peer |
	some pair in [["ingress", "from"], ["egress", "to"]]
	rules := spec[pair[0]]
	is_array(rules)
	some rule in rules
	is_object(rule)
	peers := rule[pair[1]]
	is_array(peers)
	some peer in peers
	is_object(peer)
]

# A selector field set to anything but false counts (Trivy's has_field test).
_netpol_uses_selector(spec) if {
	some field in _netpol_selector_fields
	kubernetes.has_field(spec, field)
}

_netpol_uses_selector(spec) if {
	some peer in _netpol_peers(spec)
	some field in _netpol_selector_fields
	kubernetes.has_field(peer, field)
}

# Like Trivy, a NetworkPolicy without any 'spec' is not reported (there is no spec to
# point at).
deny contains res if {
	lower(input.kind) == "networkpolicy"
	spec := input.spec
	not _netpol_uses_selector(spec)
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' in namespace '",
		kubernetes.namespace,
		"' uses no 'podSelector' or 'namespaceSelector', neither in its spec nor in its ingress or egress peers",
	])
	res := result.finding(msg, spec)
}
