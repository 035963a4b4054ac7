# METADATA
# title: Privileged container
# description: >-
#   A privileged container gets all capabilities and access to the node's devices, and
#   most isolation between it and the node is turned off. Only system components that
#   manage the node should run privileged.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://avd.aquasec.com/misconfig/ksv017
# custom:
#   id: KSV017
#   aliases:
#   - KSV-0017
#   - AVD-KSV-0017
#   - no-privileged-containers
#   - kubernetes-no-privileged-containers
#   severity: HIGH
#   recommended_action: >-
#     Set 'securityContext.privileged' to false (or leave it out) on every container.
#   input:
#     requires_any: [privileged]
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
package builtin.kubernetes.KSV017

import rego.v1

import data.result
import data.lib.kubernetes

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		kubernetes.security_context_is(container, "privileged", true)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not run privileged: set 'securityContext.privileged' to false",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
