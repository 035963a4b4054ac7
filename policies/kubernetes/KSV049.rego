# METADATA
# title: Changing ConfigMaps
# description: >-
#   ConfigMaps often hold settings that change how workloads behave, and sometimes
#   credentials; whoever can change them can alter a workload's behaviour or combine it
#   with another weakness to take it over. Reported for each rule of a Role or
#   ClusterRole that grants a verb that changes 'configmaps'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv049
# custom:
#   id: KSV049
#   aliases:
#   - KSV-0049
#   - AVD-KSV-0049
#   - no-manage-configmaps
#   - kubernetes-no-manage-configmaps
#   severity: MEDIUM
#   recommended_action: >-
#     Remove the verbs that change 'configmaps' (create, update, patch, delete,
#     deletecollection, impersonate, '*') from the rule.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV049

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"configmaps"}

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
