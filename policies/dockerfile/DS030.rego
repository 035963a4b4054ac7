# METADATA
# title: WORKDIR inside a system directory
# description: >-
#   /proc, /dev, /boot, /initrd and /lost+found belong to the kernel and the host
#   system. Using one of them as the working directory makes later instructions and the
#   running application write into special filesystems, which can break the container
#   or help a process reach beyond it.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#workdir
# - https://avd.aquasec.com/misconfig/ds030
# custom:
#   id: DS030
#   aliases:
#   - DS-0030
#   - AVD-DS-0030
#   - avoid-sys-workdir-mounts
#   - docker-avoid-sys-workdir-mounts
#   severity: HIGH
#   recommended_action: >-
#     Use a directory of your own, such as /app or /srv/<name>, as WORKDIR.
#   input:
#     requires_any: [workdir]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS030

import rego.v1

import data.lib.docker
import data.result

# The system directory path lies in (a WORKDIR "/proc/x" keeps its quotes in the input).
# One literal test per directory rather than a set (regopy builds a set literal again in
# every query, and iterating it costs more than these few tests).
_system_dir(path) := "/proc" if _inside(path, "/proc")

else := "/boot" if _inside(path, "/boot")

else := "/dev" if _inside(path, "/dev")

else := "/initrd" if _inside(path, "/initrd")

else := "/lost+found" if _inside(path, "/lost+found")

_inside(path, dir) if path == dir

_inside(path, dir) if startswith(path, concat("", [dir, "/"]))

# [index in docker.workdir, message] of each finding (in a comprehension: regopy iterates
# instruction objects in a rule body several times slower).
_found := [[i, msg] |
	some i
	instr := docker.workdir[i]
	raw := instr.Value[0]
	is_string(raw)
	path := trim_suffix(trim_prefix(raw, "\""), "\"")
	dir := _system_dir(path)
	msg := concat("", ["WORKDIR '", raw, "' is inside the system directory ", dir, "; use a directory of your own"])
]

deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.workdir[i]
	res := result.new(msg, instr)
}
