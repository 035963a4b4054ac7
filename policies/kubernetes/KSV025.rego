# METADATA
# title: Custom SELinux options set
# description: >-
#   The Baseline Pod Security Standard allows only the SELinux types container_t,
#   container_init_t and container_kvm_t and forbids setting an SELinux user or role, at
#   pod and at container level. Other settings can lift the SELinux confinement of the
#   container.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
# - https://avd.aquasec.com/misconfig/ksv025
# custom:
#   id: KSV025
#   aliases:
#   - KSV-0025
#   - AVD-KSV-0025
#   - no-custom-selinux-options
#   - kubernetes-no-custom-selinux-options
#   severity: MEDIUM
#   recommended_action: >-
#     In 'seLinuxOptions' of the pod and of every container, remove 'user' and 'role' and
#     use only the types container_t, container_init_t or container_kvm_t (or leave the
#     type out).
#   input:
#     requires_any: [seLinuxOptions]
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
package builtin.kubernetes.KSV025

import rego.v1

import data.result
import data.lib.kubernetes

_allowed_types := {"container_t", "container_init_t", "container_kvm_t"}

_restricted_options := ["role", "user"]

# Each seLinuxOptions mapping as written in the manifest (pod level and per container),
# with the words that open its message. The container's own mapping is used, not the
# merged one, so that a pod-level setting is reported once, at the pod.
_selinux_settings contains {"subject": subject, "options": opts} if {
	pod := kubernetes.workload_pod
	opts := kubernetes.pod_security_context(pod).seLinuxOptions
	is_object(opts)
	subject := sprintf("%s '%s'", [input.kind, kubernetes.name])
}

# A container's own seLinuxOptions mapping is merged into its effective one: the
# precomputed effective containers tell cheaply whether any container can have one.
_effective_selinux if {
	some container in kubernetes.containers
	is_object(container.securityContext.seLinuxOptions)
}

_selinux_settings contains {"subject": subject, "options": opts} if {
	_effective_selinux
	pod := kubernetes.workload_pod
	some container in kubernetes.pod_raw_containers(pod)
	opts := kubernetes.own_security_context(container).seLinuxOptions
	is_object(opts)
	subject := sprintf("Container '%s' of %s '%s'", [container.name, input.kind, kubernetes.name])
}

# 1. A type outside the allowed set (a missing or null type passes).
deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some setting in _selinux_settings
		type := setting.options.type
		type != null
		not type in _allowed_types
		msg := concat("", [
			setting.subject,
			data.regoscan.compat.plain_sprintf(" should not set the SELinux type '%v' in 'seLinuxOptions'", [type]),
			" (allowed: container_t, container_init_t, container_kvm_t)",
		])
		hit := result.finding(msg, setting.options)
	]
	some res in hits
}

# 2. A user or role is set (whatever its value).
deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some setting in _selinux_settings
		found := [k | some k in _restricted_options; kubernetes.has_key(setting.options, k)]
		count(found) > 0
		msg := concat("", [
			setting.subject,
			" should not set '",
			concat("', '", found),
			"' in 'seLinuxOptions'",
		])
		hit := result.finding(msg, setting.options)
	]
	some res in hits
}
