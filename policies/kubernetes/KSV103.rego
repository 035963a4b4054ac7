# METADATA
# title: Windows HostProcess container
# description: >-
#   A Windows HostProcess container runs directly on the node, outside any container
#   isolation, with access to the node's network, processes and file system. The Baseline
#   Pod Security Standard forbids it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/
# - https://avd.aquasec.com/misconfig/ksv103
# custom:
#   id: KSV103
#   aliases:
#   - KSV-0103
#   - AVD-KSV-0103
#   - no-hostprocess-containers
#   - kubernetes-no-hostprocess-containers
#   severity: MEDIUM
#   recommended_action: >-
#     Remove 'windowsOptions.hostProcess' (or set it to false) in the pod's and every
#     container's 'securityContext'.
#   input:
#     requires_any: [hostProcess]
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
package builtin.kubernetes.KSV103

import rego.v1

import data.result
import data.lib.kubernetes

# 1. The pod-level setting (inherited by every container): reported once, at the pod's
# windowsOptions.
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	options := kubernetes.pod_security_context(pod).windowsOptions
	options.hostProcess == true
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not set 'spec.securityContext.windowsOptions.hostProcess' to true",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, options)
}

# 2. A container that sets it itself: reported at that container's windowsOptions.
# A container's own windowsOptions keys win over the pod's, so its own hostProcess true
# means an effective one: the precomputed effective containers tell cheaply whether any
# container can be one.
_effective_host_process if {
	some container in kubernetes.containers
	container.securityContext.windowsOptions.hostProcess == true
}

deny contains res if {
	kubernetes.is_workload
	_effective_host_process
	pod := kubernetes.workload_pod
	found := [finding |
		some container in kubernetes.pod_raw_containers(pod)
		options := kubernetes.own_security_context(container).windowsOptions
		options.hostProcess == true
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not set 'securityContext.windowsOptions.hostProcess' to true",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, options)
	]
	some res in found
}
