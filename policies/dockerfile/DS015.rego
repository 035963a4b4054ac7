# METADATA
# title: "'yum clean all' missing after 'yum install'"
# description: >-
#   'yum install' leaves downloaded packages and repository metadata in /var/cache/yum.
#   Unless 'yum clean all' runs in the same RUN instruction, that cache is baked into
#   the image layer: a bigger image for nothing (a later RUN cannot shrink the layer).
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#run
# - https://avd.aquasec.com/misconfig/ds015
# custom:
#   id: DS015
#   aliases:
#   - DS-0015
#   - AVD-DS-0015
#   - purge-yum-package-cache
#   - docker-purge-yum-package-cache
#   severity: HIGH
#   recommended_action: >-
#     End the RUN that installs packages with '&& yum clean all'.
#   input:
#     requires_any: [yum]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS015

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The yum subcommands that download packages into the cache.
_install_subcommands := {"install"}

# 'yum clean all' (options may sit between the words).
_is_clean(cmd) if {
	sh.invokes(cmd, {"yum"}, {"clean"})
	sh.has_word(cmd, "all")
}

# The last install of the RUN is followed by a clean later in the same RUN.
_cleaned(cmds, installs) if {
	cleans := [k | some k; cmd := cmds[k]; _is_clean(cmd)]
	count(cleans) > 0
	max(cleans) > max(installs)
}

# The indexes (in docker.run) of the RUNs that install with yum, from the file's
# package-manager calls (lib.sh.file_calls: regopy pays for every RUN object a check
# visits, so only these RUNs are looked at).
_installing_runs := {c[0] |
	some c in sh.file_calls
	c[2] == "yum"
	c[3] in _install_subcommands
}

# Those without a clean after their last install.
_found := [i |
	some i in _installing_runs
	installs := [c[1] | some c in sh.file_calls; c[0] == i; c[2] == "yum"; c[3] in _install_subcommands]
	not _cleaned(sh.run_commands(docker.run[i]), installs)
]

deny contains res if {
	docker.is_dockerfile
	some i in _found
	instr := docker.run[i]
	msg := "RUN installs packages with yum but does not run 'yum clean all' after it in the same RUN; the package cache stays in the layer"
	res := result.new(msg, instr)
}
