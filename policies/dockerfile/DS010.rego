# METADATA
# title: RUN uses sudo
# description: >-
#   Build steps already run as the current USER, and switching user is what the USER
#   instruction is for. sudo in a RUN needs sudo installed and configured in the image,
#   behaves differently with and without a TTY, and leaves a privilege-escalation tool
#   behind for whoever runs the container.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#user
# - https://avd.aquasec.com/misconfig/ds010
# custom:
#   id: DS010
#   aliases:
#   - DS-0010
#   - AVD-DS-0010
#   - no-sudo-run
#   - docker-no-sudo-run
#   severity: CRITICAL
#   recommended_action: >-
#     Remove sudo: run the step before switching to the unprivileged USER (or switch
#     with 'USER root' around it).
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS010

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# [index in docker.run, message] of each finding. (Found in a comprehension: regopy
# iterates instruction objects in a rule body several times slower.)
_found := [[i, msg] |
	some i
	instr := docker.run[i]
	sh.mentions(instr, {"sudo"})
	some cmd in sh.run_commands(instr)
	sh.program(cmd) == "sudo"
	msg := "RUN calls 'sudo'; drop it and order the USER instructions so the step runs with the rights it needs"
]

deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.run[i]
	res := result.new(msg, instr)
}
