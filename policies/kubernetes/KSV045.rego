# METADATA
# title: Wildcard verb on sensitive resources
# description: >-
#   The '*' verb grants every current and future action, including escalate, bind and
#   impersonate, on the resources it names. Reported for each rule of a Role or
#   ClusterRole that uses '*' as a verb on secrets, workloads (pods, deployments,
#   daemonsets, statefulsets, replicasets, replicationcontrollers, jobs, cronjobs),
#   RBAC objects (roles, clusterroles, rolebindings, clusterrolebindings), users or
#   groups.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv045
# custom:
#   id: KSV045
#   aliases:
#   - KSV-0045
#   - AVD-KSV-0045
#   - no-wildcard-verb-role
#   - kubernetes-no-wildcard-verb-role
#   severity: CRITICAL
#   recommended_action: >-
#     List the verbs the subject needs explicitly instead of '*' in rules on these
#     resources.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV045

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {
	"secrets",
	"pods",
	"deployments",
	"daemonsets",
	"statefulsets",
	"replicationcontrollers",
	"replicasets",
	"cronjobs",
	"jobs",
	"roles",
	"clusterroles",
	"rolebindings",
	"clusterrolebindings",
	"users",
	"groups",
}

_verbs := {"*"}

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
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
