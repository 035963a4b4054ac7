# METADATA
# title: Role bound to all authenticated users
# description: >-
#   The group 'system:authenticated' holds every user with valid credentials. On Google
#   Kubernetes Engine that includes any Google account, from any organisation, so a
#   binding to it opens the role to the whole internet. Reported at each
#   'system:authenticated' subject of a RoleBinding or ClusterRoleBinding. Trivy
#   reports it only when the cluster version it was given (data.k8s.version) names GKE
#   ('-gke'), so it never does for files; regoscan reports it when data.k8s.version
#   contains '-gke' and also when no cluster version is given (a manifest may end up on
#   GKE), and stays silent when a non-GKE version is given with --data. Trivy's library
#   spells the second kind 'ClusterRolebinding', so Trivy only reports RoleBindings;
#   regoscan reports both kinds, in any letter case.
# scope: package
# related_resources:
# - https://cloud.google.com/kubernetes-engine/docs/best-practices/rbac#default-users-groups
# - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects
# - https://avd.aquasec.com/misconfig/ksv01011
# custom:
#   id: KSV01011
#   aliases:
#   - KSV-01011
#   - AVD-KSV-01011
#   - no-system-authenticated-group-bind
#   - kubernetes-no-system-authenticated-group-bind
#   severity: CRITICAL
#   recommended_action: >-
#     Remove the 'system:authenticated' subject from the binding and bind the specific
#     users, groups or service accounts that need the role.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: RoleBinding
#       - kind: ClusterRoleBinding
package appshield.kubernetes.KSV01011

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

# The cluster version is optional data (regoscan scan --data ...: {"k8s": {"version": ...}}).
_version_given if is_string(data.k8s.version)

_may_run_on_gke if not _version_given

_may_run_on_gke if contains(data.k8s.version, "-gke")

deny contains res if {
	rbac.is_binding_kind
	_may_run_on_gke
	hits := [hit |
		some subject in rbac.subjects
		subject.name == "system:authenticated"
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' grants its role to every authenticated user ('system:authenticated')",
		])
		hit := result.finding(msg, subject)
	]
	some res in hits
}
