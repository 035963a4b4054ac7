# METADATA
# title: Docker socket mounted from the host
# description: >-
#   A hostPath volume for /var/run/docker.sock gives the pod the Docker daemon's API: it
#   can start privileged containers on the node and so take over the node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
# - https://avd.aquasec.com/misconfig/ksv006
# custom:
#   id: KSV006
#   aliases:
#   - KSV-0006
#   - AVD-KSV-0006
#   - no-docker-sock-mount
#   - kubernetes-no-docker-sock-mount
#   severity: HIGH
#   recommended_action: >-
#     Remove the hostPath volume for '/var/run/docker.sock'.
#   input:
#     requires_any: [hostPath]
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
package builtin.kubernetes.KSV006

import rego.v1

import data.result
import data.lib.kubernetes

_docker_socket := "/var/run/docker.sock"

# Trailing slashes do not change the path the volume mounts.
_clean_path(p) := "/" if {
	trim_right(p, "/") == ""
	startswith(p, "/")
} else := trim_right(p, "/")

deny contains res if {
	kubernetes.is_workload
	hits := [hit |
		some volume in kubernetes.volumes
		path := volume.hostPath.path
		is_string(path)
		_clean_path(path) == _docker_socket
		msg := data.regoscan.compat.plain_sprintf(
			"%s '%s' should not mount the Docker socket '%s' from the host (volume '%v')",
			[input.kind, kubernetes.name, path, volume.name],
		)
		hit := result.finding(msg, volume)
	]
	some res in hits
}
