# METADATA
# title: "'apt-get install' without '-y'"
# description: >-
#   A Docker build has no one to answer apt-get's 'Do you want to continue?' prompt.
#   Without '-y' (or '--yes' / '--assume-yes') 'apt-get install' aborts as soon as it
#   needs a confirmation, so the build breaks, or works only by accident.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#apt-get
# - https://avd.aquasec.com/misconfig/ds021
# custom:
#   id: DS021
#   aliases:
#   - DS-0021
#   - AVD-DS-0021
#   - use-apt-auto-confirm
#   - docker-use-apt-auto-confirm
#   severity: HIGH
#   recommended_action: >-
#     Pass '-y' to every 'apt-get install', e.g. 'apt-get install -y --no-install-recommends curl'.
#   input:
#     requires_any: [apt-get]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS021

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# -y alone or in a group of short options (-qy), or its long forms.
_has_option(cmd) if sh.has_short_flag(cmd, "y")

_has_option(cmd) if sh.has_word(cmd, "--yes")

_has_option(cmd) if sh.has_word(cmd, "--assume-yes")

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
	msg := "RUN has an 'apt-get install' without '-y'; the build cannot answer its confirmation prompt"
]

# One finding per RUN that has an 'apt-get install' (options anywhere in the command)
# without the option.
deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.run[i]
	res := result.new(msg, instr)
}
