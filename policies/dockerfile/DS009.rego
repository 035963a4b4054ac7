# METADATA
# title: WORKDIR path not absolute
# description: >-
#   A relative WORKDIR is resolved against whatever the previous WORKDIR was, possibly
#   one set by the base image. The resulting directory then depends on instructions
#   elsewhere (or on a base image update); an absolute path always means the same place.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#workdir
# - https://docs.docker.com/build/building/best-practices/#workdir
# - https://avd.aquasec.com/misconfig/ds009
# custom:
#   id: DS009
#   aliases:
#   - DS-0009
#   - AVD-DS-0009
#   - user-absolute-workdir
#   - docker-user-absolute-workdir
#   severity: HIGH
#   recommended_action: >-
#     Give WORKDIR an absolute path, e.g. 'WORKDIR /app'.
#   input:
#     requires_any: [workdir]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS009

import rego.v1

import data.lib.docker
import data.result

# The patterns allow an optional leading quote, written so that they also match
# regopy's escaped form of a double quote (\").

# "/app", '"/app"'
_absolute(path) if regex.match(`^(?:\\?"|')?/`, path)

# Windows images: "C:\app", "C:/app"
_absolute(path) if regex.match(`^(?:\\?"|')?[A-Za-z]:[\\/]`, path)

# A path built from a variable ($HOME/app, ${DIR}) cannot be judged here.
_absolute(path) if contains(path, "$")

# [index in docker.workdir, path] of each relative WORKDIR (in a comprehension: regopy
# iterates instruction objects in a rule body several times slower). A path starting
# with '/' is absolute without the patterns (regopy evaluates regexes slowly).
_relative := [[i, path] |
	some i
	path := docker.workdir[i].Value[0]
	is_string(path)
	not startswith(path, "/")
	not _absolute(path)
]

deny contains res if {
	docker.is_dockerfile
	some [i, path] in _relative
	instr := docker.workdir[i]
	msg := concat("", ["WORKDIR '", path, "' is a relative path; use an absolute path"])
	res := result.new(msg, instr)
}
