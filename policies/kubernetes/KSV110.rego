# METADATA
# title: Workload in the default namespace
# description: >-
#   Workloads left in the default namespace share it with everything else deployed
#   without a namespace, so RBAC, network policies, quotas and Pod Security admission
#   cannot be scoped to them.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
# - https://avd.aquasec.com/misconfig/ksv110
# custom:
#   id: KSV110
#   aliases:
#   - KSV-0110
#   - AVD-KSV-0110
#   - default-namespace-should-not-be-used
#   - kubernetes-default-namespace-should-not-be-used
#   severity: LOW
#   recommended_action: >-
#     Set 'metadata.namespace' to a dedicated namespace.
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
package builtin.kubernetes.KSV110

import rego.v1

import data.result
import data.lib.kubernetes

# The kinds Trivy's check covers (DeploymentConfig is not among them).
_kinds := {"pod", "replicaset", "replicationcontroller", "deployment", "statefulset", "daemonset", "cronjob", "job"}

# A missing metadata.namespace counts as "default".
deny contains res if {
	kubernetes.namespace == "default"
	is_string(input.kind)
	lower(input.kind) in _kinds
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should set 'metadata.namespace' to a namespace other than 'default'",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, input.metadata)
}
