# METADATA
# title: Managing every resource of a namespace
# description: >-
#   A Role rule with resources '*' covers every resource type of the namespace, Secrets
#   and RBAC objects included. Some deployments need that (a GitOps operator), most
#   subjects do not. Reported for each rule of a Role that names the '*' resource with
#   a verb that reads or changes it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv112
# custom:
#   id: KSV112
#   aliases:
#   - KSV-0112
#   - AVD-KSV-0112
#   - no-wildcard-resource-role
#   - kubernetes-no-wildcard-resource-role
#   severity: CRITICAL
#   recommended_action: >-
#     Replace '*' in the rule's 'resources' with the specific resources the Role has to
#     manage.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
package builtin.kubernetes.KSV112

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"*"}

_verbs := {
	"create",
	"update",
	"delete",
	"deletecollection",
	"impersonate",
	"*",
	"list",
	"get",
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
