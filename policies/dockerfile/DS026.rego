# METADATA
# title: No HEALTHCHECK instruction
# description: >-
#   Without a HEALTHCHECK the container runtime only knows whether the main process is
#   alive, not whether the application still answers. A health check lets Docker (and
#   orchestrators that read it) mark a hung container unhealthy and replace it.
# scope: package
# related_resources:
# - https://docs.docker.com/reference/dockerfile/#healthcheck
# - https://avd.aquasec.com/misconfig/ds026
# custom:
#   id: DS026
#   aliases:
#   - DS-0026
#   - AVD-DS-0026
#   - no-healthcheck
#   - docker-no-healthcheck
#   severity: LOW
#   recommended_action: >-
#     Add a HEALTHCHECK that probes the application, e.g.
#     'HEALTHCHECK CMD curl -f http://localhost:8080/health || exit 1'.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS026

import rego.v1

import data.lib.docker

# Trivy's condition: no HEALTHCHECK anywhere in the file ('HEALTHCHECK NONE' counts as
# one). There is no instruction to point at, so the finding is reported at the FROM of
# the final stage; a file without FROM gets an empty cause (line 0).
deny contains res if {
	docker.is_dockerfile
	count(docker.healthcheck) == 0
	msg := "No HEALTHCHECK instruction: the runtime cannot tell whether the application is still working; add a HEALTHCHECK"
	res := docker.finding(msg, _location)
}

default _location := {}

_location := docker.final_from
