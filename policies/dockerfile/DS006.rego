# METADATA
# title: COPY --from names the stage it is in
# description: >-
#   'COPY --from=<stage>' copies from another build stage. Naming the stage the
#   instruction itself belongs to cannot work: the stage is still being built, so the
#   build fails (or, with a same-named image, copies from something else entirely).
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/multi-stage/
# - https://avd.aquasec.com/misconfig/ds006
# custom:
#   id: DS006
#   aliases:
#   - DS-0006
#   - AVD-DS-0006
#   - no-self-referencing-copy-from
#   - docker-no-self-referencing-copy-from
#   severity: CRITICAL
#   recommended_action: >-
#     Point '--from' at an earlier stage (or an image), not at the stage that contains
#     the COPY.
#   input:
#     requires_any: [AS, as, As, aS]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS006

import rego.v1

import data.lib.docker
import data.result

# {stage index: alias in lower case (stage names are case-insensitive)} of the stages that
# declare one (the global-ARG pseudo stage has no FROM, so no alias).
_aliases := {s: lower(alias) |
	some s
	stage := docker.stages[s]
	alias := docker.from_alias(docker.stage_from(stage))
	is_string(alias)
}

# [stage index, instruction index, source] of each COPY --from naming its own stage. (Found
# in a comprehension: regopy iterates stage and instruction objects in a rule body several
# times slower; the aliases looked up, not derived again for each COPY.)
_found := [[s, j, source] |
	some s, j
	instr := docker.stages[s].Commands[j]
	instr.Cmd == "copy"
	some flag in instr.Flags
	startswith(flag, "--from=")
	source := trim_prefix(flag, "--from=")
	lower(source) == _aliases[s]
]

deny contains res if {
	docker.is_dockerfile
	some found in _found
	stage := docker.stages[found[0]]
	instr := stage.Commands[found[1]]
	source := found[2]
	alias := docker.from_alias(docker.stage_from(stage))
	msg := concat("", ["COPY --from=", source, " refers to stage '", alias, "', the stage this COPY is part of; a stage cannot copy from itself"])
	res := result.new(msg, instr)
}
