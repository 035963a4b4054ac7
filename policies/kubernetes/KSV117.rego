# METADATA
# title: Container uses a privileged port
# description: >-
#   Ports below 1024 are privileged: binding them needs root or the NET_BIND_SERVICE
#   capability, so an application that listens on them tends to run with more privileges
#   than it needs.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/
# - https://www.stigviewer.com/stig/kubernetes/2022-12-02/finding/V-242414
# - https://avd.aquasec.com/misconfig/ksv117
# custom:
#   id: KSV117
#   aliases:
#   - KSV-0117
#   - AVD-KSV-0117
#   - no-privilege-port-binding
#   - kubernetes-no-privilege-port-binding
#   severity: MEDIUM
#   recommended_action: >-
#     Make the application listen on a port of 1024 or above and map it through a Service
#     if clients need a well-known port.
#   input:
#     requires_any: [containerPort]
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
package builtin.kubernetes.KSV117

import rego.v1

import data.result
import data.lib.kubernetes

_all_privileged_ports(container) := [p |
	ports := container.ports
	is_array(ports)
	some port in ports
	is_object(port)
	p := port.containerPort
	is_number(p)
	p < 1024
]

# In document order without repeats (regopy's sort() orders numbers as strings).
_privileged_ports(container) := [p |
	found := _all_privileged_ports(container)
	some i
	p := found[i]
	not _seen_before(found, i, p)
]

_seen_before(list, i, p) if {
	some j
	list[j] == p
	j < i
}

deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some container in kubernetes.containers
		ports := _privileged_ports(container)
		count(ports) > 0
		listed := [s | some p in ports; s := data.regoscan.compat.plain_sprintf("%v", [p])]
		msg := concat("", [
			data.regoscan.compat.plain_sprintf("Container '%s' of %s '%s'", [container.name, input.kind, kubernetes.name]),
			" should not use container ports below 1024 (found: ",
			concat(", ", listed),
			")",
		])
		hit := result.finding(msg, container)
	]
	some res in hits
}
