# METADATA
# title: Port 22 exposed
# description: >-
#   An EXPOSE instruction that lists port 22 advertises an SSH server inside the
#   container. Containers are reached with 'docker exec' / 'kubectl exec'; an SSH daemon
#   adds a long-lived credential and a network-facing login service to attack.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#expose
# - https://avd.aquasec.com/misconfig/ds004
# custom:
#   id: DS004
#   aliases:
#   - DS-0004
#   - AVD-DS-0004
#   - no-ssh-port
#   - docker-no-ssh-port
#   severity: MEDIUM
#   recommended_action: >-
#     Drop port 22 from EXPOSE and do not run an SSH server in the image; use
#     'docker exec' or 'kubectl exec' to get a shell.
#   input:
#     requires_any: [expose]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS004

import rego.v1

import data.lib.docker
import data.result

# The EXPOSE values that mean port 22 (the protocol suffix is optional).
_ssh_port_values := {"22", "22/tcp", "22/udp"}

# [index in docker.expose, message] of each finding. (Found in a comprehension: regopy
# iterates instruction objects in a rule body several times slower.)
_found := [[i, msg] |
	some i
	instr := docker.expose[i]
	some value in instr.Value
	is_string(value)
	lower_value := lower(value)
	lower_value in _ssh_port_values
	msg := "EXPOSE lists port 22 (SSH); do not run or advertise an SSH server in a container image"
]

deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.expose[i]
	res := result.new(msg, instr)
}
