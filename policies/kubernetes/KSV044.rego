# METADATA
# title: Wildcard verb on wildcard resource
# description: >-
#   A rule with '*' for API groups, resources and verbs allows every action on every
#   resource, present and future: it is full administrator access within the role's
#   scope. Reported for each rule of a Role or ClusterRole that combines apiGroups '*',
#   resources '*' and verbs '*'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv044
# custom:
#   id: KSV044
#   aliases:
#   - KSV-0044
#   - AVD-KSV-0044
#   - no-wildcard-verb-resource-role
#   - kubernetes-no-wildcard-verb-resource-role
#   severity: CRITICAL
#   recommended_action: >-
#     List the API groups, resources and verbs the subject needs instead of '*'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV044

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

deny contains res if {
	rbac.is_role_kind
	hits := [hit |
		some rule in rbac.policy_rules
		rbac.rule_has(rule, "apiGroups", "*")
		rbac.rule_has(rule, "resources", "*")
		rbac.rule_has(rule, "verbs", "*")
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' allows every verb on every resource of every API group",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
