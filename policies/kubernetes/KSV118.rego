# METADATA
# title: Default security context used
# description: >-
#   A pod or container that sets no securityContext runs with the runtime's defaults,
#   which allow running as root, privilege escalation and the default capability set.
#   Stating the security settings explicitly is the basis of every other hardening
#   setting.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://avd.aquasec.com/misconfig/ksv118
# custom:
#   id: KSV118
#   aliases:
#   - KSV-0118
#   - AVD-KSV-0118
#   - no-default-security-context
#   - kubernetes-no-default-security-context
#   severity: HIGH
#   recommended_action: >-
#     Set 'spec.securityContext' on the pod and 'securityContext' on every container (for
#     example runAsNonRoot, allowPrivilegeEscalation: false, capabilities.drop: [ALL],
#     readOnlyRootFilesystem).
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
package builtin.kubernetes.KSV118

import rego.v1

import data.result
import data.lib.kubernetes

# A mapping with no setting ({} or only the location key regoscan adds). (count, not a
# comprehension over the keys: regopy pays for every element it iterates.)
_is_empty(obj) if {
	is_object(obj)
	count(obj) == 0
}

_is_empty(obj) if {
	is_object(obj)
	count(obj) == 1
	_ = obj.__defsec_metadata
}

_is_empty(obj) if obj == null

_pod_context_unset(spec) if not kubernetes.has_key(spec, "securityContext")

_pod_context_unset(spec) if _is_empty(spec.securityContext)

# Where a pod-level finding points: the pod spec, or the pod when it has none.
_pod_node(pod) := spec if {
	spec := pod.spec
	is_object(spec)
} else := pod

# 1. A pod without a pod-level securityContext: reported at its spec.
deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	_pod_context_unset(kubernetes.pod_spec(pod))
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should set 'spec.securityContext' instead of relying on the default security context",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, _pod_node(pod))
}

# 2. A container with no effective securityContext (none of its own and nothing
# inherited from the pod).
deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		_is_empty(container.securityContext)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set 'securityContext' instead of relying on the default security context",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
