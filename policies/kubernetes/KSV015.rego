# METADATA
# title: Container has no CPU request
# description: >-
#   A CPU request tells the scheduler how much CPU the container needs and sets its share
#   under contention. Without one the pod may be placed on a node that cannot serve it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
# - https://avd.aquasec.com/misconfig/ksv015
# custom:
#   id: KSV015
#   aliases:
#   - KSV-0015
#   - AVD-KSV-0015
#   - no-unspecified-cpu-requests
#   - kubernetes-no-unspecified-cpu-requests
#   severity: LOW
#   recommended_action: >-
#     Set 'resources.requests.cpu' on every container.
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
package builtin.kubernetes.KSV015

import rego.v1

import data.result
import data.lib.kubernetes

_sets_cpu_request(container) if {
	kubernetes.has_key(container.resources.requests, "cpu")
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _sets_cpu_request(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set a CPU request in 'resources.requests.cpu'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
