# METADATA
# title: Several ENTRYPOINT instructions in one stage
# description: >-
#   Only the last ENTRYPOINT of a stage is used; earlier ones are silently ignored.
#   Several of them usually mean a leftover from editing, and readers (and reviewers)
#   may believe the wrong one is in force.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#entrypoint
# - https://avd.aquasec.com/misconfig/ds007
# custom:
#   id: DS007
#   aliases:
#   - DS-0007
#   - AVD-DS-0007
#   - only-one-entrypoint
#   - docker-only-one-entrypoint
#   severity: CRITICAL
#   recommended_action: >-
#     Keep a single ENTRYPOINT per stage and delete the others.
#   input:
#     requires_any: [entrypoint]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS007

import rego.v1

import data.lib.docker
import data.result

# How a stage is named in messages: its alias, else its base image.
_stage_label(stage) := concat("", ["stage '", alias, "'"]) if {
	alias := docker.from_alias(docker.stage_from(stage))
	is_string(alias)
} else := concat("", ["the stage FROM '", image, "'"]) if {
	image := docker.from_image(docker.stage_from(stage))
	is_string(image)
} else := "the instructions before the first FROM"

# The indexes of the stages with more than one ENTRYPOINT. (Counted in a comprehension: regopy
# iterates a collection of stage objects in a rule body several times slower.)
_repeated := [i |
	some i
	stage := docker.stages[i]
	count(docker.stage_instructions(stage, "entrypoint")) > 1
]

# One finding per stage, reported (as Trivy does) at the second ENTRYPOINT of the stage.
deny contains res if {
	docker.is_dockerfile
	some i in _repeated
	stage := docker.stages[i]
	found := docker.stage_instructions(stage, "entrypoint")
	msg := concat("", [
		"There are ", format_int(count(found), 10), " ENTRYPOINT instructions in ", _stage_label(stage),
		"; only the last one takes effect, so remove the others",
	])
	res := result.new(msg, found[1])
}
