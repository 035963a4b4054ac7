# METADATA
# title: Container has no CPU limit
# description: >-
#   Without a CPU limit a container can use all the CPU time of its node and starve the
#   other workloads there, whether by a bug, load or an attacker.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
# - https://cloud.google.com/blog/products/containers-kubernetes/kubernetes-best-practices-resource-requests-and-limits
# - https://avd.aquasec.com/misconfig/ksv011
# custom:
#   id: KSV011
#   aliases:
#   - KSV-0011
#   - AVD-KSV-0011
#   - limit-cpu
#   - kubernetes-limit-cpu
#   severity: LOW
#   recommended_action: >-
#     Set 'resources.limits.cpu' on every container.
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
package builtin.kubernetes.KSV011

import rego.v1

import data.result
import data.lib.kubernetes

_sets_cpu_limit(container) if {
	kubernetes.has_key(container.resources.limits, "cpu")
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _sets_cpu_limit(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set a CPU limit in 'resources.limits.cpu'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
