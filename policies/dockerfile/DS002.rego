# METADATA
# title: Image runs as root
# description: >-
#   Without a USER instruction, or when the last USER instruction names root (or UID
#   0), the container's main process runs as root. Should it be compromised, root in
#   the container makes breaking out to the host much easier.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#user
# - https://docs.docker.com/build/building/best-practices/#user
# - https://avd.aquasec.com/misconfig/ds002
# custom:
#   id: DS002
#   aliases:
#   - DS-0002
#   - AVD-DS-0002
#   - least-privilege-user
#   - docker-least-privilege-user
#   severity: HIGH
#   recommended_action: >-
#     Create an unprivileged user and switch to it with 'USER <name or UID>' after the
#     steps that need root.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS002

import rego.v1

import data.lib.docker

# Trivy's condition: only the last USER instruction of the whole file counts (in any
# stage), and 'root' / '0', optionally with ':<group>', is root.
_root_user(value) if regex.match(`^root(:.+)?$`, value)

_root_user(value) if regex.match(`^0(:.+)?$`, value)

# 1. No USER instruction anywhere. There is no instruction to point at, so the finding
# is reported at the FROM of the final stage (the image that will run as root); a
# file without any FROM falls back to an empty cause (line 0, as Trivy reports it).
deny contains res if {
	docker.is_dockerfile
	count(docker.user) == 0
	msg := "No USER instruction found, so the image runs as root; add 'USER <non-root user>'"
	res := docker.finding(msg, _no_user_location)
}

_no_user_location := docker.final_from

default _no_user_location := {}

# 2. The last USER instruction switches to root.
deny contains res if {
	docker.is_dockerfile
	last := docker.last_instruction("user")
	value := last.Value[0]
	is_string(value)
	_root_user(value)
	msg := sprintf("The last USER instruction ('%s') makes the image run as root; switch to a non-root user", [value])
	res := docker.finding(msg, last)
}
