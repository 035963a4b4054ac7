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
#     requires_any: [zypper]
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

# The indexes (in docker.run) of the RUNs that install with zypper, from the file's
# package-manager calls (lib.sh.file_calls: regopy pays for every RUN object a check
# visits, so only these RUNs are looked at).
_installing_runs := {c[0] |
	some c in sh.file_calls
	c[2] == "zypper"
	c[3] in _install_subcommands
}

# Those without a clean after their last install.
_found := [i |
	some i in _installing_runs
	installs := [c[1] | some c in sh.file_calls; c[0] == i; c[2] == "zypper"; c[3] in _install_subcommands]
	not _cleaned(sh.run_commands(docker.run[i]), installs)
]

deny contains res if {
	docker.is_dockerfile
	some i in _found
	instr := docker.run[i]
	msg := "RUN installs, removes or patches packages with zypper but does not run 'zypper clean' after it in the same RUN; the package cache stays in the layer"
	res := result.new(msg, instr)
}
