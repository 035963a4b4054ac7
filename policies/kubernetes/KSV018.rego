# METADATA
# title: Container has no memory limit
# description: >-
#   Without a memory limit a container can use all the memory of its node, which leads to
#   other workloads being killed or evicted (a denial of service).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
# - https://avd.aquasec.com/misconfig/ksv018
# custom:
#   id: KSV018
#   aliases:
#   - KSV-0018
#   - AVD-KSV-0018
#   - limit-memory
#   - kubernetes-limit-memory
#   severity: LOW
#   recommended_action: >-
#     Set 'resources.limits.memory' on every container.
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
package builtin.kubernetes.KSV018

import rego.v1

import data.result
import data.lib.kubernetes

_sets_memory_limit(container) if {
	kubernetes.has_key(container.resources.limits, "memory")
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _sets_memory_limit(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set a memory limit in 'resources.limits.memory'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
