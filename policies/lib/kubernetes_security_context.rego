# METADATA
# title: Effective container security context (helper of lib.kubernetes)
# description: >-
#   Merges a pod's securityContext into each container's, container values winning,
#   as Kubernetes does. It lives in its own package because lib.kubernetes defines a
#   rule named `object` (Trivy's name for the document), which hides the object.*
#   built-ins inside that package; the built-ins are several times faster than the
#   equivalent comprehensions on regopy.
# scope: package
# custom:
#   library: true
package lib.kubernetes_security_context

import rego.v1

# PodSecurityContext fields that also exist in a container's SecurityContext.
inherited_fields := {"runAsGroup", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile", "windowsOptions"}

# The nested ones, merged key by key when both levels set them (object.union is
# shallow on regopy, so one explicit level here gives OPA's recursive result).
_nested_fields := {"seLinuxOptions", "seccompProfile", "windowsOptions"}

_object_or_empty(x) := x if is_object(x)

else := {}

effective(pod_sc, own_sc) := sc if {
	inh := object.filter(_object_or_empty(pod_sc), inherited_fields)
	own := _object_or_empty(own_sc)
	nested := {k: object.union(a, b) |
		some k in _nested_fields
		a := inh[k]
		b := own[k]
		is_object(a)
		is_object(b)
	}
	sc := object.union(object.union(inh, own), nested)
}

# The container with "securityContext" replaced by the effective one (always present).
container(pod_sc, c) := object.union(c, {"securityContext": effective(pod_sc, object.get(c, "securityContext", {}))})
