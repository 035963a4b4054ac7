# METADATA
# title: Helm Tiller deployed
# description: >-
#   Tiller, the in-cluster server of Helm 2, runs with broad cluster permissions and by
#   default serves an unauthenticated gRPC API, so anyone who can reach it can act as
#   cluster admin. Helm 2 is end-of-life; Helm 3 needs no in-cluster component.
# scope: package
# related_resources:
# - https://helm.sh/docs/faq/changes_since_helm2/#removal-of-tiller
# - https://avd.aquasec.com/misconfig/ksv102
# custom:
#   id: KSV102
#   aliases:
#   - KSV-0102
#   - AVD-KSV-0102
#   - no-tiller
#   - kubernetes-no-tiller
#   severity: CRITICAL
#   recommended_action: >-
#     Remove Tiller and migrate to Helm 3.
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
package builtin.kubernetes.KSV102

import rego.v1

import data.result
import data.lib.kubernetes

# Tiller by metadata: a name containing "tiller", or the labels app=helm or name=tiller.
_tiller_metadata(metadata) if {
	n := metadata.name
	is_string(n)
	contains(n, "tiller")
}

_tiller_metadata(metadata) if metadata.labels.app == "helm"

_tiller_metadata(metadata) if metadata.labels.name == "tiller"

_is_tiller(pod, container) if _tiller_metadata(input.metadata)

_is_tiller(pod, container) if _tiller_metadata(pod.metadata)

_is_tiller(pod, container) if {
	image := container.image
	is_string(image)
	contains(image, "tiller")
}

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	found := [finding |
		some container in kubernetes.containers
		_is_tiller(pod, container)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' runs Helm Tiller, which should not be deployed",
			[container.name, input.kind, kubernetes.name],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
