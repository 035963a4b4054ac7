# METADATA
# title: Role bound to anonymous users
# description: >-
#   A binding whose subject is the user 'system:anonymous' or the group
#   'system:unauthenticated' gives the role's permissions to every request that carries
#   no credentials, that is to anyone who can reach the API server. Reported at each
#   such subject of a RoleBinding or ClusterRoleBinding. Trivy's library spells the
#   second kind 'ClusterRolebinding', so Trivy only reports RoleBindings; regoscan
#   reports both kinds, in any letter case.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
# - https://avd.aquasec.com/misconfig/ksv122
# custom:
#   id: KSV122
#   aliases:
#   - KSV-0122
#   - AVD-KSV-0122
#   - no-anonymous-user-bind
#   - kubernetes-no-anonymous-user-bind
#   severity: CRITICAL
#   recommended_action: >-
#     Remove the 'system:anonymous' and 'system:unauthenticated' subjects from the
#     binding.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: RoleBinding
#       - kind: ClusterRoleBinding
package appshield.kubernetes.KSV122

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_anonymous := {"system:anonymous", "system:unauthenticated"}

deny contains res if {
	rbac.is_binding_kind
	hits := [hit |
		some subject in rbac.subjects
		who := subject.name
		who in _anonymous
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' grants its role to '",
			who,
			"', that is to unauthenticated requests",
		])
		hit := result.finding(msg, subject)
	]
	some res in hits
}
