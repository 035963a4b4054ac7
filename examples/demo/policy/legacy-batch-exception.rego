# METADATA
# title: Legacy batch job runs as root
# description: The legacy batch image needs root until ticket OPS-1234 is done.
# custom:
#   reason: legacy image needs root until OPS-1234 ships
#   ticket: OPS-1234
#   expires: 2027-03-31
package builtin.kubernetes.KSV012

import rego.v1

# Rule exception: "" exempts the bare `deny` rule of KSV012 for this one workload.
exception contains rules if {
	input.metadata.name == "legacy-batch"
	rules := [""]
}
