# METADATA
# title: Container root file system is writable
# description: >-
#   A read-only root file system stops processes in the container from changing the
#   image's files or dropping new executables on disk. Data the application must write
#   belongs in mounted volumes (emptyDir, persistent volumes).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# - https://avd.aquasec.com/misconfig/ksv014
# custom:
#   id: KSV014
#   aliases:
#   - KSV-0014
#   - AVD-KSV-0014
#   - use-readonly-filesystem
#   - kubernetes-use-readonly-filesystem
#   severity: HIGH
#   recommended_action: >-
#     Set 'securityContext.readOnlyRootFilesystem: true' on every container and mount
#     writable volumes where the application needs to write.
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
package builtin.kubernetes.KSV014

import rego.v1

import data.result
import data.lib.kubernetes

_read_only_root(container) if {
	container.securityContext.readOnlyRootFilesystem == true
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not _read_only_root(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should set 'securityContext.readOnlyRootFilesystem' to true",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
