# METADATA
# title: Changing admission webhook configurations
# description: >-
#   Admission webhooks see, and mutating webhooks can rewrite or block, every object
#   sent to the API server, Secrets and pod specs included; whoever can register one
#   can intercept or tamper with anything created in the cluster. Reported for each
#   rule of a Role or ClusterRole that grants a verb that changes
#   mutatingwebhookconfigurations or validatingwebhookconfigurations.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv114
# custom:
#   id: KSV114
#   aliases:
#   - KSV-0114
#   - AVD-KSV-0114
#   - no-manage-webhook
#   - kubernetes-no-manage-webhook
#   severity: CRITICAL
#   recommended_action: >-
#     Keep webhook configuration resources to the 'get', 'list' and 'watch' verbs.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV114

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}

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
