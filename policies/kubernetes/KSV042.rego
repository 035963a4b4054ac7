# METADATA
# title: Deleting pod logs
# description: >-
#   Permission to delete the 'pods/log' subresource lets a subject erase container logs
#   and so hide what it did. Reported for each rule of a Role or ClusterRole that names
#   'pods/log' with 'delete', 'deletecollection' or '*'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv042
# custom:
#   id: KSV042
#   aliases:
#   - KSV-0042
#   - AVD-KSV-0042
#   - no-delete-pod-logs
#   - kubernetes-no-delete-pod-logs
#   severity: MEDIUM
#   recommended_action: >-
#     Remove the 'delete', 'deletecollection' and '*' verbs from rules on 'pods/log'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV042

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"pods/log"}

_verbs := {"delete", "deletecollection", "*"}

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
			", which allows erasing container logs",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
