# METADATA
# title: Pod uses the host network
# description: >-
#   With hostNetwork the pod uses the node's network namespace: it can bind the node's
#   ports, reach services listening on the node's loopback interface and observe the
#   node's network traffic, and network policies no longer isolate it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://avd.aquasec.com/misconfig/ksv009
# custom:
#   id: KSV009
#   aliases:
#   - KSV-0009
#   - AVD-KSV-0009
#   - no-host-network
#   - kubernetes-no-host-network
#   severity: HIGH
#   recommended_action: >-
#     Remove 'hostNetwork' from the pod spec or set it to false.
#   input:
#     requires_any: [hostNetwork]
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
package builtin.kubernetes.KSV009

import rego.v1

import data.result
import data.lib.kubernetes

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	spec := kubernetes.pod_spec(pod)
	spec.hostNetwork == true
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not set 'hostNetwork' to true in its pod spec",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, spec)
}
