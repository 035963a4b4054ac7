# METADATA
# title: Container does not drop all default capabilities
# description: >-
#   Container runtimes grant a default set of Linux capabilities (such as CHOWN,
#   NET_RAW, SETUID). A container should start from none by listing ALL under
#   capabilities.drop and add back only what it really needs.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
# - https://avd.aquasec.com/misconfig/ksv003
# custom:
#   id: KSV003
#   aliases:
#   - KSV-0003
#   - AVD-KSV-0003
#   - drop-default-capabilities
#   - kubernetes-drop-default-capabilities
#   severity: LOW
#   recommended_action: >-
#     Add 'ALL' to 'securityContext.capabilities.drop' of every container and add back
#     only the capabilities it needs.
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
package builtin.kubernetes.KSV003

import rego.v1

import data.result
import data.lib.kubernetes

# "ALL" matches in any letter case ("all", "All").
deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not kubernetes.drops_all_capabilities(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should list 'ALL' in 'securityContext.capabilities.drop'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
