# METADATA
# title: Kubernetes views computed in Rego (helper of lib.kubernetes)
# description: >-
#   is_workload, workload_pod and containers of lib.kubernetes, computed from the document.
#   regoscan's loader computes the same values in Python (input.__rs, see
#   src/regoscan/inputs/derived.py) and lib.kubernetes reads those first; this package
#   serves inputs without them (unit tests, other engines). A scan compiles the built-in
#   checks without it (engine/planning.py), so its rules do not weigh on every check's
#   bundle: on regopy each operation costs more the more rules a bundle holds. It reads
#   nothing of lib.kubernetes (which reads it): regorus's recursion check works per
#   package, so the two may not refer to each other; the few rules both need are repeated
#   (tests/test_derived_views.py keeps the values equal).
# scope: package
# custom:
#   library: true
#   input:
#     selector:
#     - type: kubernetes
package lib.kubernetes_views

import rego.v1

import data.lib.kubernetes_security_context as security_context

default is_workload := false

# (a set lookup first: three rule bodies cost several times more on regopy)
is_workload if input.kind in _plain_workload_kinds

is_workload if _openshift_controller

_openshift_controller if {
	input.kind == "DeploymentConfig"
	input.apiVersion == "apps.openshift.io/v1"
}

_plain_workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Pod", "CronJob"}

_template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# lib.kubernetes.workload_pod
workload_pod := input if {
	input.kind == "Pod"
} else := p if {
	input.kind in _template_kinds
	p := input.spec.template
	is_object(p)
} else := p if {
	input.kind == "CronJob"
	p := input.spec.jobTemplate.spec.template
	is_object(p)
} else := p if {
	_openshift_controller
	p := input.spec.template
	is_object(p)
}

# lib.kubernetes.containers: lib.kubernetes.pod_containers(workload_pod)
containers := [security_context.container(pod_sc, c) |
	spec := workload_pod.spec
	is_object(spec)
	pod_sc := _pod_security_context(spec)
	some field in ["containers", "initContainers", "ephemeralContainers"]
	list := spec[field]
	is_array(list)
	some c in list
	is_object(c)
]

_pod_security_context(spec) := sc if {
	sc := spec.securityContext
	is_object(sc)
} else := {}
