# METADATA
# title: Reading or managing secrets cluster-wide
# description: >-
#   A ClusterRole that can read or change Secrets reaches the Secrets of every
#   namespace, including service-account tokens and credentials of highly privileged
#   workloads, so holding it is close to holding cluster-admin. Reported for each rule
#   of a ClusterRole that names the 'secrets' resource with any verb that reads or
#   changes it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv041
# custom:
#   id: KSV041
#   aliases:
#   - KSV-0041
#   - AVD-KSV-0041
#   - no-manage-secrets
#   - kubernetes-no-manage-secrets
#   severity: CRITICAL
#   recommended_action: >-
#     Remove 'secrets' from the ClusterRole's rules; grant access to specific Secrets
#     with a namespaced Role and 'resourceNames' instead.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: ClusterRole
package builtin.kubernetes.KSV041

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"secrets"}

_verbs := {
	"get",
	"list",
	"watch",
	"create",
	"update",
	"patch",
	"delete",
	"deletecollection",
	"impersonate",
	"*",
}

deny contains res if {
	rbac.is_cluster_role
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
			" in every namespace",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
