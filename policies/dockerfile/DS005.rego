# METADATA
# title: ADD used where COPY would do
# description: >-
#   ADD does more than copy: it downloads URLs, clones git repositories and unpacks
#   local tar archives. When none of that is wanted, COPY says what happens and cannot
#   silently unpack an archive (with the path-traversal and decompression risks that
#   brings) into the image.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#add
# - https://docs.docker.com/build/building/best-practices/#add-or-copy
# - https://avd.aquasec.com/misconfig/ds005
# custom:
#   id: DS005
#   aliases:
#   - DS-0005
#   - AVD-DS-0005
#   - use-copy-over-add
#   - docker-use-copy-over-add
#   severity: LOW
#   recommended_action: >-
#     Replace ADD with COPY; keep ADD only to fetch a URL or git repository or to unpack
#     a local tar archive.
#   input:
#     requires_any: [add]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS005

import rego.v1

import data.lib.docker
import data.result

# Text in the arguments that shows ADD's extra features are in use: a tar archive, a
# URL, a git remote.
_add_feature_markers := {".tar", "http://", "https://", "git@"}

_uses_add_feature(args) if {
	some marker in _add_feature_markers
	contains(args, marker)
}

# Instructions reconstructed from an image history ("ADD file:<digest> in /",
# "ADD multi:<digest> /dst"): there is no source file to COPY from.
_history_prefixes := {"file:", "multi:", "dir:"}

_from_image_history(values) if {
	count(values) == 3
	values[1] == "in"
	some prefix in _history_prefixes
	startswith(values[0], prefix)
}

_from_image_history(values) if {
	count(values) == 2
	some prefix in _history_prefixes
	startswith(values[0], prefix)
}

deny contains res if {
	docker.is_dockerfile
	some instr in docker.add
	values := [v | some v in instr.Value; is_string(v)]
	count(values) > 0
	args := concat(" ", values)
	not _uses_add_feature(args)
	not _from_image_history(values)
	msg := concat("", ["'ADD ", args, "' only copies local files; write it as 'COPY ", args, "'"])
	res := result.new(msg, instr)
}
