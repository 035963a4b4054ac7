# METADATA
# title: EXPOSE port out of range
# description: >-
#   TCP and UDP ports are 16-bit numbers, 0 to 65535. An EXPOSE value above that
#   cannot be published and usually hides a typo in the port the application really
#   listens on.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#expose
# - https://avd.aquasec.com/misconfig/ds008
# custom:
#   id: DS008
#   aliases:
#   - DS-0008
#   - AVD-DS-0008
#   - port-out-of-range
#   - docker-port-out-of-range
#   severity: CRITICAL
#   recommended_action: >-
#     Fix the EXPOSE value to the port (0-65535) the application listens on.
#   input:
#     requires_any: [expose]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS008

import rego.v1

import data.lib.docker
import data.result

# The port numbers of one EXPOSE value: "8080", "8080/tcp", or a range "8000-8010/udp"
# (both ends). Values that are not plain numbers ($PORT) are skipped.
_ports(value) := [p |
	spec := split(value, "/")[0]
	some p in split(spec, "-")
	regex.match(`^[0-9]+$`, p)
]

deny contains res if {
	docker.is_dockerfile
	some instr in docker.expose
	some value in instr.Value
	is_string(value)
	some port in _ports(value)
	to_number(port) > 65535
	msg := concat("", ["EXPOSE port ", port, " is out of range: ports go from 0 to 65535"])
	res := result.new(msg, instr)
}
