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
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS030

import rego.v1

import data.lib.docker
import data.result

_system_dirs := {"/proc", "/boot", "/dev", "/initrd", "/lost+found"}

_inside(path, dir) if path == dir

_inside(path, dir) if startswith(path, concat("", [dir, "/"]))

deny contains res if {
	docker.is_dockerfile
	some instr in docker.workdir
	raw := instr.Value[0]
	is_string(raw)
	# WORKDIR "/proc/x" keeps its quotes in the input
	path := trim_suffix(trim_prefix(raw, "\""), "\"")
	some dir in _system_dirs
	_inside(path, dir)
	msg := concat("", ["WORKDIR '", raw, "' is inside the system directory ", dir, "; use a directory of your own"])
	res := result.new(msg, instr)
}
