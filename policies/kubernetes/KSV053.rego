# METADATA
# title: Running commands in pods
# description: >-
#   The 'pods/exec' subresource runs commands inside a running container: with it a
#   subject gets a shell with the container's privileges and its service account token,
#   a common path to cluster-admin. Reported for each rule of a Role or ClusterRole
#   that grants a verb that changes 'pods/exec' (create and the other write verbs).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv053
# custom:
#   id: KSV053
#   aliases:
#   - KSV-0053
#   - AVD-KSV-0053
#   - no-getting-shell-pods
#   - kubernetes-no-getting-shell-pods
#   severity: HIGH
#   recommended_action: >-
#     Remove the write verbs (create, update, patch, delete, deletecollection,
#     impersonate, '*') from rules on 'pods/exec'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV053

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"pods/exec"}

_verbs := {"create", "update", "patch", "delete", "deletecollection", "impersonate", "*"}

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
			", which allows running commands in containers",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
