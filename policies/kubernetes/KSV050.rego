# METADATA
# title: Privilege escalation through RBAC objects
# description: >-
#   The 'escalate' and 'bind' verbs on roles and role bindings switch off the check
#   that stops a subject from granting permissions it does not hold itself, and
#   'impersonate' lets it act as another user; each is a direct way to escalate
#   privileges. Reported for each rule of a Role or ClusterRole that grants 'escalate',
#   'bind', 'impersonate' or '*' on 'roles' or 'rolebindings'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update
# - https://avd.aquasec.com/misconfig/ksv050
# custom:
#   id: KSV050
#   aliases:
#   - KSV-0050
#   - AVD-KSV-0050
#   - no-manage-rbac-resources
#   - kubernetes-no-manage-rbac-resources
#   - kubernetes-no-privilege-escalation-rbac
#   severity: CRITICAL
#   recommended_action: >-
#     Remove the 'escalate', 'bind', 'impersonate' and '*' verbs from rules on 'roles'
#     and 'rolebindings'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV050

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"roles", "rolebindings"}

_verbs := {"escalate", "bind", "impersonate", "*"}

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
			", which allows privilege escalation",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
