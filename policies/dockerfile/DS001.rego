# METADATA
# title: Base image resolves to ':latest'
# description: >-
#   A FROM image with no tag, or with the tag 'latest', is whatever the registry
#   serves on the day of the build: builds stop being reproducible and an upstream
#   change can slip into the image unnoticed. Pin a version tag (or a digest).
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#from
# - https://docs.docker.com/build/building/best-practices/#from
# - https://avd.aquasec.com/misconfig/ds001
# custom:
#   id: DS001
#   aliases:
#   - DS-0001
#   - AVD-DS-0001
#   - use-specific-tags
#   - docker-use-specific-tags
#   severity: MEDIUM
#   recommended_action: >-
#     Give every FROM image an explicit version tag (e.g. 'alpine:3.20') or a digest.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS001

import rego.v1

import data.lib.docker

# The image reference of a FROM, with $VAR / ${VAR} replaced from the ARGs visible to
# it (lib.docker.stage_vars: the global ARGs plus those of the same stage, unknown
# variables expand to ""). Not reported: 'scratch', an empty result, a reference to
# another stage's alias, and a reference whose last part is still a variable after
# expansion.
_resolved(instr, i) := raw if {
	raw := docker.from_image(instr)
	is_string(raw)
	not contains(raw, "$") # no variable: nothing to expand (the stage's ARGs are not read)
} else := ref if {
	raw := docker.from_image(instr)
	is_string(raw)
	ref := docker.expand(raw, docker.stage_vars(i))
	not _ends_with_var(ref)
}

_ends_with_var(s) if {
	some r in docker.var_refs(s)
	endswith(s, r)
}

# [stage index, instruction index, image] of each FROM that resolves to ':latest'. (Found
# in a comprehension: regopy iterates stage and instruction objects in a rule body
# several times slower.)
_latest := [[i, j, img] |
	some i, j
	instr := docker.stages[i].Commands[j]
	instr.Cmd == "from"
	ref := _resolved(instr, i)
	parts := docker.split_image(ref)
	parts[1] == "latest"
	img := parts[0]
	img != ""
	img != "scratch"
	not docker.is_alias(img)
]

deny contains res if {
	docker.is_dockerfile
	some finding in _latest
	instr := docker.stages[finding[0]].Commands[finding[1]]
	img := finding[2]
	# concat, not sprintf: img may come from concat (variable expansion), and regopy's
	# sprintf then wraps it in double quotes.
	msg := concat("", ["Image '", img, "' in FROM resolves to the ':latest' tag; pin a specific version tag or digest"])
	res := docker.finding(msg, instr)
}
