# METADATA
# title: Binding to cluster-admin, admin or edit
# description: >-
#   The built-in 'cluster-admin', 'admin' and 'edit' roles grant broad write access
#   ('cluster-admin' to everything), so each binding to them should be a deliberate
#   exception. Reported at the roleRef of a RoleBinding or ClusterRoleBinding that
#   refers to a role named 'cluster-admin', 'admin' or 'edit'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
# - https://avd.aquasec.com/misconfig/ksv111
# custom:
#   id: KSV111
#   aliases:
#   - KSV-0111
#   - AVD-KSV-0111
#   - cluster-admin0-role-only-used-where-required
#   - kubernetes-cluster-admin0-role-only-used-where-required
#   severity: MEDIUM
#   recommended_action: >-
#     Bind a role that grants only the permissions the subjects need instead of
#     'cluster-admin', 'admin' or 'edit'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: RoleBinding
#       - kind: ClusterRoleBinding
package builtin.kubernetes.KSV111

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_powerful_roles := {"cluster-admin", "admin", "edit"}

deny contains res if {
	rbac.is_binding_kind
	ref := input.roleRef
	role := ref.name
	role in _powerful_roles
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' binds the broad built-in role '",
		role,
		"'",
	])
	res := result.finding(msg, ref)
}
