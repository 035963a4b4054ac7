# METADATA
# title: Container adds the SYS_MODULE capability
# description: >-
#   SYS_MODULE lets a process load and unload kernel modules, that is, run code of its
#   choice in the node's kernel, which amounts to full control of the node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
# - https://avd.aquasec.com/misconfig/ksv120
# custom:
#   id: KSV120
#   aliases:
#   - KSV-0120
#   - AVD-KSV-0120
#   - no-sysmodule-capability
#   - kubernetes-no-sysmodule-capability
#   severity: HIGH
#   recommended_action: >-
#     Remove 'SYS_MODULE' from 'securityContext.capabilities.add'; drop ALL capabilities
#     and add back only those the container really needs.
#   input:
#     requires_any: [add]
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
package builtin.kubernetes.KSV120

import rego.v1

import data.result
import data.lib.kubernetes

# Exact spelling, as in Trivy.
deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		kubernetes.added_capability(container, "SYS_MODULE")
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not add 'SYS_MODULE' to 'securityContext.capabilities.add'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
