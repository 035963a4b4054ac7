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

# The first body is a shortcut taken by every node regoscan's YAML loader made: its metadata
# holds exactly startline, endline (numbers) and filepath, so the general body's object.get
# chains would return these three and "resource": "". Same value, about half the cost per
# finding on regopy (tests/test_result_helper.py keeps the two bodies equal).
new(msg, cause) := r if {
	m := cause.__defsec_metadata
	count(m) == 3
	is_number(m.startline)
	is_number(m.endline)
	r := {"msg": msg, "startline": m.startline, "endline": m.endline, "filepath": m.filepath, "resource": ""}
} else := {
	"msg": msg,
	"startline": _num(m, "startline", "StartLine"),
	"endline": _num(m, "endline", "EndLine"),
	"filepath": object.get(m, "filepath", object.get(m, "Path", "")),
	"resource": object.get(m, "resource", ""),
} if {
	m := _meta(cause)
}

# What regoscan's own checks call: new()'s message and lines in an object of those three
# keys. regoscan reads nothing else of a finding (its file is the document's), and a
# smaller object costs regopy less to build, to keep in a deny set and to read back: about
# 0.1 ms per finding (KSV001 on the corpus's workloads: 50 -> 33 ms). A cause without the
# loader's numeric line metadata gets new()'s value (tests/test_result_helper.py).
finding(msg, cause) := {"msg": msg, "startline": m.startline, "endline": m.endline} if {
	m := cause.__defsec_metadata
	is_number(m.startline)
	is_number(m.endline)
} else := new(msg, cause)
