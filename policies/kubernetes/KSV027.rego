# METADATA
# title: Container sets procMount
# description: >-
#   By default the container runtime masks and makes read-only sensitive paths under
#   /proc. Setting securityContext.procMount (for example to Unmasked) changes that
#   default and exposes kernel information and interfaces to the container.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://avd.aquasec.com/misconfig/ksv027
# custom:
#   id: KSV027
#   aliases:
#   - KSV-0027
#   - AVD-KSV-0027
#   - no-custom-proc-mask
#   - kubernetes-no-custom-proc-mask
#   severity: MEDIUM
#   recommended_action: >-
#     Remove 'securityContext.procMount' from every container.
#   input:
#     requires_any: [procMount]
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
package builtin.kubernetes.KSV027

import rego.v1

import data.result
import data.lib.kubernetes

# Any value is reported, as in Trivy (the Baseline standard itself accepts "Default").
deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some container in kubernetes.containers
		kubernetes.has_key(container.securityContext, "procMount")
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not set 'securityContext.procMount' (found '%v')",
			[container.name, input.kind, kubernetes.name, container.securityContext.procMount],
		)
		hit := result.finding(msg, container)
	]
	some res in hits
}
