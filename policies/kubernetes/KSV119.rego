# METADATA
# title: Container adds the NET_RAW capability
# description: >-
#   NET_RAW lets a process open raw and packet sockets: it can forge packets with any
#   source address and sniff traffic on the pod network, which enables spoofing and man-
#   in-the-middle attacks.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
# - https://avd.aquasec.com/misconfig/ksv119
# custom:
#   id: KSV119
#   aliases:
#   - KSV-0119
#   - AVD-KSV-0119
#   - no-net-raw
#   - kubernetes-no-net-raw
#   severity: HIGH
#   recommended_action: >-
#     Remove 'NET_RAW' from 'securityContext.capabilities.add'; drop ALL capabilities and
#     add back only those the container really needs.
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
package builtin.kubernetes.KSV119

import rego.v1

import data.result
import data.lib.kubernetes

# Exact spelling, as in Trivy.
deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		kubernetes.added_capability(container, "NET_RAW")
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should not add 'NET_RAW' to 'securityContext.capabilities.add'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
