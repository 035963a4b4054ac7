# METADATA
# title: "'zypper clean' missing after zypper installs"
# description: >-
#   zypper keeps downloaded packages and repository metadata in its cache. Unless
#   'zypper clean' (or 'zypper cc') runs in the same RUN instruction that installed,
#   removed or patched packages, the cache is stored in the image layer.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#run
# - https://avd.aquasec.com/misconfig/ds020
# custom:
#   id: DS020
#   aliases:
#   - DS-0020
#   - AVD-DS-0020
#   - purge-zipper-cache
#   - docker-purge-zipper-cache
#   severity: HIGH
#   recommended_action: >-
#     End the RUN that runs zypper with '&& zypper clean --all'.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS020

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The zypper subcommands that download packages into the cache.
_install_subcommands := {"install", "in", "remove", "rm", "source-install", "si", "patch"}

# 'zypper clean' (options may sit between the words).
_is_clean(cmd) if {
	sh.invokes(cmd, {"zypper"}, {"clean", "cc"})
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
	sh.mentions(instr, {"zypper"})
	cmds := sh.run_commands(instr)
	installs := sh.command_indexes(cmds, {"zypper"}, _install_subcommands)
	count(installs) > 0
	not _cleaned(cmds, installs)
	msg := "RUN installs, removes or patches packages with zypper but does not run 'zypper clean' after it in the same RUN; the package cache stays in the layer"
	res := result.new(msg, instr)
}
