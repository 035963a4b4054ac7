# METADATA
# title: Impersonating groups
# description: >-
#   Impersonating a group makes API requests carry that group's permissions, so a
#   subject that may impersonate any group can act as 'system:masters' and bypass every
#   RBAC rule. Reported for each rule of a Role or ClusterRole that grants
#   'impersonate' on 'groups' in all API groups ('*').
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv043
# custom:
#   id: KSV043
#   aliases:
#   - KSV-0043
#   - AVD-KSV-0043
#   - no-impersonate-privileged-groups
#   - kubernetes-no-impersonate-privileged-groups
#   severity: CRITICAL
#   recommended_action: >-
#     Remove the 'impersonate' verb on 'groups' from the rule, or limit it with
#     'resourceNames' to groups that hold no privileges.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV043

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

deny contains res if {
	rbac.is_role_kind
	hits := [hit |
		some rule in rbac.policy_rules
		rbac.rule_has(rule, "apiGroups", "*")
		rbac.rule_has(rule, "resources", "groups")
		rbac.rule_has(rule, "verbs", "impersonate")
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' can impersonate any group, privileged groups such as 'system:masters' included",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
