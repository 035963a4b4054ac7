# METADATA
# title: COPY with several sources to a destination without a trailing slash
# description: >-
#   When COPY has more than one source, the destination must be a directory and must be
#   written with a trailing '/'; otherwise the build fails (or, with a wildcard that
#   matches a single file, silently copies to a file of that name).
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#copy
# - https://avd.aquasec.com/misconfig/ds011
# custom:
#   id: DS011
#   aliases:
#   - DS-0011
#   - AVD-DS-0011
#   - use-slash-for-copy-args
#   - docker-use-slash-for-copy-args
#   severity: CRITICAL
#   recommended_action: >-
#     End the COPY destination with '/' when copying more than one source.
#   input:
#     requires_any: [copy]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS011

import rego.v1

import data.lib.docker
import data.result

# "COPY file:<digest> in /dst" (reconstructed from an image history) is not a multi-source COPY.
_from_image_history(args) if {
	count(args) == 3
	args[1] == "in"
	some prefix in {"file:", "multi:"}
	startswith(args[0], prefix)
}

# [index in docker.copy, message] of each finding. (Found in a comprehension: regopy
# iterates instruction objects in a rule body several times slower.)
_found := [[i, msg] |
	some i
	instr := docker.copy[i]
	args := [a | some a in instr.Value; is_string(a); not startswith(a, "--")]
	count(args) > 2
	not _from_image_history(args)
	dest := args[count(args) - 1]
	not endswith(dest, "/")
	msg := concat("", ["COPY has ", format_int(count(args) - 1, 10), " sources, so its destination '", dest, "' must end with '/'"])
]

deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.copy[i]
	res := result.new(msg, instr)
}
