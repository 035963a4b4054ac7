# METADATA
# title: Deprecated or removed API version
# description: >-
#   The resource is written against an apiVersion that Kubernetes has deprecated for its
#   kind and removes (or has removed) in a later release; the API server of a cluster at
#   or past that release refuses it. The table of deprecated group versions and kinds
#   is Kubernetes' own API lifecycle data, as shipped with Trivy's check. Without cluster
#   information every listed apiVersion/kind is reported; with a cluster version given
#   as data ({"k8s": {"version": "1.27.3"}} through --data) only those already
#   deprecated in that version are. Unlike Trivy, whose table files the extensions and
#   apps beta versions and some groups under wrong keys (so that, for example,
#   extensions/v1beta1 Deployments are not reported), regoscan keys each entry by its real
#   API group and version. Reported once per document, over the whole resource.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
# - https://avd.aquasec.com/misconfig/ksv107
# custom:
#   id: KSV107
#   aliases:
#   - KSV-0107
#   - AVD-KSV-0107
#   - evaluate-k8s-deprecated-removed-apis
#   - kubernetes-evaluate-k8s-deprecated-removed-apis
#   severity: LOW
#   recommended_action: >-
#     Move the resource to the current apiVersion of its kind (see the Kubernetes
#     deprecated API migration guide) and adapt the fields that changed.
#   input:
#     requires_any: [
#       admission.k8s.io/v1beta1, admissionregistration.k8s.io/v1beta1, apidiscovery.k8s.io/v2beta1,
#       apps/v1beta1, apps/v1beta2, authentication.k8s.io/v1alpha1, authentication.k8s.io/v1beta1,
#       authorization.k8s.io/v1beta1, autoscaling/v2beta1, autoscaling/v2beta2, batch/v1beta1,
#       certificates.k8s.io/v1alpha1, certificates.k8s.io/v1beta1, coordination.k8s.io/v1beta1,
#       discovery.k8s.io/v1beta1, events.k8s.io/v1beta1, extensions/v1beta1,
#       flowcontrol.apiserver.k8s.io/v1beta1, flowcontrol.apiserver.k8s.io/v1beta2,
#       flowcontrol.apiserver.k8s.io/v1beta3, networking.k8s.io/v1alpha1, networking.k8s.io/v1beta1,
#       node.k8s.io/v1beta1, policy/v1beta1, rbac.authorization.k8s.io/v1beta1, scheduling.k8s.io/v1beta1,
#       storage.k8s.io/v1alpha1, storage.k8s.io/v1beta1
#     ]
#     selector:
#     - type: kubernetes
package defsec.kubernetes.KSV107

import rego.v1

import data.lib.kubernetes
import data.result

# apiVersion -> kind -> [deprecated in, removed in, apiVersion to move to ("" if none)].
# Kubernetes minor versions, without the leading "v".
_apis := {
	"admission.k8s.io/v1beta1": {
		"AdmissionReview": ["1.19", "1.22", "admission.k8s.io/v1"],
	},
	"admissionregistration.k8s.io/v1beta1": {
		"MutatingWebhookConfiguration": ["1.16", "1.22", "admissionregistration.k8s.io/v1"],
		"MutatingWebhookConfigurationList": ["1.16", "1.22", "admissionregistration.k8s.io/v1"],
		"ValidatingAdmissionPolicy": ["1.31", "1.34", ""],
		"ValidatingAdmissionPolicyBinding": ["1.31", "1.34", ""],
		"ValidatingAdmissionPolicyBindingList": ["1.31", "1.34", ""],
		"ValidatingAdmissionPolicyList": ["1.31", "1.34", ""],
		"ValidatingWebhookConfiguration": ["1.16", "1.22", "admissionregistration.k8s.io/v1"],
		"ValidatingWebhookConfigurationList": ["1.16", "1.22", "admissionregistration.k8s.io/v1"],
	},
	"apidiscovery.k8s.io/v2beta1": {
		"APIGroupDiscovery": ["1.32", "1.35", ""],
		"APIGroupDiscoveryList": ["1.32", "1.35", ""],
	},
	"apps/v1beta1": {
		"ControllerRevision": ["1.8", "1.16", "apps/v1"],
		"ControllerRevisionList": ["1.8", "1.16", "apps/v1"],
		"Deployment": ["1.8", "1.16", "apps/v1"],
		"DeploymentList": ["1.8", "1.16", "apps/v1"],
		"DeploymentRollback": ["1.8", "1.16", "apps/v1"],
		"Scale": ["1.8", "1.16", "autoscaling/v1"],
		"StatefulSet": ["1.8", "1.16", "apps/v1"],
		"StatefulSetList": ["1.8", "1.16", "apps/v1"],
	},
	"apps/v1beta2": {
		"ControllerRevision": ["1.9", "1.16", "apps/v1"],
		"ControllerRevisionList": ["1.9", "1.16", "apps/v1"],
		"DaemonSet": ["1.9", "1.16", "apps/v1"],
		"DaemonSetList": ["1.9", "1.16", "apps/v1"],
		"Deployment": ["1.9", "1.16", "apps/v1"],
		"DeploymentList": ["1.9", "1.16", "apps/v1"],
		"ReplicaSet": ["1.9", "1.16", "apps/v1"],
		"ReplicaSetList": ["1.9", "1.16", "apps/v1"],
		"Scale": ["1.9", "1.16", "autoscaling/v1"],
		"StatefulSet": ["1.9", "1.16", "apps/v1"],
		"StatefulSetList": ["1.9", "1.16", "apps/v1"],
	},
	"authentication.k8s.io/v1alpha1": {
		"SelfSubjectReview": ["1.29", "1.32", ""],
	},
	"authentication.k8s.io/v1beta1": {
		"SelfSubjectReview": ["1.30", "1.33", ""],
		"TokenReview": ["1.19", "1.22", "authentication.k8s.io/v1"],
	},
	"authorization.k8s.io/v1beta1": {
		"LocalSubjectAccessReview": ["1.19", "1.22", "authorization.k8s.io/v1"],
		"SelfSubjectAccessReview": ["1.19", "1.22", "authorization.k8s.io/v1"],
		"SelfSubjectRulesReview": ["1.19", "1.22", "authorization.k8s.io/v1"],
		"SubjectAccessReview": ["1.19", "1.22", "authorization.k8s.io/v1"],
	},
	"autoscaling/v2beta1": {
		"HorizontalPodAutoscaler": ["1.22", "1.25", "autoscaling/v2"],
		"HorizontalPodAutoscalerList": ["1.22", "1.25", "autoscaling/v2beta2"],
	},
	"autoscaling/v2beta2": {
		"HorizontalPodAutoscaler": ["1.23", "1.26", "autoscaling/v2"],
		"HorizontalPodAutoscalerList": ["1.22", "1.25", ""],
	},
	"batch/v1beta1": {
		"CronJob": ["1.21", "1.25", "batch/v1"],
		"CronJobList": ["1.21", "1.25", "batch/v1"],
	},
	"certificates.k8s.io/v1alpha1": {
		"ClusterTrustBundle": ["1.29", "1.32", ""],
		"ClusterTrustBundleList": ["1.29", "1.32", ""],
	},
	"certificates.k8s.io/v1beta1": {
		"CertificateSigningRequest": ["1.19", "1.22", "certificates.k8s.io/v1"],
		"CertificateSigningRequestList": ["1.19", "1.22", "certificates.k8s.io/v1"],
	},
	"coordination.k8s.io/v1beta1": {
		"Lease": ["1.19", "1.22", "coordination.k8s.io/v1"],
		"LeaseList": ["1.19", "1.22", "coordination.k8s.io/v1"],
	},
	"discovery.k8s.io/v1beta1": {
		"EndpointSlice": ["1.21", "1.25", "discovery.k8s.io/v1"],
		"EndpointSliceList": ["1.21", "1.25", "discovery.k8s.io/v1"],
	},
	"events.k8s.io/v1beta1": {
		"Event": ["1.22", "1.25", ""],
		"EventList": ["1.22", "1.25", ""],
	},
	"extensions/v1beta1": {
		"DaemonSet": ["1.8", "1.16", "apps/v1"],
		"DaemonSetList": ["1.8", "1.16", "apps/v1"],
		"Deployment": ["1.8", "1.16", "apps/v1"],
		"DeploymentList": ["1.8", "1.16", "apps/v1"],
		"DeploymentRollback": ["1.8", "1.16", ""],
		"Ingress": ["1.14", "1.22", "networking.k8s.io/v1"],
		"IngressList": ["1.14", "1.22", "networking.k8s.io/v1"],
		"NetworkPolicy": ["1.9", "1.16", "networking.k8s.io/v1"],
		"NetworkPolicyList": ["1.9", "1.16", "networking.k8s.io/v1"],
		"ReplicaSet": ["1.8", "1.16", "apps/v1"],
		"ReplicaSetList": ["1.8", "1.16", "apps/v1"],
		"Scale": ["1.2", "1.16", ""],
	},
	"flowcontrol.apiserver.k8s.io/v1beta1": {
		"FlowSchema": ["1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1beta3"],
		"FlowSchemaList": ["1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1beta3"],
		"PriorityLevelConfiguration": ["1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1beta3"],
		"PriorityLevelConfigurationList": ["1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1beta3"],
	},
	"flowcontrol.apiserver.k8s.io/v1beta2": {
		"FlowSchema": ["1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1beta3"],
		"FlowSchemaList": ["1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1beta3"],
		"PriorityLevelConfiguration": ["1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1beta3"],
		"PriorityLevelConfigurationList": ["1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1beta3"],
	},
	"flowcontrol.apiserver.k8s.io/v1beta3": {
		"FlowSchema": ["1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"],
		"FlowSchemaList": ["1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"],
		"PriorityLevelConfiguration": ["1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"],
		"PriorityLevelConfigurationList": ["1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"],
	},
	"networking.k8s.io/v1alpha1": {
		"IPAddress": ["1.30", "1.33", ""],
		"IPAddressList": ["1.30", "1.33", ""],
		"ServiceCIDR": ["1.30", "1.33", ""],
		"ServiceCIDRList": ["1.30", "1.33", ""],
	},
	"networking.k8s.io/v1beta1": {
		"Ingress": ["1.19", "1.22", "networking.k8s.io/v1"],
		"IngressClass": ["1.19", "1.22", "networking.k8s.io/v1"],
		"IngressClassList": ["1.19", "1.22", "networking.k8s.io/v1"],
		"IngressList": ["1.19", "1.22", "networking.k8s.io/v1"],
	},
	"node.k8s.io/v1beta1": {
		"RuntimeClass": ["1.22", "1.25", ""],
		"RuntimeClassList": ["1.22", "1.25", ""],
	},
	"policy/v1beta1": {
		"Eviction": ["1.22", "1.25", ""],
		"PodDisruptionBudget": ["1.21", "1.25", "policy/v1"],
		"PodDisruptionBudgetList": ["1.21", "1.25", "policy/v1"],
	},
	"rbac.authorization.k8s.io/v1beta1": {
		"ClusterRole": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"ClusterRoleBinding": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"ClusterRoleBindingList": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"ClusterRoleList": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"Role": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"RoleBinding": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"RoleBindingList": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
		"RoleList": ["1.17", "1.22", "rbac.authorization.k8s.io/v1"],
	},
	"scheduling.k8s.io/v1beta1": {
		"PriorityClass": ["1.14", "1.22", "scheduling.k8s.io/v1"],
		"PriorityClassList": ["1.14", "1.22", "scheduling.k8s.io/v1"],
	},
	"storage.k8s.io/v1alpha1": {
		"CSIStorageCapacity": ["1.21", "1.24", "storage.k8s.io/v1beta1"],
		"CSIStorageCapacityList": ["1.21", "1.24", "storage.k8s.io/v1beta1"],
		"VolumeAttachment": ["1.21", "1.24", "storage.k8s.io/v1"],
		"VolumeAttachmentList": ["1.21", "1.24", "storage.k8s.io/v1"],
		"VolumeAttributesClass": ["1.32", "1.35", ""],
		"VolumeAttributesClassList": ["1.32", "1.35", ""],
	},
	"storage.k8s.io/v1beta1": {
		"CSIDriver": ["1.19", "1.22", "storage.k8s.io/v1"],
		"CSIDriverList": ["1.19", "1.22", "storage.k8s.io/v1"],
		"CSINode": ["1.17", "1.22", "storage.k8s.io/v1"],
		"CSINodeList": ["1.17", "1.22", "storage.k8s.io/v1"],
		"CSIStorageCapacity": ["1.24", "1.27", "storage.k8s.io/v1"],
		"CSIStorageCapacityList": ["1.24", "1.27", "storage.k8s.io/v1"],
		"StorageClass": ["1.19", "1.22", "storage.k8s.io/v1"],
		"StorageClassList": ["1.19", "1.22", "storage.k8s.io/v1"],
		"VolumeAttachment": ["1.19", "1.22", "storage.k8s.io/v1"],
		"VolumeAttachmentList": ["1.19", "1.22", "storage.k8s.io/v1"],
	},
}

# [major, minor] of a version string such as "1.27", "v1.27.3" or "1.27.3-gke.100".
_k8s_major_minor(v) := [to_number(nums[0]), to_number(nums[1])] if {
	is_string(v)
	nums := regex.find_n(`[0-9]+`, v, 2)
	count(nums) == 2
}

_k8s_not_older(have, want) if have[0] > want[0]

_k8s_not_older(have, want) if {
	have[0] == want[0]
	have[1] >= want[1]
}

# No cluster information: every listed API counts (as in Trivy).
_deprecation_applies(_) if not _cluster_known

# A cluster version is given: the API must be deprecated in it already. (Trivy compares
# full semantic versions; regoscan compares major.minor, which is what the table holds.)
_deprecation_applies(entry) if _k8s_not_older(_k8s_major_minor(data.k8s.version), _k8s_major_minor(entry[0]))

_cluster_known if _ = data.k8s

# Every apiVersion in _apis is an alpha or beta one: a cheap test before the table, which
# regopy builds anew for each document it is looked up in (about 1 ms).
_maybe_deprecated if contains(kubernetes.api_version, "beta")

_maybe_deprecated if contains(kubernetes.api_version, "alpha")

deny contains res if {
	_maybe_deprecated
	entry := _apis[kubernetes.api_version][input.kind]
	_deprecation_applies(entry)
	msg := concat("", [
		input.kind,
		" '",
		kubernetes.name,
		"' uses apiVersion '",
		kubernetes.api_version,
		"', deprecated since Kubernetes ",
		entry[0],
		" and removed in ",
		entry[1],
		_migration_hint(entry),
	])
	res := result.finding(msg, input)
}

_migration_hint(entry) := concat("", ["; use '", entry[2], "' instead"]) if entry[2] != ""

else := ""
