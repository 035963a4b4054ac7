# METADATA
# title: Reading or managing secrets of a namespace
# description: >-
#   A Role that can read Secrets can read the tokens of every service account of its
#   namespace; if one of them is bound to a more powerful role, the subject can
#   escalate to it. Reported for each rule of a Role that names the 'secrets' resource
#   with any verb that reads or changes it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv113
# custom:
#   id: KSV113
#   aliases:
#   - KSV-0113
#   - AVD-KSV-0113
#   - no-manage-ns-secrets
#   - kubernetes-no-manage-ns-secrets
#   severity: MEDIUM
#   recommended_action: >-
#     Remove 'secrets' from the Role's rules, or restrict the rule to the Secrets it
#     needs with 'resourceNames'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
package builtin.kubernetes.KSV113

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"secrets"}

_verbs := {
	"get",
	"list",
	"watch",
	"create",
	"update",
	"patch",
	"delete",
	"deletecollection",
	"impersonate",
	"*",
}

deny contains res if {
	rbac.is_role
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
			" in namespace '",
			kubernetes.namespace,
			"'",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
