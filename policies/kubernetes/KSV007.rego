# METADATA
# title: Pod sets hostAliases
# description: >-
#   Entries in spec.hostAliases are written into the pod's /etc/hosts by the kubelet.
#   Managing /etc/hosts this way can redirect the pod's traffic for a name and keeps the
#   container engine from updating the file once the containers run.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/
# - https://avd.aquasec.com/misconfig/ksv007
# custom:
#   id: KSV007
#   aliases:
#   - KSV-0007
#   - AVD-KSV-0007
#   - no-hostaliases
#   - kubernetes-no-hostaliases
#   severity: LOW
#   recommended_action: >-
#     Remove 'hostAliases' from the pod spec and use DNS for name resolution.
#   input:
#     requires_any: [hostAliases]
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
package builtin.kubernetes.KSV007

import rego.v1

import data.result
import data.lib.kubernetes

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	spec := kubernetes.pod_spec(pod)
	kubernetes.has_key(spec, "hostAliases")
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not set 'hostAliases' in its pod spec",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, spec)
}
