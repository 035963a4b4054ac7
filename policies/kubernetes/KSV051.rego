# METADATA
# title: Creating RoleBindings to any role
# description: >-
#   A subject that can create RoleBindings and may 'bind' any Role or ClusterRole can
#   grant itself, or anyone, the permissions of every role it is allowed to bind,
#   including cluster-admin within a namespace. Reported at a rule that grants 'create'
#   on 'rolebindings' in the rbac.authorization.k8s.io group when a later rule of the
#   same Role or ClusterRole grants 'bind' on 'roles' or 'clusterroles' in that group
#   with resourceNames '*' (the same order Trivy requires).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv051
# custom:
#   id: KSV051
#   aliases:
#   - KSV-0051
#   - AVD-KSV-0051
#   - do-not-allow-role-binding-associate-privileged-role
#   - kubernetes-do-not-allow-role-binding-associate-privileged-role
#   severity: HIGH
#   recommended_action: >-
#     Do not combine 'create' on 'rolebindings' with 'bind' on any role; name the roles
#     that may be bound in 'resourceNames'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV051

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_group := "rbac.authorization.k8s.io"

_creates_role_bindings(rule) if {
	rbac.rule_has(rule, "apiGroups", _group)
	rbac.rule_has(rule, "resources", "rolebindings")
	rbac.rule_has(rule, "verbs", "create")
}

_binds_any_role(rule) if {
	rbac.rule_has(rule, "apiGroups", _group)
	count(rbac.rule_matches(rule, "resources", {"roles", "clusterroles"})) > 0
	rbac.rule_has(rule, "verbs", "bind")
	rbac.rule_has(rule, "resourceNames", "*")
}

# Like Trivy, the 'bind' rule has to come after the 'create' rule.
deny contains res if {
	rbac.is_role_kind
	rules := rbac.policy_rules
	some i, j
	rule := rules[i]
	later := rules[j]
	i < j
	_creates_role_bindings(rule)
	_binds_any_role(later)
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' can create RoleBindings and bind any role or cluster role to them",
	])
	res := result.finding(msg, rule)
}
