# METADATA
# title: Managing every resource cluster-wide
# description: >-
#   A ClusterRole rule with resources '*' applies to every resource type in every
#   namespace (Secrets, Pods, RBAC objects...), which amounts to control of the cluster
#   and of every node that runs its workloads. Reported for each rule of a ClusterRole
#   that names the '*' resource with a verb that reads or changes it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv046
# custom:
#   id: KSV046
#   aliases:
#   - KSV-0046
#   - AVD-KSV-0046
#   - no-wildcard-resource-clusterrole
#   - kubernetes-no-wildcard-resource-clusterrole
#   severity: CRITICAL
#   recommended_action: >-
#     Replace '*' in the rule's 'resources' with the specific resources the ClusterRole
#     has to manage.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: ClusterRole
package builtin.kubernetes.KSV046

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"*"}

_verbs := {
	"create",
	"update",
	"delete",
	"deletecollection",
	"impersonate",
	"*",
	"list",
	"get",
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
			" across the cluster",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
