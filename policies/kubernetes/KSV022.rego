# METADATA
# title: Container adds capabilities
# description: >-
#   The Baseline Pod Security Standard forbids adding capabilities beyond the container
#   runtime's default set. Every added capability widens what a compromised process can
#   do on the node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
# - https://avd.aquasec.com/misconfig/ksv022
# custom:
#   id: KSV022
#   aliases:
#   - KSV-0022
#   - AVD-KSV-0022
#   - no-non-default-capabilities
#   - kubernetes-no-non-default-capabilities
#   severity: MEDIUM
#   recommended_action: >-
#     Remove 'securityContext.capabilities.add' from containers, init containers and
#     ephemeral containers.
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
package builtin.kubernetes.KSV022

import rego.v1

import data.result
import data.lib.kubernetes

# No capability may be added (like Trivy's check, the allowed set is empty).
_allowed_capabilities := set()

deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some container in kubernetes.containers
		found := {cap |
			some cap in kubernetes.added_capabilities(container)
			is_string(cap)
			not cap in _allowed_capabilities
		}
		count(found) > 0
		added := sort([cap | some cap in found])
		msg := concat("", [
			data.regoscan.compat.plain_sprintf("Container '%s' of %s '%s'", [container.name, input.kind, kubernetes.name]),
			" should not add capabilities in 'securityContext.capabilities.add' (found: ",
			concat(", ", added),
			")",
		])
		hit := result.finding(msg, container)
	]
	some res in hits
}
