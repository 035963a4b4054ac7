# METADATA
# title: Pod or container runs with root group ID
# description: >-
#   Running with group ID 0 as primary group (runAsGroup), supplementary group
#   (supplementalGroups) or volume group (fsGroup) gives the processes root group access
#   to files in the container and on mounted volumes.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://kubesec.io/basics/containers-securitycontext-runasuser/
# - https://avd.aquasec.com/misconfig/ksv116
# custom:
#   id: KSV116
#   aliases:
#   - KSV-0116
#   - AVD-KSV-0116
#   - primary-supplementary-gid
#   - kubernetes-primary-supplementary-gid
#   severity: LOW
#   recommended_action: >-
#     Use non-zero group IDs in 'spec.securityContext.runAsGroup', 'supplementalGroups'
#     and 'fsGroup' and in every container's 'securityContext.runAsGroup', or leave them
#     unset.
#   input:
#     requires_any: [runAsGroup, supplementalGroups, fsGroup]
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Pod
#       - kind: ReplicaSet
#       - kind: ReplicationController
#       - kind: Deployment
#       - kind: DeploymentConfig
#       - kind: StatefulSet
#       - kind: DaemonSet
#       - kind: CronJob
#       - kind: Job
package builtin.kubernetes.KSV116

import rego.v1

import data.result
import data.lib.kubernetes

# The pod-level fields that set group 0, in a fixed order.
_root_group_fields(sc) := [f |
	some f in ["runAsGroup", "supplementalGroups", "fsGroup"]
	_sets_root_group(sc, f)
]

_sets_root_group(sc, field) if {
	field != "supplementalGroups"
	sc[field] == 0
}

_sets_root_group(sc, field) if {
	field == "supplementalGroups"
	groups := sc.supplementalGroups
	is_array(groups)
	some gid in groups
	gid == 0
}

# 1. Pod level: one finding per pod naming the fields.
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	sc := kubernetes.pod_security_context(pod)
	fields := _root_group_fields(sc)
	count(fields) > 0
	msg := concat("", [
		data.regoscan.compat.plain_sprintf("%s '%s'", [input.kind, kubernetes.name]),
		" should not use group ID 0 in 'spec.securityContext' (",
		concat(", ", fields),
		")",
	])
	res := result.finding(msg, sc)
}

# 2. A container that sets runAsGroup: 0 itself.
# A container's own runAsGroup wins over the pod's, so own 0 means effective 0: the
# precomputed effective containers tell cheaply whether any container can be one.
_effective_group_0 if {
	some container in kubernetes.containers
	container.securityContext.runAsGroup == 0
}

deny contains res if {
	kubernetes.is_workload
	_effective_group_0
	pod := kubernetes.workload_pod
	found := [finding |
		some container in kubernetes.pod_raw_containers(pod)
		sc := kubernetes.own_security_context(container)
		sc.runAsGroup == 0
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not set 'securityContext.runAsGroup' to 0",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, sc)
	]
	some res in found
}
