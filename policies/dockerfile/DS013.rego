# METADATA
# title: RUN cd used to change directory
# description: >-
#   A 'cd' inside RUN only lasts for that one instruction, so chains such as
#   'RUN cd /src && make' repeat the directory in every step and are easy to get wrong.
#   WORKDIR sets the directory once, for all the instructions that follow.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#workdir
# - https://avd.aquasec.com/misconfig/ds013
# custom:
#   id: DS013
#   aliases:
#   - DS-0013
#   - AVD-DS-0013
#   - use-workdir-over-cd
#   - docker-use-workdir-over-cd
#   severity: MEDIUM
#   recommended_action: >-
#     Set the directory with WORKDIR instead of 'cd' in RUN.
#   input:
#     requires_any: [cd]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS013

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The indexes (in docker.run) of the RUNs with a 'cd' command, from the file's programs
# (lib.sh.file_programs: regopy pays for every RUN object a check visits).
_runs_with_cd := {p[0] |
	some p in sh.file_programs
	p[2] == "cd"
}

# [index in docker.run, message] of each finding.
_found := [[i, msg] |
	some i in _runs_with_cd
	cds := [cmd | some cmd in sh.run_commands(docker.run[i]); sh.program(cmd) == "cd"]
	count(cds) > 0
	msg := concat("", ["RUN changes directory with '", concat(" ", cds[0]), "'; set the directory with WORKDIR instead"])
]

# One finding per RUN; the message quotes its first 'cd' command.
deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.run[i]
	res := result.new(msg, instr)
}
