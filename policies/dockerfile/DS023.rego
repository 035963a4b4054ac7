# METADATA
# title: Several HEALTHCHECK instructions in one stage
# description: >-
#   Only the last HEALTHCHECK of a stage is used. Extra HEALTHCHECK instructions are
#   ignored, which makes it easy to believe a different probe (interval, command) is
#   active than the one the container actually runs.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#healthcheck
# - https://avd.aquasec.com/misconfig/ds023
# custom:
#   id: DS023
#   aliases:
#   - DS-0023
#   - AVD-DS-0023
#   - only-one-healthcheck
#   - docker-only-one-healthcheck
#   severity: MEDIUM
#   recommended_action: >-
#     Keep a single HEALTHCHECK per stage and delete the others.
#   input:
#     requires_any: [healthcheck]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS023

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

# The indexes of the stages with more than one HEALTHCHECK. (Counted in a comprehension: regopy
# iterates a collection of stage objects in a rule body several times slower.)
_repeated := [i |
	some i
	stage := docker.stages[i]
	count(docker.stage_instructions(stage, "healthcheck")) > 1
]

# One finding per stage, reported (as Trivy does) at the second HEALTHCHECK of the stage.
deny contains res if {
	docker.is_dockerfile
	some i in _repeated
	stage := docker.stages[i]
	found := docker.stage_instructions(stage, "healthcheck")
	msg := concat("", [
		"There are ", format_int(count(found), 10), " HEALTHCHECK instructions in ", _stage_label(stage),
		"; only the last one takes effect, so remove the others",
	])
	res := result.new(msg, found[1])
}
