# METADATA
# title: ResourceQuota without CPU and memory quotas
# description: >-
#   A ResourceQuota caps the total CPU and memory that the pods of a namespace may
#   request and use, so that one team or workload cannot starve the others. Reported
#   at 'spec.hard' (or 'spec' when it has none) of a ResourceQuota that does not set all
#   of 'requests.cpu', 'requests.memory', 'limits.cpu' and 'limits.memory'. Like Trivy,
#   the check looks at ResourceQuota documents only: a namespace with no ResourceQuota
#   at all is not reported (each document is checked on its own).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/policy/resource-quotas/
# - https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/quota-memory-cpu-namespace/
# - https://avd.aquasec.com/misconfig/ksv040
# custom:
#   id: KSV040
#   aliases:
#   - KSV-0040
#   - AVD-KSV-0040
#   - resource-quota-usage
#   - kubernetes-resource-quota-usage
#   severity: LOW
#   recommended_action: >-
#     Set 'requests.cpu', 'requests.memory', 'limits.cpu' and 'limits.memory' in the
#     ResourceQuota's 'spec.hard'.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: ResourceQuota
package builtin.kubernetes.KSV040

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_quota_fields := ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]

_quota_hard(spec) := hard if {
	hard := spec.hard
	is_object(hard)
} else := {}

# The spec.hard mapping when present (any value), else the spec.
_quota_node(spec) := spec.hard if kubernetes.has_key(spec, "hard")

else := spec

# Like Trivy, a ResourceQuota without a 'spec' mapping is not reported (there is no
# spec to point at).
deny contains res if {
	lower(input.kind) == "resourcequota"
	spec := input.spec
	is_object(spec)
	hard := _quota_hard(spec)
	missing := [f |
		some f in _quota_fields
		not kubernetes.has_field(hard, f)
	]
	count(missing) > 0
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' in namespace '",
		kubernetes.namespace,
		"' should set hard quotas for ",
		rbac.quoted_list(missing),
	])
	res := result.finding(msg, _quota_node(spec))
}
