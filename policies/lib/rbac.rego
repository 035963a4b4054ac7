# METADATA
# title: RBAC helpers for regoscan checks
# description: >-
#   Tests on the policy rules of a Role or ClusterRole (which resources, verbs and API
#   groups a rule grants) and on the subjects of a RoleBinding or ClusterRoleBinding,
#   plus small text helpers for messages. Every function takes one rule mapping (an
#   element of 'rules'), so a check can report the rule itself and its finding points
#   at the lines of that rule. Written for regopy (rego-cpp) and regorus alike.
# scope: package
# custom:
#   library: true
#   input:
#     selector:
#     - type: kubernetes
package lib.rbac

import rego.v1

# ---------------------------------------------------------------------------
# Document kinds
# ---------------------------------------------------------------------------

default kind := ""

kind := k if {
	k := input.kind
	is_string(k)
}

# Role or ClusterRole, spelled exactly so (Trivy's RBAC checks compare the kind as
# written, without changing its case).
default is_role_kind := false

is_role_kind if kind in {"Role", "ClusterRole"}

default is_role := false

is_role if kind == "Role"

default is_cluster_role := false

is_cluster_role if kind == "ClusterRole"

# RoleBinding or ClusterRoleBinding, in any letter case.
default is_binding_kind := false

is_binding_kind if lower(kind) in {"rolebinding", "clusterrolebinding"}

# ---------------------------------------------------------------------------
# Policy rules
# ---------------------------------------------------------------------------

# The rule mappings of the document, in document order. Each keeps its
# __defsec_metadata, so result.new(msg, rule) points at the rule's lines.
policy_rules := [r |
	rs := input.rules
	is_array(rs)
	some r in rs
	is_object(r)
]

# The string values of a rule's list field (apiGroups, resources, verbs, resourceNames);
# an empty set when the field is absent or not a list. (The field is looked up outside
# the comprehension: inside one, regopy ignores the value of a function parameter used
# as a key and iterates over every key.)
rule_values(rule, field) := vs if {
	list := rule[field]
	is_array(list)
	vs := {v |
		some v in list
		is_string(v)
	}
} else := set()

# true if the rule's list field contains value (exact string).
rule_has(rule, field, value) if {
	some v in rule_values(rule, field)
	v == value
}

# The values of the rule's list field that are in the set wanted.
rule_matches(rule, field, wanted) := {v |
	some v in rule_values(rule, field)
	v in wanted
}

# ---------------------------------------------------------------------------
# Binding subjects
# ---------------------------------------------------------------------------

# The subject mappings of a binding, in document order.
subjects := [s |
	ss := input.subjects
	is_array(ss)
	some s in ss
	is_object(s)
]

# ---------------------------------------------------------------------------
# Message text
# ---------------------------------------------------------------------------

# "'a', 'b', 'c'" from a set or array of strings, sorted (set order differs between
# engines). Built with concat only: no sprintf on derived strings.
quoted_list(xs) := concat(", ", [q |
	some x in sort(xs)
	q := concat("", ["'", x, "'"])
])
