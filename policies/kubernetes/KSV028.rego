# METADATA
# title: Pod uses a non-core volume type
# description: >-
#   The Restricted Pod Security Standard allows only the core volume types (configMap,
#   csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret).
#   Network and cloud volume types named directly in the pod spec are not allowed; use a
#   persistentVolumeClaim.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# - https://kubernetes.io/docs/concepts/storage/volumes/
# - https://avd.aquasec.com/misconfig/ksv028
# custom:
#   id: KSV028
#   aliases:
#   - KSV-0028
#   - AVD-KSV-0028
#   - no-non-ephemeral-volumes
#   - kubernetes-no-non-ephemeral-volumes
#   severity: LOW
#   recommended_action: >-
#     Replace the volume with one of a core type, for example a persistentVolumeClaim
#     backed by a PersistentVolume.
#   input:
#     requires_any: [volumes]
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
package builtin.kubernetes.KSV028

import rego.v1

import data.result
import data.lib.kubernetes

# Volume types the Restricted standard rules out (hostPath is left to KSV023). Each key
# of a volume is looked up in the set: one pass over its few keys instead of a has_key
# call per type, which regopy runs slowly.
_disallowed := {
	"awsElasticBlockStore",
	"azureDisk",
	"azureFile",
	"cephfs",
	"cinder",
	"fc",
	"flexVolume",
	"flocker",
	"gcePersistentDisk",
	"gitRepo",
	"glusterfs",
	"iscsi",
	"nfs",
	"photonPersistentDisk",
	"portworxVolume",
	"quobyte",
	"rbd",
	"scaleIO",
	"storageos",
	"vsphereVolume",
}

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	volumes := pod.spec.volumes
	is_array(volumes)
	some volume in volumes
	is_object(volume)
	some type, _ in volume
	type in _disallowed
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not use a '%s' volume ('%v'): only core volume types are allowed",
		[input.kind, kubernetes.name, type, volume.name],
	)
	res := result.finding(msg, volume)
}
