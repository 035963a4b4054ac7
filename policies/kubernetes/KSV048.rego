# METADATA
# title: Creating or changing workloads
# description: >-
#   Whoever can create or change pods and the controllers that make them can run any
#   image with any service account of the namespace, mine cryptocurrency on the
#   cluster's nodes or, where admission control allows it, start a privileged pod that
#   escapes to the node. Reported for each rule of a Role or ClusterRole that grants a
#   verb other than get, list or watch on pods or workload controllers.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv048
# custom:
#   id: KSV048
#   aliases:
#   - KSV-0048
#   - AVD-KSV-0048
#   - deny-create-update-malicious-pod
#   - kubernetes-deny-create-update-malicious-pod
#   severity: MEDIUM
#   recommended_action: >-
#     Keep workload resources to the 'get', 'list' and 'watch' verbs unless the subject
#     really deploys workloads.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV048

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {
	"pods",
	"deployments",
	"jobs",
	"cronjobs",
	"statefulsets",
	"daemonsets",
	"replicasets",
	"replicationcontrollers",
}

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
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
