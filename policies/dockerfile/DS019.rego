# METADATA
# title: "'dnf clean all' missing after 'dnf install'"
# description: >-
#   'dnf install' keeps downloaded packages and repository metadata in /var/cache/dnf.
#   Unless 'dnf clean all' runs in the same RUN instruction, that cache is stored in the
#   image layer and cannot be removed by a later instruction.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#run
# - https://avd.aquasec.com/misconfig/ds019
# custom:
#   id: DS019
#   aliases:
#   - DS-0019
#   - AVD-DS-0019
#   - purge-dnf-package-cache
#   - docker-purge-dnf-package-cache
#   severity: HIGH
#   recommended_action: >-
#     End the RUN that installs packages with '&& dnf clean all'.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS019

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The dnf subcommands that download packages into the cache.
_install_subcommands := {"install", "in", "reinstall", "rei", "install-n", "install-na", "install-nevra"}

# 'dnf clean all' (options may sit between the words).
_is_clean(cmd) if {
	sh.invokes(cmd, {"dnf"}, {"clean"})
	sh.has_word(cmd, "all")
}

# The last install of the RUN is followed by a clean later in the same RUN.
_cleaned(cmds, installs) if {
	cleans := [k | some k; cmd := cmds[k]; _is_clean(cmd)]
	count(cleans) > 0
	max(cleans) > max(installs)
}

deny contains res if {
	docker.is_dockerfile
	some instr in docker.run
	sh.mentions(instr, {"dnf"})
	cmds := sh.run_commands(instr)
	installs := sh.command_indexes(cmds, {"dnf"}, _install_subcommands)
	count(installs) > 0
	not _cleaned(cmds, installs)
	msg := "RUN installs packages with dnf but does not run 'dnf clean all' after it in the same RUN; the package cache stays in the layer"
	res := result.new(msg, instr)
}
