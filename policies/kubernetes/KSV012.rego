# METADATA
# title: Container may run as root
# description: >-
#   Unless runAsNonRoot is true, the kubelet starts the container even when its image
#   runs as UID 0. Requiring a non-root user at the pod or container level limits what a
#   compromised process can do to the container and the node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://avd.aquasec.com/misconfig/ksv012
# custom:
#   id: KSV012
#   aliases:
#   - KSV-0012
#   - AVD-KSV-0012
#   - no-root
#   - kubernetes-no-root
#   severity: MEDIUM
#   recommended_action: >-
#     Set 'runAsNonRoot: true' in the pod's 'spec.securityContext' or in the
#     'securityContext' of every container.
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
package builtin.kubernetes.KSV012

import rego.v1

import data.result
import data.lib.kubernetes

# Trivy's condition: a pod whose own spec.securityContext.runAsNonRoot is true passes
# as a whole (even a container that sets runAsNonRoot: false is not reported).
_pod_requires_non_root(pod) if {
	pod.spec.securityContext.runAsNonRoot == true
}

# The effective value (container value, else the inherited pod value) must be true.
_runs_as_non_root(container) if {
	container.securityContext.runAsNonRoot == true
}

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	not _pod_requires_non_root(pod)
	found := [finding |
		some container in kubernetes.containers
		not _runs_as_non_root(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set 'securityContext.runAsNonRoot' to true",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
