# METADATA
# title: Attaching to running containers
# description: >-
#   'create' on 'pods/attach' together with 'get' on 'pods' lets a subject attach to
#   the console of a running container, read its output and type into it. Reported at a
#   rule that grants 'create' on 'pods/attach' in all API groups ('*') when a later
#   rule of the same Role or ClusterRole grants 'get' on 'pods' in all API groups (the
#   same order Trivy requires).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://avd.aquasec.com/misconfig/ksv054
# custom:
#   id: KSV054
#   aliases:
#   - KSV-0054
#   - AVD-KSV-0054
#   - no-attaching-shell-pods
#   - kubernetes-no-attaching-shell-pods
#   severity: HIGH
#   recommended_action: >-
#     Remove 'create' on 'pods/attach' from the role unless the subject has to attach
#     to containers.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV054

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_attach_rule(rule) if {
	rbac.rule_has(rule, "apiGroups", "*")
	rbac.rule_has(rule, "resources", "pods/attach")
	rbac.rule_has(rule, "verbs", "create")
}

_get_pods_rule(rule) if {
	rbac.rule_has(rule, "apiGroups", "*")
	rbac.rule_has(rule, "resources", "pods")
	rbac.rule_has(rule, "verbs", "get")
}

# Like Trivy, the 'get pods' rule has to come after the 'pods/attach' rule.
deny contains res if {
	rbac.is_role_kind
	rules := rbac.policy_rules
	some i, j
	rule := rules[i]
	later := rules[j]
	i < j
	_attach_rule(rule)
	_get_pods_rule(later)
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' can attach to running containers ('create' on 'pods/attach' with 'get' on 'pods')",
	])
	res := result.finding(msg, rule)
}
