# METADATA
# title: Container uses host ports
# description: >-
#   A hostPort binds the container to a port of the node's network interfaces. It
#   bypasses the Service layer and network policies, exposes the container on the node's
#   address and limits where the pod can be scheduled. The Baseline Pod Security Standard
#   forbids it.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://avd.aquasec.com/misconfig/ksv024
# custom:
#   id: KSV024
#   aliases:
#   - KSV-0024
#   - AVD-KSV-0024
#   - no-host-port-access
#   - kubernetes-no-host-port-access
#   severity: HIGH
#   recommended_action: >-
#     Remove 'hostPort' from the 'ports' of every container and expose the pod through a
#     Service instead.
#   input:
#     requires_any: [hostPort]
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
package builtin.kubernetes.KSV024

import rego.v1

import data.result
import data.lib.kubernetes

# Like Trivy's check, no host port is allowed. A hostPort of 0 means "none" in the
# Kubernetes API (the Pod Security Standard allows it) and is not reported.
_allowed_host_ports := set()

_all_host_ports(container) := [p |
	ports := container.ports
	is_array(ports)
	some port in ports
	is_object(port)
	p := port.hostPort
	p != null
	p != 0
	not p in _allowed_host_ports
]

# In document order without repeats (regopy's sort() orders numbers as strings).
_host_ports(container) := [p |
	found := _all_host_ports(container)
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
		ports := _host_ports(container)
		count(ports) > 0
		listed := [s | some p in ports; s := data.regoscan.compat.plain_sprintf("%v", [p])]
		msg := concat("", [
			data.regoscan.compat.plain_sprintf("Container '%s' of %s '%s'", [container.name, input.kind, kubernetes.name]),
			" should not set 'ports[].hostPort' (found: ",
			concat(", ", listed),
			")",
		])
		hit := result.finding(msg, container)
	]
	some res in hits
}
