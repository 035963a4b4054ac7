# METADATA
# title: RUN uses both wget and curl
# description: >-
#   wget and curl do the same job. Using both in one stage means both end up installed
#   in the image (more packages to patch, a larger attack surface) for no benefit.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#run
# - https://avd.aquasec.com/misconfig/ds014
# custom:
#   id: DS014
#   aliases:
#   - DS-0014
#   - AVD-DS-0014
#   - standardise-remote-get
#   - docker-standardise-remote-get
#   severity: LOW
#   recommended_action: >-
#     Download with one tool throughout the stage: either wget or curl.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS014

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# The downloader a command runs, directly or through sudo. Installing a package named
# wget ("apt-get install wget") is not a use of it.
_downloaders := {"wget", "curl"}

_downloader(cmd) := name if {
	name := sh.program(cmd)
	name in _downloaders
} else := name if {
	sh.program(cmd) == "sudo"
	name := sh.basename(cmd[1])
	name in _downloaders
}

# [RUN instruction, set of downloaders it runs] for each RUN of a stage (each RUN is
# split once).
_usage(stage) := [[instr, tools] |
	some instr in docker.stage_instructions(stage, "run")
	tools := {t | some cmd in sh.run_commands(instr); t := _downloader(cmd)}
]

# Per stage, as Trivy does: when the stage's RUN instructions call both tools, every RUN
# of the stage that calls wget is reported.
# A cheap necessary condition (a script that runs a tool names it) before splitting the
# RUNs of the stage into commands.
_mentions(stage, tool) if {
	some instr in docker.stage_instructions(stage, "run")
	sh.mentions(instr, {tool})
}

deny contains res if {
	docker.is_dockerfile
	some stage in docker.stages
	_mentions(stage, "curl")
	_mentions(stage, "wget")
	usage := _usage(stage)
	some [_, curl_tools] in usage
	"curl" in curl_tools
	some [instr, tools] in usage
	"wget" in tools
	msg := "This stage downloads with both wget and curl; use only one of them"
	res := result.new(msg, instr)
}
