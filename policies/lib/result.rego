# METADATA
# title: Trivy-compatible result helper
# description: >-
#   Stand-in for Trivy's Go built-in result.new(msg, cause). A check may return
#   result.new(msg, node) and the finding will point at the node's lines: a Kubernetes
#   mapping carries __defsec_metadata, a Dockerfile instruction carries StartLine/EndLine.
#   rego-cpp resolves the unqualified call result.new(...) to data.result.new, so
#   existing Trivy checks work without an import.
# scope: package
# custom:
#   library: true
package result

import rego.v1

_meta(cause) := m if {
	is_object(cause)
	m := object.get(cause, "__defsec_metadata", cause)
	is_object(m)
} else := {}

_num(m, lower, upper) := n if {
	n := object.get(m, lower, object.get(m, upper, 0))
	is_number(n)
} else := 0

new(msg, cause) := {
	"msg": msg,
	"startline": _num(m, "startline", "StartLine"),
	"endline": _num(m, "endline", "EndLine"),
	"filepath": object.get(m, "filepath", object.get(m, "Path", "")),
	"resource": object.get(m, "resource", ""),
} if {
	m := _meta(cause)
}
