# METADATA
# title: Same stage alias on several FROMs
# description: >-
#   Each 'FROM ... AS <name>' should declare a name no other stage uses. With a
#   duplicate, 'COPY --from=<name>' and '--target <name>' silently pick one of the
#   stages, which is rarely the one the author had in mind.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/multi-stage/
# - https://avd.aquasec.com/misconfig/ds012
# custom:
#   id: DS012
#   aliases:
#   - DS-0012
#   - AVD-DS-0012
#   - no-duplicate-alias
#   - docker-no-duplicate-alias
#   severity: CRITICAL
#   recommended_action: >-
#     Rename the stages so each alias is declared by exactly one FROM.
#   input:
#     requires_any: [AS, as, As, aS]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS012

import rego.v1

import data.lib.docker
import data.result

# [alias (lower case: stage names are case-insensitive), index in docker.from], in file
# order. (Indexes, not instructions: regopy iterates instruction objects in a rule body
# several times slower.)
_declared := [[lower(alias), k] |
	some k
	f := docker.from[k]
	alias := docker.from_alias(f)
	is_string(alias)
]

# Reported, as Trivy does, at every FROM whose alias is declared again by a later FROM.
deny contains res if {
	docker.is_dockerfile
	some i, j
	[alias, k] := _declared[i]
	[other, _] := _declared[j]
	i < j
	alias == other
	instr := docker.from[k]
	msg := concat("", ["Stage alias '", alias, "' is declared by more than one FROM; give each stage its own name"])
	res := result.new(msg, instr)
}
