# METADATA
# title: Container drops no capabilities
# description: >-
#   A container that lists nothing under securityContext.capabilities.drop keeps every
#   capability the container runtime grants by default. Dropping the ones it does not use
#   (ideally ALL) reduces what an attacker can do from inside it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
# - https://avd.aquasec.com/misconfig/ksv004
# custom:
#   id: KSV004
#   aliases:
#   - KSV-0004
#   - AVD-KSV-0004
#   - drop-unused-capabilities
#   - kubernetes-drop-unused-capabilities
#   severity: LOW
#   recommended_action: >-
#     Set 'securityContext.capabilities.drop' on every container, preferably to ['ALL'].
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
package builtin.kubernetes.KSV004

import rego.v1

import data.result
import data.lib.kubernetes

# Any drop list counts, even an empty one (Trivy's condition: the key is present).
_lists_dropped_capabilities(container) if {
	kubernetes.has_key(container.securityContext.capabilities, "drop")
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _lists_dropped_capabilities(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should list the capabilities it drops in 'securityContext.capabilities.drop'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
