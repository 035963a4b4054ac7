# METADATA
# title: Changing the EKS aws-auth ConfigMap
# description: >-
#   On Amazon EKS the 'aws-auth' ConfigMap in kube-system maps AWS IAM roles and users
#   to Kubernetes users and groups; whoever can change it can give any IAM identity,
#   including their own, cluster-admin rights. Reported for each rule of a Role or
#   ClusterRole that names 'aws-auth' in 'resourceNames' and grants a verb that changes
#   'configmaps'.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
# - https://avd.aquasec.com/misconfig/ksv115
# custom:
#   id: KSV115
#   aliases:
#   - KSV-0115
#   - AVD-KSV-0115
#   - eks-iam-configmap
#   - kubernetes-eks-iam-configmap
#   severity: CRITICAL
#   recommended_action: >-
#     Remove the write verbs (create, update, patch, delete, deletecollection,
#     impersonate, '*') from rules on the 'aws-auth' ConfigMap.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: Role
#       - kind: ClusterRole
package builtin.kubernetes.KSV115

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_resources := {"configmaps"}

_verbs := {"create", "update", "patch", "delete", "deletecollection", "impersonate", "*"}

_resource_names := {"aws-auth"}

deny contains res if {
	rbac.is_role_kind
	hits := [hit |
		some rule in rbac.policy_rules
		resources := rbac.rule_matches(rule, "resources", _resources)
		count(resources) > 0
		verbs := rbac.rule_matches(rule, "verbs", _verbs)
		count(verbs) > 0
		count(rbac.rule_matches(rule, "resourceNames", _resource_names)) > 0
		msg := concat("", [
			input.kind,
			" '",
			kubernetes.name,
			"' grants ",
			rbac.quoted_list(verbs),
			" on ",
			rbac.quoted_list(resources),
			" named 'aws-auth', which maps AWS IAM identities to Kubernetes users",
		])
		hit := result.finding(msg, rule)
	]
	some res in hits
}
