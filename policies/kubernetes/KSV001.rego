# METADATA
# title: Container may gain more privileges than its parent process
# description: >-
#   With allowPrivilegeEscalation left unset or true, a process in the container can
#   acquire more privileges than the process that started it (for example through a
#   setuid binary or file capabilities). Setting it to false sets no_new_privs on the
#   container process.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://avd.aquasec.com/misconfig/ksv001
# custom:
#   id: KSV001
#   aliases:
#   - KSV-0001
#   - AVD-KSV-0001
#   - no-self-privesc
#   - kubernetes-no-self-privesc
#   severity: MEDIUM
#   recommended_action: >-
#     Set 'securityContext.allowPrivilegeEscalation: false' on every container,
#     init container and ephemeral container.
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
package builtin.kubernetes.KSV001

import rego.v1

import data.result
import data.lib.kubernetes

# Passes only when the container explicitly sets the field to false (there is no
# pod-level allowPrivilegeEscalation).
_escalation_disabled(container) if {
	container.securityContext.allowPrivilegeEscalation == false
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _escalation_disabled(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set 'securityContext.allowPrivilegeEscalation' to false",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
