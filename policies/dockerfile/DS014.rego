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
#     requires_any: [curl, wget, sudo]
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
_usage(stage) := [[j, tools] |
	some j
	instr := stage.Commands[j]
	instr.Cmd == "run"
	tools := {t | some cmd in sh.run_commands(instr); t := _downloader(cmd)}
]

# The downloaders whose names occur in the stage's RUN instructions (a cheap test before
# splitting commands).
_mentioned(stage) := {tool |
	some instr in stage.Commands
	instr.Cmd == "run"
	some tool in _downloaders
	sh.mentions(instr, {tool})
}

# A program of the file's RUNs (lib.sh.file_programs) is the tool, or sudo (which may run
# it): a test of the whole file before any stage is split into commands.
_programs := [p[2] | some p in sh.file_programs]

_may_run(tool) if {
	some name in _programs
	name == tool
}

_may_run(_) if {
	some name in _programs
	name == "sudo"
}

# [stage index, instruction index] of each RUN calling wget in a stage that also calls
# curl. (Found in a comprehension: regopy iterates stage and instruction objects in a rule
# body several times slower.)
_found := [[s, j] |
	_may_run("curl")
	_may_run("wget")
	some s
	stage := docker.stages[s]
	count(_mentioned(stage)) == 2
	usage := _usage(stage)
	some curl_use in usage
	"curl" in curl_use[1]
	some wget_use in usage
	"wget" in wget_use[1]
	j := wget_use[0]
]

deny contains res if {
	docker.is_dockerfile
	some found in _found
	instr := docker.stages[found[0]].Commands[found[1]]
	msg := "This stage downloads with both wget and curl; use only one of them"
	res := result.new(msg, instr)
}
