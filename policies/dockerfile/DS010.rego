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
#     requires_any: [sudo]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS010

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The indexes (in docker.run) of the RUNs with a command run by sudo, from the file's
# programs (lib.sh.file_programs: regopy pays for every RUN object a check visits).
_found := {p[0] |
	some p in sh.file_programs
	p[2] == "sudo"
}

deny contains res if {
	docker.is_dockerfile
	some i in _found
	instr := docker.run[i]
	msg := "RUN calls 'sudo'; drop it and order the USER instructions so the step runs with the rights it needs"
	res := result.new(msg, instr)
}
