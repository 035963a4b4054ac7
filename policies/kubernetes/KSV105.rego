# METADATA
# title: Container runs as UID 0
# description: >-
#   The Restricted Pod Security Standard forbids setting runAsUser to 0: the container's
#   processes would run as root, which makes a container escape or a kernel bug far more
#   dangerous.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://avd.aquasec.com/misconfig/ksv105
# custom:
#   id: KSV105
#   aliases:
#   - KSV-0105
#   - AVD-KSV-0105
#   - containers-not-run-as-root
#   - kubernetes-containers-not-run-as-root
#   severity: LOW
#   recommended_action: >-
#     Set 'securityContext.runAsUser' to a non-zero user ID, or leave it unset and set
#     'runAsNonRoot: true'.
#   input:
#     requires_any: [runAsUser]
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
package builtin.kubernetes.KSV105

import rego.v1

import data.result
import data.lib.kubernetes

# 1. The pod-level setting (inherited by containers that do not set their own).
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	sc := kubernetes.pod_security_context(pod)
	sc.runAsUser == 0
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not set 'spec.securityContext.runAsUser' to 0",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, sc)
}

# 2. A container that sets it itself.
# A container's own runAsUser wins over the pod's, so own 0 means effective 0: the
# precomputed effective containers tell cheaply whether any container can be one.
_effective_user_0 if {
	some container in kubernetes.containers
	container.securityContext.runAsUser == 0
}

deny contains res if {
	kubernetes.is_workload
	_effective_user_0
	pod := kubernetes.workload_pod
	found := [finding |
		some container in kubernetes.pod_raw_containers(pod)
		sc := kubernetes.own_security_context(container)
		sc.runAsUser == 0
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not set 'securityContext.runAsUser' to 0",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, sc)
	]
	some res in found
}
