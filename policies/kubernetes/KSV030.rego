# METADATA
# title: RuntimeDefault seccomp profile not required
# description: >-
#   The Restricted Pod Security Standard requires every container to run with the
#   RuntimeDefault or a Localhost seccomp profile, set in its own or the pod's
#   securityContext. A pre-1.19 seccomp pod annotation must name runtime/default.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://kubernetes.io/docs/tutorials/security/seccomp/
# - https://avd.aquasec.com/misconfig/ksv030
# custom:
#   id: KSV030
#   aliases:
#   - KSV-0030
#   - AVD-KSV-0030
#   - use-default-seccomp
#   - kubernetes-use-default-seccomp
#   severity: LOW
#   recommended_action: >-
#     Set 'spec.securityContext.seccompProfile.type' (or
#     'securityContext.seccompProfile.type' of every container) to 'RuntimeDefault' or
#     'Localhost'.
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
package builtin.kubernetes.KSV030

import rego.v1

import data.result
import data.lib.kubernetes

_pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

_valid_types := {"RuntimeDefault", "Localhost"}

# 1. The legacy pod annotation is present with another value: reported at the annotations.
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	annotations := pod.metadata.annotations
	value := annotations[_pod_annotation]
	value != "runtime/default"
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should set the annotation '%s' to 'runtime/default' (found '%v')",
		[input.kind, kubernetes.name, _pod_annotation, value],
	)
	res := result.finding(msg, annotations)
}

# A pod that carries the legacy annotation (any value) is judged by rule 1 only.
_has_pod_annotation(pod) if {
	value := pod.metadata.annotations[_pod_annotation]
	value != false
}

_valid_profile(container) if {
	container.securityContext.seccompProfile.type in _valid_types
}

# 2. Otherwise each container's effective profile (its own, else the pod's) must be
# RuntimeDefault or Localhost.
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	not _has_pod_annotation(pod)
	found := [finding |
		some container in kubernetes.containers
		not _valid_profile(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should run with the seccomp profile type 'RuntimeDefault' or 'Localhost' (container or pod 'securityContext.seccompProfile.type')",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
