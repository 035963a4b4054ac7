# METADATA
# title: User resource in the kube-system namespace
# description: >-
#   The kube-system namespace is meant for the cluster's own components. User workloads
#   and services placed there share it with highly privileged system service accounts and
#   secrets and escape policies written for application namespaces. Only the control-
#   plane static pods (kube-apiserver, etcd, kube-controller-manager, kube-scheduler) are
#   expected there.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
# - https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/
# - https://avd.aquasec.com/misconfig/ksv037
# custom:
#   id: KSV037
#   aliases:
#   - KSV-0037
#   - AVD-KSV-0037
#   - no-user-pods-in-system-namespace
#   - no-user-resources-in-system-namespace
#   - kubernetes-no-user-resources-in-system-namespace
#   severity: MEDIUM
#   recommended_action: >-
#     Deploy the resource to a namespace of its own instead of 'kube-system'.
#   input:
#     requires_any: [namespace]
#     selector:
#     - type: kubernetes
package builtin.kubernetes.KSV037

import rego.v1

import data.result
import data.lib.kubernetes

_core_components := {"kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler"}

# A control-plane component: labelled tier=control-plane with one of the core component
# names and run with the system-node-critical priority class (how kubeadm writes them).
_is_core_component if {
	labels := input.metadata.labels
	labels.tier == "control-plane"
	labels.component in _core_components
	input.spec.priorityClassName == "system-node-critical"
}

# Like Trivy's check, only resources that have a spec are considered (ConfigMaps,
# Secrets, ServiceAccounts and RBAC objects in kube-system are not reported).
deny contains res if {
	kubernetes.namespace == "kube-system"
	kubernetes.has_key(input, "spec")
	not _is_core_component
	msg := data.regoscan.compat.plain_sprintf(
		"%s '%s' should not be placed in the 'kube-system' namespace",
		[input.kind, kubernetes.name],
	)
	res := result.finding(msg, input.metadata)
}
