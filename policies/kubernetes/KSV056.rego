# METADATA
# title: Changing networking resources
# description: >-
#   Whoever can change services, endpoints or ingresses decides which pods receive
#   traffic and can intercept it; whoever can change network policies can lift the
#   limits on lateral movement. Reported for each rule of a Role or ClusterRole that
#   grants a verb that changes services, endpoints, endpointslices, networkpolicies or
#   ingresses.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv056
# custom:
#   id: KSV056
#   aliases:
#   - KSV-0056
#   - AVD-KSV-0056
#   - no-manage-networking-resources
#   - kubernetes-no-manage-networking-resources
#   severity: HIGH
#   recommended_action: >-
#     Keep networking resources to the 'get', 'list' and 'watch' verbs unless the
#     subject really manages them.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV056

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"services", "endpoints", "endpointslices", "networkpolicies", "ingresses"}

_verbs := {"create", "update", "patch", "delete", "deletecollection", "impersonate", "*"}

deny contains res if {
	rbac.is_role_kind
	hits := [hit |
		some rule in rbac.policy_rules
		resources := rbac.rule_matches(rule, "resources", _resources)
		count(resources) > 0
		verbs := rbac.rule_matches(rule, "verbs", _verbs)
		count(verbs) > 0
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' grants ",
			rbac.quoted_list(verbs),
			" on ",
			rbac.quoted_list(resources),
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
