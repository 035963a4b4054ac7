# METADATA
# title: Package index update in a RUN without an install
# description: >-
#   A RUN that only refreshes the package index ('apt-get update', 'apk update'...) is
#   cached as a layer of its own. Later RUN instructions that install packages reuse
#   that stale layer, so they install outdated versions or fail once the mirrors move
#   on. The update belongs in the same RUN as the install.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/best-practices/#apt-get
# - https://avd.aquasec.com/misconfig/ds017
# custom:
#   id: DS017
#   aliases:
#   - DS-0017
#   - AVD-DS-0017
#   - no-orphan-package-update
#   - docker-no-orphan-package-update
#   severity: HIGH
#   recommended_action: >-
#     Run the index update and the install in one RUN, e.g.
#     'RUN apt-get update && apt-get install -y <packages>'.
#   input:
#     requires_any: [update, up]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS017

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# Package managers by the name used in messages (apt and apt-get share one index).
_package_managers := {
	"apt-get": {"apt-get", "apt"},
	"yum": {"yum"},
	"apk": {"apk"},
	"dnf": {"dnf"},
	"zypper": {"zypper"},
}

_all_tools := {"apt-get", "apt", "yum", "apk", "dnf", "zypper"}

_update_subcommands := {"update", "up"}

_install_subcommands := {"install", "upgrade", "reinstall", "source-install", "groupinstall", "localinstall", "add"}

# The command indexes of the calls (from sh.tool_calls) of one package manager with
# one of subs.
_indexes(calls, tools, subs) := [k |
	some call in calls
	call[1] in tools
	call[2] in subs
	k := call[0]
]

# Some update of the RUN is followed by an install with the same package manager.
_installs_after(calls, tools, updates) if {
	installs := _indexes(calls, tools, _install_subcommands)
	some u in updates
	some i in installs
	u < i
}

# The package managers whose update in the RUN is not followed by an install.
# (The calls are computed once and passed in: regopy re-evaluated an expensive call
# bound before a loop over _package_managers once per iteration.)
_orphan_updates(calls) := {name |
	some name
	tools := _package_managers[name]
	updates := _indexes(calls, tools, _update_subcommands)
	count(updates) > 0
	not _installs_after(calls, tools, updates)
}

# The indexes (in docker.run) of the RUN instructions that run an update, from the file's
# package-manager calls (lib.sh.file_calls: regopy pays for every RUN object a check
# visits, so only these RUNs are looked at).
_runs_with_updates := {c[0] |
	some c in sh.file_calls
	c[2] in _all_tools
	c[3] in _update_subcommands
}

# [index in docker.run, message] of each finding, from those RUNs' calls ([command index,
# tool, subcommand], as lib.sh.run_calls gives them).
_found := [[i, msg] |
	some i in _runs_with_updates
	calls := [[c[1], c[2], c[3]] | some c in sh.file_calls; c[0] == i; c[2] in _all_tools]
	some name in _orphan_updates(calls)
	msg := concat("", [
		"RUN runs '", name, " update' without an install after it in the same RUN; ",
		"the update is cached as a layer of its own and later installs get stale package data",
	])
]

deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.run[i]
	res := result.new(msg, instr)
}
