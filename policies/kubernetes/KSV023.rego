# METADATA
# title: Pod mounts a hostPath volume
# description: >-
#   The Baseline Pod Security Standard forbids hostPath volumes: they expose the node's
#   file system to the pod, which can read secrets of the node or other pods and, when
#   writable, change the node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
# - https://avd.aquasec.com/misconfig/ksv023
# custom:
#   id: KSV023
#   aliases:
#   - KSV-0023
#   - AVD-KSV-0023
#   - no-mounted-hostpath
#   - kubernetes-no-mounted-hostpath
#   severity: MEDIUM
#   recommended_action: >-
#     Replace hostPath volumes with emptyDir, configMap, secret, projected or persistent
#     volumes.
#   input:
#     requires_any: [hostPath]
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
package builtin.kubernetes.KSV023

import rego.v1

import data.result
import data.lib.kubernetes

deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some volume in kubernetes.volumes
		kubernetes.has_key(volume, "hostPath")
		msg := data.regoscan.compat.plain_sprintf(
			"%s '%s' should not use the hostPath volume '%v'",
			[input.kind, kubernetes.name, volume.name],
		)
		hit := result.finding(msg, volume)
	]
	some res in hits
}
