# METADATA
# title: Images must be pinned to a version
# description: Workloads must not use the mutable ':latest' tag or no tag at all.
# scope: package
# custom:
#   id: ORG001
#   severity: HIGH
#   recommended_action: Pin every image to a version tag or a digest.
#   input:
#     selector:
#       - type: kubernetes
package user.kubernetes.ORG001

import rego.v1

deny_latest contains res if {
	some container in input.spec.template.spec.containers
	endswith(container.image, ":latest")
	res := result.new(sprintf("Container '%s' of %s '%s' uses the ':latest' tag", [container.name, input.kind, input.metadata.name]), container)
}
