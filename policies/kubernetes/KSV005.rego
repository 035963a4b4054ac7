# METADATA
# title: Container adds the SYS_ADMIN capability
# description: >-
#   SYS_ADMIN covers a large part of the kernel's privileged operations (mounting file
#   systems, namespace and cgroup management and much more) and is close to running the
#   container privileged.
# scope: package
# related_resources:
# - https://man7.org/linux/man-pages/man7/capabilities.7.html
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
# - https://avd.aquasec.com/misconfig/ksv005
# custom:
#   id: KSV005
#   aliases:
#   - KSV-0005
#   - AVD-KSV-0005
#   - no-sysadmin-capability
#   - kubernetes-no-sysadmin-capability
#   severity: HIGH
#   recommended_action: >-
#     Remove 'SYS_ADMIN' from 'securityContext.capabilities.add'; drop ALL capabilities
#     and add back only those the container really needs.
#   input:
#     requires_any: [add]
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
package builtin.kubernetes.KSV005

import rego.v1

import data.result
import data.lib.kubernetes

# Exact spelling, as in Trivy.
deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		kubernetes.added_capability(container, "SYS_ADMIN")
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not add 'SYS_ADMIN' to 'securityContext.capabilities.add'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
