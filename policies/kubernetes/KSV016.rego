# METADATA
# title: Container has no memory request
# description: >-
#   A memory request tells the scheduler how much memory the container needs. Without one
#   the pod may be placed on a node that cannot hold it and is among the first evicted
#   under memory pressure.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
# - https://avd.aquasec.com/misconfig/ksv016
# custom:
#   id: KSV016
#   aliases:
#   - KSV-0016
#   - AVD-KSV-0016
#   - no-unspecified-memory-requests
#   - kubernetes-no-unspecified-memory-requests
#   severity: LOW
#   recommended_action: >-
#     Set 'resources.requests.memory' on every container.
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
package builtin.kubernetes.KSV016

import rego.v1

import data.result
import data.lib.kubernetes

_sets_memory_request(container) if {
	kubernetes.has_key(container.resources.requests, "memory")
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _sets_memory_request(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set a memory request in 'resources.requests.memory'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
