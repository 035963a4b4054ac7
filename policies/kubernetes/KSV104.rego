# METADATA
# title: Container runs without a seccomp profile
# description: >-
#   Without a seccomp profile (or with the Unconfined profile) a container may call every
#   system call of the node's kernel, which widens the attack surface for kernel
#   exploits. The Baseline Pod Security Standard forbids Unconfined.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tutorials/security/seccomp/
# - https://avd.aquasec.com/misconfig/ksv104
# custom:
#   id: KSV104
#   aliases:
#   - KSV-0104
#   - AVD-KSV-0104
#   - no-seccomp-unconfined
#   - kubernetes-no-seccomp-unconfined
#   severity: MEDIUM
#   recommended_action: >-
#     Set 'securityContext.seccompProfile.type' to 'RuntimeDefault' or 'Localhost' in the
#     pod's or every container's securityContext.
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
package builtin.kubernetes.KSV104

import rego.v1

import data.result
import data.lib.kubernetes

_annotation_prefix := "container.seccomp.security.alpha.kubernetes.io/"

# The profile a container gets: the effective securityContext.seccompProfile.type (the
# container's own, else the pod's), else the legacy per-container annotation, else "".
_profile(pod, container) := t if {
	t := container.securityContext.seccompProfile.type
} else := t if {
	is_string(container.name)
	t := pod.metadata.annotations[concat("", [_annotation_prefix, container.name])]
} else := ""

# One pass over the containers for both findings (on regopy each pass costs every
# workload the rule lookups and the iteration again).
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	found := [finding |
		some container in kubernetes.containers
		msg := _message(_profile(pod, container), container)
		finding := result.finding(msg, container)
	]
	some res in found
}

_message(profile, container) := msg if {
	profile == ""
	msg := sprintf(
		"Container '%s' of %s '%s' should set a seccomp profile ('securityContext.seccompProfile.type'); without one it runs unconfined",
		[container.name, input.kind, kubernetes.name],
	)
} else := msg if {
	is_string(profile)
	lower(profile) == "unconfined"
	msg := sprintf(
		"Container '%s' of %s '%s' should not use the 'Unconfined' seccomp profile",
		[container.name, input.kind, kubernetes.name],
	)
}
