# METADATA
# title: Container image is not pinned (no tag or ':latest')
# description: >-
#   An image referenced without a tag, or with the tag 'latest', may resolve to a
#   different image on each pull. Deployments are then not reproducible and rolling back
#   to a known version is hard. A specific tag or a digest fixes the image.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/containers/images/#image-names
# - https://avd.aquasec.com/misconfig/ksv013
# custom:
#   id: KSV013
#   aliases:
#   - KSV-0013
#   - AVD-KSV-0013
#   - use-specific-tags
#   - kubernetes-use-specific-tags
#   severity: MEDIUM
#   recommended_action: >-
#     Reference every container image with a specific tag other than 'latest', or by
#     digest ('name@sha256:...').
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
package builtin.kubernetes.KSV013

import rego.v1

import data.result
import data.lib.kubernetes

# kubernetes.split_image reads the tag from the last path segment only, so a registry
# port ("registry:5000/app") is not taken for a tag; a digest reference gives tag "".
_is_pinned(image) if contains(image, "@")

_is_pinned(image) if {
	[_, tag] := kubernetes.split_image(image)
	tag != "latest"
}

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		image := container.image
		is_string(image)
		not _is_pinned(image)
		msg := data.regoscan.compat.plain_sprintf(
			"Container '%s' of %s '%s' should use a specific image tag or digest instead of '%s'",
			[container.name, input.kind, kubernetes.name, image],
		)
		finding := result.finding(msg, container)
	]
	some res in found
}
