# METADATA
# title: Editing RoleBindings
# description: >-
#   A subject that can read and patch RoleBindings can add other users, groups or
#   service accounts to the bindings, handing out the bound roles. Reported for each
#   rule of a Role or ClusterRole that grants both 'get' and 'patch' on 'rolebindings'
#   in all API groups ('*').
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv055
# custom:
#   id: KSV055
#   aliases:
#   - KSV-0055
#   - AVD-KSV-0055
#   - view-all-secrets
#   - kubernetes-view-all-secrets
#   severity: LOW
#   recommended_action: >-
#     Remove 'patch' on 'rolebindings' from the role unless the subject administers
#     bindings.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV055

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

deny contains res if {
	rbac.is_role_kind
	hits := [hit |
		some rule in rbac.policy_rules
		rbac.rule_has(rule, "apiGroups", "*")
		rbac.rule_has(rule, "resources", "rolebindings")
		rbac.rule_has(rule, "verbs", "get")
		rbac.rule_has(rule, "verbs", "patch")
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' can read and patch RoleBindings, so its subjects can add others to them",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
