# METADATA
# title: "'apt-get install' without '--no-install-recommends'"
# description: >-
#   By default apt-get also installs every package the requested ones merely recommend.
#   They are rarely needed in a container, make the image bigger and bring more
#   software (and vulnerabilities) into it. '--no-install-recommends' installs only what
#   was asked for and its real dependencies.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#apt-get
# - https://avd.aquasec.com/misconfig/ds029
# custom:
#   id: DS029
#   aliases:
#   - DS-0029
#   - AVD-DS-0029
#   - use-apt-no-install-recommends
#   - docker-use-apt-no-install-recommends
#   severity: HIGH
#   recommended_action: >-
#     Add '--no-install-recommends' to every 'apt-get install'.
#   input:
#     requires_any: [apt-get]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS029

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

_has_option(cmd) if sh.has_word(cmd, "--no-install-recommends")

# [index in docker.run, message] of each finding, from the file's package-manager calls
# (lib.sh.file_calls: regopy pays for every RUN object a check visits, so only the RUNs
# with an 'apt-get install' are looked at).
_found := [[i, msg] |
	some call in sh.file_calls
	call[2] == "apt-get"
	call[3] == "install"
	i := call[0]
	cmd := sh.run_commands(docker.run[i])[call[1]]
	not _has_option(cmd)
	msg := "RUN has an 'apt-get install' without '--no-install-recommends'; recommended packages are installed too"
]

# One finding per RUN that has an 'apt-get install' (options anywhere in the command)
# without the option.
deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.run[i]
	res := result.new(msg, instr)
}
