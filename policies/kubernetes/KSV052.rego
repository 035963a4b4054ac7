# METADATA
# title: Creating ClusterRoleBindings to any cluster role
# description: >-
#   A subject that can create ClusterRoleBindings and may 'bind' any ClusterRole can
#   grant cluster-wide permissions, cluster-admin included, to itself or anyone.
#   Reported at a rule that grants 'create' on 'clusterrolebindings' in the
#   rbac.authorization.k8s.io group when a later rule of the same Role or ClusterRole
#   grants 'bind' on 'clusterroles' with resourceNames '*' (the same order Trivy
#   requires).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv052
# custom:
#   id: KSV052
#   aliases:
#   - KSV-0052
#   - AVD-KSV-0052
#   - allow-role-clusterrolebindings-associate-privileged-cluster-role
#   - kubernetes-allow-role-clusterrolebindings-associate-privileged-cluster-role
#   severity: HIGH
#   recommended_action: >-
#     Do not combine 'create' on 'clusterrolebindings' with 'bind' on any cluster role;
#     name the cluster roles that may be bound in 'resourceNames'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV052

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_creates_cluster_role_bindings(rule) if {
	rbac.rule_has(rule, "apiGroups", "rbac.authorization.k8s.io")
	rbac.rule_has(rule, "resources", "clusterrolebindings")
	rbac.rule_has(rule, "verbs", "create")
}

# Trivy does not look at the API group of the 'bind' rule.
_binds_any_cluster_role(rule) if {
	rbac.rule_has(rule, "resources", "clusterroles")
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
	_creates_cluster_role_bindings(rule)
	_binds_any_cluster_role(later)
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' can create ClusterRoleBindings and bind any cluster role to them",
	])
	res := result.finding(msg, rule)
}
