# METADATA
# title: "'microdnf clean all' missing after 'microdnf install'"
# description: >-
#   'microdnf install' keeps package metadata and downloads in its cache. Unless
#   'microdnf clean all' runs in the same RUN instruction, the cache ends up in the
#   image layer and a later instruction cannot take it out.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#run
# - https://avd.aquasec.com/misconfig/ds027
# custom:
#   id: DS027
#   aliases:
#   - DS-0027
#   - AVD-DS-0027
#   - purge-microdnf-package-cache
#   - docker-purge-microdnf-package-cache
#   severity: HIGH
#   recommended_action: >-
#     End the RUN that installs packages with '&& microdnf clean all'.
#   input:
#     requires_any: [microdnf]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS027

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The microdnf subcommands that download packages into the cache.
_install_subcommands := {"install", "reinstall"}

# 'microdnf clean all' (options may sit between the words).
_is_clean(cmd) if {
	sh.invokes(cmd, {"microdnf"}, {"clean"})
	sh.has_word(cmd, "all")
}

# The last install of the RUN is followed by a clean later in the same RUN.
_cleaned(cmds, installs) if {
	cleans := [k | some k; cmd := cmds[k]; _is_clean(cmd)]
	count(cleans) > 0
	max(cleans) > max(installs)
}

# The indexes (in docker.run) of the RUNs that install with microdnf, from the file's
# package-manager calls (lib.sh.file_calls: regopy pays for every RUN object a check
# visits, so only these RUNs are looked at).
_installing_runs := {c[0] |
	some c in sh.file_calls
	c[2] == "microdnf"
	c[3] in _install_subcommands
}

# Those without a clean after their last install.
_found := [i |
	some i in _installing_runs
	installs := [c[1] | some c in sh.file_calls; c[0] == i; c[2] == "microdnf"; c[3] in _install_subcommands]
	not _cleaned(sh.run_commands(docker.run[i]), installs)
]

deny contains res if {
	docker.is_dockerfile
	some i in _found
	instr := docker.run[i]
	msg := "RUN installs packages with microdnf but does not run 'microdnf clean all' after it in the same RUN; the package cache stays in the layer"
	res := result.new(msg, instr)
}
