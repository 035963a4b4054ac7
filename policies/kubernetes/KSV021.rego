# METADATA
# title: Container group ID is 10000 or lower
# description: >-
#   Low group IDs are the ones a node's own accounts and system services use. Running the
#   container with a group ID above 10000 keeps it from coinciding with a host group
#   should it break out of the container.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://kubesec.io/basics/containers-securitycontext-runasuser/
# - https://avd.aquasec.com/misconfig/ksv021
# custom:
#   id: KSV021
#   aliases:
#   - KSV-0021
#   - AVD-KSV-0021
#   - use-high-gid
#   - kubernetes-use-high-gid
#   severity: LOW
#   recommended_action: >-
#     Set 'securityContext.runAsGroup' to a number above 10000, in the pod's
#     'spec.securityContext' or in every container.
#   input:
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
package builtin.kubernetes.KSV021

import rego.v1

import data.result
import data.lib.kubernetes

# The effective value (the container's own, else the pod's) must be a number above
# 10000; an unset runAsGroup fails.
_above_10000(container) if {
	id := container.securityContext.runAsGroup
	is_number(id)
	id > 10000
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _above_10000(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should run with 'securityContext.runAsGroup' above 10000",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
