# METADATA
# title: Container AppArmor annotation names a profile other than runtime/default
# description: >-
#   A container whose AppArmor annotation
#   (container.apparmor.security.beta.kubernetes.io/<name>) asks for a profile other than
#   runtime/default, such as unconfined, loses the container runtime's default AppArmor
#   confinement.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tutorials/security/apparmor/
# - https://avd.aquasec.com/misconfig/ksv002
# custom:
#   id: KSV002
#   aliases:
#   - KSV-0002
#   - AVD-KSV-0002
#   - use-default-apparmor-profile
#   - kubernetes-use-default-apparmor-profile
#   severity: LOW
#   recommended_action: >-
#     Set the pod annotation 'container.apparmor.security.beta.kubernetes.io/<container
#     name>' to 'runtime/default', or remove it.
#   input:
#     requires_any: [annotations]
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
package builtin.kubernetes.KSV002

import rego.v1

import data.result
import data.lib.kubernetes

_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

# The annotations of one pod (an empty object when there are none).
_pod_annotations(pod) := a if {
	a := pod.metadata.annotations
	is_object(a)
} else := {}

# The annotation key is built for each container and looked up directly in its own
# pod's annotations (no partial object keyed by container: that pattern crashes regopy).
# An absent annotation passes, as in Trivy.
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	annotations := _pod_annotations(pod)
	found := [finding |
		some container in kubernetes.containers
		is_string(container.name)
		key := concat("", [_annotation_prefix, container.name])
		profile := annotations[key]
		profile != "runtime/default"
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should use the AppArmor profile 'runtime/default' (annotation '%s%s' is '%v')",
			[container.name, input.kind, kubernetes.name, _annotation_prefix, container.name, profile],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
