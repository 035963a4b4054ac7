# METADATA
# title: Sensitive host path mounted
# description: >-
#   A hostPath volume on a system directory of the node (/, /boot, /dev, /etc, /lib,
#   /proc, /sys, /usr, /var/lib/docker) lets the pod read or change the node's
#   configuration, devices, binaries or container storage, which can lead to taking over
#   the node.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
# - https://avd.aquasec.com/misconfig/ksv121
# custom:
#   id: KSV121
#   aliases:
#   - KSV-0121
#   - AVD-KSV-0121
#   - no-k8s-with-disallowed-volumes
#   - kubernetes-no-k8s-with-disallowed-volumes
#   severity: HIGH
#   recommended_action: >-
#     Remove hostPath volumes on system directories; mount only the specific files a
#     component needs, read-only, or use another volume type.
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
package builtin.kubernetes.KSV121

import rego.v1

import data.result
import data.lib.kubernetes

_disallowed_paths := {"/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var/lib/docker"}

# Trailing slashes do not change the directory mounted ("/etc/" is "/etc").
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
		_clean_path(path) in _disallowed_paths
		msg := data.regoscan.compat.plain_sprintf(
			"%s '%s' should not mount the host path '%s' (volume '%v')",
			[input.kind, kubernetes.name, path, volume.name],
		)
		hit := result.finding(msg, volume)
	]
	some res in hits
}
