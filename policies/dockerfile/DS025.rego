# METADATA
# title: "'apk add' without '--no-cache'"
# description: >-
#   'apk add' stores the package index under /var/cache/apk. With '--no-cache' apk
#   fetches the index on the fly and keeps nothing, so the layer holds only the
#   installed packages; without it the cache stays in the image.
# scope: package
# related_resources:
# - https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper
# - https://avd.aquasec.com/misconfig/ds025
# custom:
#   id: DS025
#   aliases:
#   - DS-0025
#   - AVD-DS-0025
#   - purge-apk-package-cache
#   - docker-purge-apk-package-cache
#   severity: HIGH
#   recommended_action: >-
#     Use 'apk add --no-cache <packages>'.
#   input:
#     requires_any: [apk]
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS025

import rego.v1

import data.lib.docker
import data.lib.sh
import data.result

# [index in docker.run, message] of each finding, from the file's package-manager calls
# (lib.sh.file_calls: regopy pays for every RUN object a check visits, so only the RUNs
# with an 'apk add' are looked at).
_found := [[i, msg] |
	some call in sh.file_calls
	call[2] == "apk"
	call[3] == "add"
	i := call[0]
	cmd := sh.run_commands(docker.run[i])[call[1]]
	not sh.has_word(cmd, "--no-cache")
	msg := "RUN has an 'apk add' without '--no-cache'; the apk cache stays in the image layer"
]

# One finding per RUN with an 'apk add' command that lacks '--no-cache' (anywhere in
# that command; a '--no-cache' on another apk command does not count).
deny contains res if {
	docker.is_dockerfile
	some [i, msg] in _found
	instr := docker.run[i]
	res := result.new(msg, instr)
}
