# METADATA
# title: Access to the node proxy
# description: >-
#   The 'nodes/proxy' subresource forwards requests to the kubelet API of a node, which
#   can run commands in any pod on that node and bypasses audit logging and admission
#   control. Reported for each rule of a Role or ClusterRole that grants 'get' or
#   'create' on 'nodes/proxy'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv047
# custom:
#   id: KSV047
#   aliases:
#   - KSV-0047
#   - AVD-KSV-0047
#   - no-privilege-escalation-from-node-proxy
#   - kubernetes-no-privilege-escalation-from-node-proxy
#   severity: HIGH
#   recommended_action: >-
#     Remove 'nodes/proxy' from the rule, or at least its 'get' and 'create' verbs.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV047

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"nodes/proxy"}

_verbs := {"get", "create"}

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
			", which reaches the kubelet API of the nodes",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
