# METADATA
# title: Service with external IPs or an external name
# description: >-
#   A Service with 'spec.externalIPs' makes every node accept traffic for those addresses
#   and route it to the Service; whoever may create or edit such a Service can capture
#   traffic meant for any IP address (CVE-2020-8554). Trivy applies the same test to
#   'spec.externalName'. Reported once per Service that sets a non-empty
#   'spec.externalIPs' or any 'spec.externalName', at its 'spec'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
# - https://github.com/kubernetes/kubernetes/issues/97076
# - https://avd.aquasec.com/misconfig/ksv0108
# custom:
#   id: KSV0108
#   aliases:
#   - KSV-0108
#   - AVD-KSV-0108
#   - no_svc_with_extip
#   - kubernetes-no-svc-with-extip
#   severity: HIGH
#   recommended_action: >-
#     Remove 'spec.externalIPs' (and 'spec.externalName') from the Service; expose it
#     through a LoadBalancer or an Ingress instead, and block external IPs with the
#     DenyServiceExternalIPs admission plugin.
#   input:
#     requires_any: [externalIPs, externalName]
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Service
package builtin.kubernetes.KSV0108

import rego.v1

import data.lib.kubernetes
import data.result

_sets_external_ips(spec) if {
	ips := spec.externalIPs
	is_array(ips)
	count(ips) > 0
}

_sets_external_ips(spec) if {
	ips := spec.externalIPs
	is_object(ips)
	count(ips) > 0
}

# Any value counts, as in Trivy (no name is allowed).
_sets_external_name(spec) if kubernetes.has_key(spec, "externalName")

_external_fields(spec) := [f |
	some f in ["externalIPs", "externalName"]
	_sets_external(spec, f)
]

_sets_external(spec, "externalIPs") if _sets_external_ips(spec)

_sets_external(spec, "externalName") if _sets_external_name(spec)

deny contains res if {
	input.kind == "Service"
	spec := input.spec
	is_object(spec)
	fields := _external_fields(spec)
	count(fields) > 0
	msg := concat("", [
		"Service '",
		kubernetes.name,
		"' in namespace '",
		kubernetes.namespace,
		"' should not set ",
		concat(" or ", [q | some f in fields; q := concat("", ["'spec.", f, "'"])]),
	])
	res := result.finding(msg, spec)
}
