# METADATA
# title: Pod shares the host process ID namespace
# description: >-
#   With hostPID the pod sees every process on the node and, with enough privileges, can
#   inspect their environment and memory or signal them.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://avd.aquasec.com/misconfig/ksv010
# custom:
#   id: KSV010
#   aliases:
#   - KSV-0010
#   - AVD-KSV-0010
#   - no-host-pid
#   - kubernetes-no-host-pid
#   severity: HIGH
#   recommended_action: >-
#     Remove 'hostPID' from the pod spec or set it to false.
#   input:
#     requires_any: [hostPID]
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
package builtin.kubernetes.KSV010

import rego.v1

import data.result
import data.lib.kubernetes

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	spec := kubernetes.pod_spec(pod)
	spec.hostPID == true
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not set 'hostPID' to true in its pod spec",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, spec)
}
