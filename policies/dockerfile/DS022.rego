# METADATA
# title: MAINTAINER instruction used
# description: >-
#   MAINTAINER has been deprecated since Docker 1.13: the information belongs in a
#   label, which tools can read (e.g. the OCI 'org.opencontainers.image.authors' key).
# scope: package
# related_resources:
# - https://docs.docker.com/reference/build-checks/maintainer-deprecated/
# - https://avd.aquasec.com/misconfig/ds022
# custom:
#   id: DS022
#   aliases:
#   - DS-0022
#   - AVD-DS-0022
#   - no-maintainer
#   - docker-no-maintainer
#   severity: HIGH
#   recommended_action: >-
#     Replace MAINTAINER with a label, e.g.
#     'LABEL org.opencontainers.image.authors="name <mail>"'.
#   input:
#     requires_any: [maintainer]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS022

import rego.v1

import data.lib.docker
import data.result

deny contains res if {
	docker.is_dockerfile
	some instr in docker.maintainer
	who := concat(" ", [v | some v in instr.Value; is_string(v)])
	msg := concat("", ["'MAINTAINER ", who, "' uses a deprecated instruction; record the maintainer with LABEL instead"])
	res := result.new(msg, instr)
}
