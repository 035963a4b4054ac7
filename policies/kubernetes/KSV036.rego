# METADATA
# title: Pod mounts its service account token
# description: >-
#   A pod that explicitly enables automountServiceAccountToken, or mounts a volume at the
#   service account token path, exposes the Kubernetes API credentials of its service
#   account to every process in the pod. Pods that do not talk to the API server should
#   not carry the token.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
# - https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/
# - https://avd.aquasec.com/misconfig/ksv036
# custom:
#   id: KSV036
#   aliases:
#   - KSV-0036
#   - AVD-KSV-0036
#   - no-auto-mount-service-token
#   - kubernetes-no-auto-mount-service-token
#   severity: MEDIUM
#   recommended_action: >-
#     Set 'automountServiceAccountToken: false' in the pod spec (or on the service
#     account) and do not mount '/var/run/secrets/kubernetes.io/serviceaccount' unless
#     the pod needs the API.
#   input:
#     requires_any: [automountServiceAccountToken, /var/run/secrets/kubernetes.io/serviceaccount]
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
package builtin.kubernetes.KSV036

import rego.v1

import data.result
import data.lib.kubernetes

_token_path := "/var/run/secrets/kubernetes.io/serviceaccount"

# Trivy's condition, applied to the pod spec of every pod template: the token is
# enabled explicitly, or (the field being absent) a container mounts the token path.
_mounts_token(pod, spec) if {
	spec.automountServiceAccountToken == true
}

_mounts_token(pod, spec) if {
	not kubernetes.has_key(spec, "automountServiceAccountToken")
	some container in kubernetes.containers
	mounts := container.volumeMounts
	is_array(mounts)
	some mount in mounts
	is_object(mount)
	mount.mountPath == _token_path
}

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	spec := kubernetes.pod_spec(pod)
	_mounts_token(pod, spec)
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should set 'automountServiceAccountToken' to false in its pod spec and not mount the service account token",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, spec)
}
