# METADATA
# title: Several CMD instructions in one stage
# description: >-
#   Only the last CMD of a stage becomes the image's default command; the earlier ones
#   do nothing. Several CMD instructions are usually a mistake and hide which command
#   the container really starts with.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#cmd
# - https://avd.aquasec.com/misconfig/ds016
# custom:
#   id: DS016
#   aliases:
#   - DS-0016
#   - AVD-DS-0016
#   - only-one-cmd
#   - docker-only-one-cmd
#   severity: HIGH
#   recommended_action: >-
#     Keep a single CMD per stage and delete the others.
#   input:
#     requires_any: [cmd]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS016

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

# The indexes of the stages with more than one CMD. (Counted in a comprehension: regopy
# iterates a collection of stage objects in a rule body several times slower.)
_repeated := [i |
	some i
	stage := docker.stages[i]
	count(docker.stage_instructions(stage, "cmd")) > 1
]

# One finding per stage, reported (as Trivy does) at the second CMD of the stage.
deny contains res if {
	docker.is_dockerfile
	some i in _repeated
	stage := docker.stages[i]
	found := docker.stage_instructions(stage, "cmd")
	msg := concat("", [
		"There are ", format_int(count(found), 10), " CMD instructions in ", _stage_label(stage),
		"; only the last one takes effect, so remove the others",
	])
	res := result.new(msg, found[1])
}
