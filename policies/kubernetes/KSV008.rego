# METADATA
# title: Pod shares the host IPC namespace
# description: >-
#   With hostIPC the pod's processes share the node's IPC namespace: they can see and use
#   the shared memory segments, semaphores and message queues of every process on the
#   node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://avd.aquasec.com/misconfig/ksv008
# custom:
#   id: KSV008
#   aliases:
#   - KSV-0008
#   - AVD-KSV-0008
#   - no-shared-ipc-namespace
#   - kubernetes-no-shared-ipc-namespace
#   severity: HIGH
#   recommended_action: >-
#     Remove 'hostIPC' from the pod spec or set it to false.
#   input:
#     requires_any: [hostIPC]
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
package builtin.kubernetes.KSV008

import rego.v1

import data.result
import data.lib.kubernetes

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	spec := kubernetes.pod_spec(pod)
	spec.hostIPC == true
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not set 'hostIPC' to true in its pod spec",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, spec)
}
