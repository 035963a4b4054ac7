# METADATA
# title: LimitRange without defaults and bounds
# description: >-
#   A LimitRange gives containers of its namespace default requests and limits and keeps
#   them between a minimum and a maximum, so that one workload cannot take all the
#   resources of a node or the namespace. It does that only for the limit entries that
#   set them. Reported at the 'spec' of a LimitRange none of whose 'spec.limits' entries
#   sets all of 'type', 'min', 'max', 'default' and 'defaultRequest'. Like Trivy, the
#   check looks at LimitRange documents only: a namespace with no LimitRange at all is
#   not reported (each document is checked on its own).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/policy/limit-range/
# - https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/memory-default-namespace/
# - https://avd.aquasec.com/misconfig/ksv039
# custom:
#   id: KSV039
#   aliases:
#   - KSV-0039
#   - AVD-KSV-0039
#   - limit-range-usage
#   - kubernetes-limit-range-usage
#   severity: LOW
#   recommended_action: >-
#     Add a 'spec.limits' entry (for example of type Container) that sets 'min', 'max',
#     'default' and 'defaultRequest'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: LimitRange
package builtin.kubernetes.KSV039

import rego.v1

import data.lib.kubernetes
import data.result

_limit_range_fields := ["type", "min", "max", "default", "defaultRequest"]

# Every field present with a value other than false (Trivy's has_field test).
_limit_entry_complete(limit) if {
	is_object(limit)
	missing := [f |
		some f in _limit_range_fields
		not kubernetes.has_field(limit, f)
	]
	count(missing) == 0
}

_limit_range_complete(spec) if {
	limits := spec.limits
	is_array(limits)
	some limit in limits
	_limit_entry_complete(limit)
}

# Like Trivy, a LimitRange without any 'spec' is not reported (there is no spec to
# point at).
deny contains res if {
	lower(input.kind) == "limitrange"
	spec := input.spec
	not _limit_range_complete(spec)
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' in namespace '",
		kubernetes.namespace,
		"' should have a limit entry that sets 'type', 'min', 'max', 'default' and 'defaultRequest'",
	])
	res := result.finding(msg, spec)
}
