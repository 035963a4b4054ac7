# METADATA
# title: Dockerfile helpers for regoscan checks
# description: >-
#   Instruction lists (in file order), per-stage helpers, FROM parsing and ARG
#   expansion over Trivy's Dockerfile input shape
#   {"Stages": [{"Name", "Commands": [{"Cmd", "SubCmd", "Flags", "Value", "Original",
#   "JSON", "Stage", "Path", "StartLine", "EndLine"}]}]}. Instructions written before
#   the first FROM (global ARGs) form a stage of their own with Name "" and no FROM.
#   Everything is an array in file order: regopy iterates sets in insertion order, OPA
#   in sorted order, so nothing here depends on set order.
# scope: package
# custom:
#   library: true
#   input:
#     selector:
#     - type: dockerfile
package lib.docker

import rego.v1

import data.result

# ---------------------------------------------------------------------------
# Stages and instructions
# ---------------------------------------------------------------------------

# true when the input has Trivy's Dockerfile shape (use it as the cheap guard).
default is_dockerfile := false

is_dockerfile if is_array(input.Stages)

default stages := []

stages := s if {
	s := input.Stages
	is_array(s)
}

# Every instruction of the file, in file order.
all_instructions := [c |
	some stage in stages
	some c in stage.Commands
]

# The instructions whose Cmd (lower case, e.g. "from", "run", "user") is typ, in file order.
# (Straight over the stages: going through all_instructions costs regopy twice as much.)
instructions(typ) := [c |
	some stage in stages
	some c in stage.Commands
	c.Cmd == typ
]

from := instructions("from")

arg := instructions("arg")

env := instructions("env")

run := instructions("run")

cmd := instructions("cmd")

entrypoint := instructions("entrypoint")

copy := instructions("copy")

add := instructions("add")

user := instructions("user")

workdir := instructions("workdir")

expose := instructions("expose")

healthcheck := instructions("healthcheck")

label := instructions("label")

shell := instructions("shell")

onbuild := instructions("onbuild")

maintainer := instructions("maintainer")

# The instructions of one stage whose Cmd is typ, in order.
stage_instructions(stage, typ) := [c |
	some c in stage.Commands
	c.Cmd == typ
]

# The FROM instruction of a stage (undefined for the global-ARG pseudo stage).
stage_from(stage) := fs[0] if {
	fs := stage_instructions(stage, "from")
	count(fs) > 0
}

# The build stages: the stages that start with FROM, in order (the global-ARG
# pseudo stage is left out). build_stages[n] is the stage whose instructions carry
# "Stage": n.
build_stages := [s |
	some s in stages
	_ = stage_from(s)
]

# The final build stage (the image the Dockerfile produces), undefined if there is no FROM.
final_stage := build_stages[count(build_stages) - 1]

# The FROM instruction of the final build stage: the file's last FROM, since every build
# stage starts with its one FROM (cheaper than going through final_stage).
# (The parser starts every stage with its FROM, so the last stage's first instruction is
# it: one lookup instead of collecting every FROM, ~0.04 ms per Dockerfile on regopy.)
final_from := f if {
	f := stages[count(stages) - 1].Commands[0]
	f.Cmd == "from"
} else := fs[count(fs) - 1] if {
	fs := from
	count(fs) > 0
}

# The last instruction of the file whose Cmd is typ.
last_instruction(typ) := xs[count(xs) - 1] if {
	xs := instructions(typ)
	count(xs) > 0
}

# ---------------------------------------------------------------------------
# FROM
# ---------------------------------------------------------------------------

# The image reference of a FROM instruction as written (may contain $VARS).
from_image(instr) := instr.Value[0]

# The stage alias a FROM instruction declares ("FROM img AS name"), undefined if none.
from_alias(instr) := alias if {
	some i, v in instr.Value
	is_string(v)
	lower(v) == "as"
	alias := instr.Value[i + 1]
}

# Every alias declared by a FROM instruction of the file, in order.
aliases := [a |
	some f in from
	a := from_alias(f)
]

# true if name is the alias of some stage.
is_alias(name) if {
	some a in aliases
	a == name
}

# Split an image reference into [name, tag]. No tag gives "latest"; a registry port
# ("registry:5000/app") is not a tag; a digest reference ("app@sha256:...") gives the
# part after the last ':' (the digest hex), never "latest".
split_image(ref) := [n, t] if {
	parts := split(ref, ":")
	count(parts) > 1
	t := parts[count(parts) - 1]
	not contains(t, "/")
	n := substring(ref, 0, (count(ref) - count(t)) - 1)
} else := [ref, "latest"]

# ---------------------------------------------------------------------------
# ARG and variable expansion
# ---------------------------------------------------------------------------

# [name, default, has_default] of one ARG word: "NAME=value" (quotes trimmed) or "NAME".
parse_arg(word) := [trim_space(substring(word, 0, i)), trim(trim_space(substring(word, i + 1, (count(word) - i) - 1)), "\"'"), true] if {
	i := indexof(word, "=")
	i > 0
} else := [trim_space(word), "", false]

# The ARG declarations of one stage, in order (one entry per NAME[=value] word).
stage_arg_decls(stage) := [d |
	some c in stage_instructions(stage, "arg")
	some word in c.Value
	is_string(word)
	d := parse_arg(word)
]

# {name: default} of the ARG instructions of one stage. A name declared more than once
# takes the last default given ("" if none): never two values for one key.
stage_args(stage) := {name: _arg_default(decls, name) |
	decls := stage_arg_decls(stage)
	some d in decls
	name := d[0]
}

_arg_default(decls, name) := v if {
	vals := [d[1] | some d in decls; d[0] == name; d[2] == true]
	count(vals) > 0
	v := vals[count(vals) - 1]
} else := ""

# The variables a FROM in Stages[i] can use, as Trivy resolves them: the ARGs of the
# first stage (the global ARGs, before the first FROM) plus, for i > 0, the ARGs of
# stage i itself. Flat string map, so object.union is safe in every engine.
stage_vars(i) := object.union(stage_args(stages[0]), stage_args(stages[i])) if {
	i != 0
} else := stage_args(stages[0])

_var_pattern := `\$\{[^}]+\}|\$[a-zA-Z_][a-zA-Z0-9_]*`

# The variable references ("$NAME", "${NAME}") in s, in order.
var_refs(s) := regex.find_n(_var_pattern, s, -1)

# The variable name of one reference.
var_name(ref) := substring(ref, 2, count(ref) - 3) if {
	startswith(ref, "${")
} else := substring(ref, 1, count(ref) - 1)

# s with every $NAME / ${NAME} replaced by its value in vars ("" when unknown).
# Built from the literal pieces between references, so the result does not depend on
# how an engine orders overlapping replacements.
expand(s, vars) := s if {
	count(var_refs(s)) == 0
} else := concat("", pieces) if {
	refs := var_refs(s)
	literals := regex.split(_var_pattern, s)
	# (some i; x := xs[i] rather than some i, x in xs: regopy cannot parse the latter
	# inside an array or set comprehension)
	pieces := [p |
		some i
		lit := literals[i]
		p := concat("", [lit, _ref_value(refs, i, vars)])
	]
}

_ref_value(refs, i, vars) := v if {
	i < count(refs)
	ref := refs[i]
	v := object.get(vars, var_name(ref), "")
} else := ""

# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------

# result.finding(msg, instr) for an instruction as the parser gives it (numeric
# StartLine/EndLine, none of the keys result.new reads first): result.new's message and
# lines, built directly (its lookups cost regopy ~0.1 ms per finding). Anything else goes
# to result.finding.
finding(msg, instr) := {"msg": msg, "startline": s, "endline": e} if {
	s := instr.StartLine
	e := instr.EndLine
	is_number(s)
	is_number(e)
	not _has_result_keys(instr)
} else := result.finding(msg, instr)

_has_result_keys(instr) if _ = instr.__defsec_metadata

_has_result_keys(instr) if _ = instr.startline

_has_result_keys(instr) if _ = instr.endline

_has_result_keys(instr) if _ = instr.filepath

_has_result_keys(instr) if _ = instr.resource
