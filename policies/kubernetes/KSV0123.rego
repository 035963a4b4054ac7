# METADATA
# title: Binding to the system:masters group
# description: >-
#   Members of 'system:masters' are superusers: the API server lets every request from
#   that group through without consulting RBAC, and the membership cannot be revoked
#   short of rotating credentials. Naming the group in a binding suggests it is being
#   used to hand out access, which should never be needed. Reported at each
#   'system:masters' subject of a RoleBinding or ClusterRoleBinding. Trivy's library
#   spells the second kind 'ClusterRolebinding', so Trivy only reports RoleBindings;
#   regoscan reports both kinds, in any letter case.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
# - https://avd.aquasec.com/misconfig/ksv0123
# custom:
#   id: KSV0123
#   aliases:
#   - KSV-0123
#   - AVD-KSV-0123
#   - no-system-masters-group-bind
#   - kubernetes-no-system-masters-group-bind
#   severity: CRITICAL
#   recommended_action: >-
#     Remove the 'system:masters' subject from the binding and grant access through a
#     dedicated group bound to a least-privilege role.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: RoleBinding
#       - kind: ClusterRoleBinding
package appshield.kubernetes.KSV0123

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

deny contains res if {
	rbac.is_binding_kind
	hits := [hit |
		some subject in rbac.subjects
		subject.name == "system:masters"
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' names the superuser group 'system:masters' as a subject",
		])
		hit := result.finding(msg, subject)
	]
	some res in hits
}
