# METADATA
# title: Container capabilities beyond NET_BIND_SERVICE
# description: >-
#   The Restricted Pod Security Standard requires every container to drop ALL
#   capabilities and allows adding back only NET_BIND_SERVICE (binding to ports below
#   1024).
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://avd.aquasec.com/misconfig/ksv106
# custom:
#   id: KSV106
#   aliases:
#   - KSV-0106
#   - AVD-KSV-0106
#   - drop-caps-add-bind-svc
#   - kubernetes-drop-caps-add-bind-svc
#   severity: LOW
#   recommended_action: >-
#     Put 'ALL' in 'securityContext.capabilities.drop' of every container and add at
#     most 'NET_BIND_SERVICE' to 'securityContext.capabilities.add'.
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
package builtin.kubernetes.KSV106

import rego.v1

import data.result
import data.lib.kubernetes

# 1. ALL is not dropped ("ALL" in any letter case): reported at the container.
deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		not kubernetes.drops_all_capabilities(container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should drop 'ALL' in 'securityContext.capabilities.drop'",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}

# 2. ALL is dropped but something other than NET_BIND_SERVICE (exact spelling) is
# added: one finding per container, reported at its securityContext.capabilities
# mapping (the node Trivy points at), listing the extra capabilities in sorted order.
# The message is built with concat, not sprintf: regopy's sprintf wraps a string made
# by concat/lower/upper/replace in double quotes when the format has other text.
deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some container in kubernetes.containers
		# (nothing added, no finding: a cheap test before the one over capabilities.drop)
		is_array(container.securityContext.capabilities.add)
		kubernetes.drops_all_capabilities(container)
		extra := sort([cap |
			some cap in kubernetes.added_capabilities(container)
			is_string(cap)
			cap != "NET_BIND_SERVICE"
		])
		count(extra) > 0
		msg := concat("", [
			data.regoscan.compat.plain_sprintf("Container '%s' of %s '%s'", [container.name, input.kind, kubernetes.name]),
			" should add no capability except 'NET_BIND_SERVICE' to 'securityContext.capabilities.add' (found: ",
			concat(", ", extra),
			")",
		])
		hit := result.finding(msg, container.securityContext.capabilities)
	]
	some res in hits
}
