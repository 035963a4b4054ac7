# METADATA
# title: Kubernetes helpers for regoscan checks
# description: >-
#   Resource identity (kind, name, namespace), the pod templates a workload carries and
#   its containers with the pod-level security context folded in. Written for regopy
#   (rego-cpp) and regorus alike: no iteration inside call arguments, no object.union
#   on nested values, no reliance on set order.
# scope: package
# custom:
#   library: true
#   input:
#     selector:
#     - type: kubernetes
package lib.kubernetes

import rego.v1

import data.lib.kubernetes_security_context as security_context

# ---------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------

# The manifest under evaluation (one document).
object := input

# (input, not object: on regopy every rule hop costs a little in every check)
kind := input.kind

api_version := input.apiVersion

# metadata.name; falls back to metadata.generateName, then "", so that a finding on an
# unnamed resource still gets a message.
default name := ""

# (input.__rs: regoscan's loader computes the same value, see is_workload)
name := n if {
	n := input.__rs.name
} else := n if {
	n := object.metadata.name
	is_string(n)
} else := n if {
	n := object.metadata.generateName
	is_string(n)
}

default namespace := "default"

namespace := ns if {
	ns := object.metadata.namespace
	is_string(ns)
}

# Kinds whose spec.template is a pod template. DeploymentConfig only counts with the
# OpenShift apiVersion.
controller_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# Every kind that carries a pod spec (the subtypes the workload checks select).
workload_kinds := controller_kinds | {"Pod", "CronJob", "DeploymentConfig"}

default is_pod := false

is_pod if kind == "Pod"

default is_cronjob := false

is_cronjob if kind == "CronJob"

default is_controller := false

is_controller if kind in controller_kinds

is_controller if {
	kind == "DeploymentConfig"
	api_version == "apps.openshift.io/v1"
}

# true for every kind that yields at least one pod template (use it as the cheap guard).
default is_workload := false

# regoscan's loader gives a document input.__rs (src/regoscan/inputs/derived.py: the
# values of name, containers and workload_pod computed once in Python) exactly when this
# rule holds, and drops a key of that name from every other manifest; testing it first
# spares the kind tests, which cost every workload check ~0.05 ms on regopy. Inputs
# written by hand (unit tests, other engines) get the values of lib.kubernetes_views,
# which computes them in Rego. Every input a scan evaluates comes from the loader, so the
# built-in checks' bundles leave out the branches that read that package (between the
# markers, rego/fallbacks.py), and with them the package itself.
is_workload := true if {
	_ = input.__rs
}
# regoscan: fallback begin
else := w if {
	w := data.lib.kubernetes_views.is_workload
}
# regoscan: fallback end

# ---------------------------------------------------------------------------
# Pods
# ---------------------------------------------------------------------------

# The pod mappings of the document (an array): the Pod itself, a controller's spec.template, a
# CronJob's spec.jobTemplate.spec.template. Each keeps its __defsec_metadata.
# (An array of at most one pod, from one rule: three partial-set bodies cost regopy
# several times more.)
pods := [p] if {
	p := workload_pod
} else := []

# The document's one pod mapping (the element of pods), undefined when it has none. Checks
# use `pod := kubernetes.workload_pod` rather than `some pod in kubernetes.pods`: building
# the array copies the whole pod on regopy, in every check that iterates it.
#
# input.__rs.pod (see is_workload) says where the pod is: 0 the document, 1 spec.template,
# 2 a CronJob's spec.jobTemplate.spec.template; it is absent when that is no mapping.
workload_pod := input if {
	input.__rs.pod == 0
} else := p if {
	input.__rs.pod == 1
	p := input.spec.template
} else := p if {
	input.__rs.pod == 2
	p := input.spec.jobTemplate.spec.template
}
# regoscan: fallback begin
else := p if {
	p := data.lib.kubernetes_views.workload_pod
}
# regoscan: fallback end

# The pod spec (an empty object when the pod has none).
pod_spec(pod) := spec if {
	spec := pod.spec
	is_object(spec)
} else := {}

# Volumes of every pod. (workload_pod, not pods and pod_spec: on regopy building the array
# copies the pod, and every rule call costs.)
volumes contains volume if {
	pod := workload_pod
	vs := pod.spec.volumes
	is_array(vs)
	some volume in vs
}

# Pod-level annotations (metadata.annotations of each pod / pod template).
annotations contains a if {
	pod := workload_pod
	a := pod.metadata.annotations
	is_object(a)
}

# ---------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------

# The pod spec fields holding containers. NOTE: Trivy's library only reads containers
# and initContainers; regoscan also reads ephemeralContainers.
container_fields := ["containers", "initContainers", "ephemeralContainers"]

# PodSecurityContext fields that also exist in a container's SecurityContext: when both
# are set the container's value wins (Kubernetes API reference, SecurityContext).
inherited_security_fields := {"runAsGroup", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile", "windowsOptions"}

# The containers of one pod as written (no merging), in document order:
# containers, then initContainers, then ephemeralContainers.
pod_raw_containers(pod) := [c |
	spec := pod_spec(pod)
	some field in container_fields
	list := spec[field]
	is_array(list)
	some c in list
	is_object(c)
]

# (some i; c := list[i], not some i, c in list: regopy cannot parse the latter inside
# an array or set comprehension.)
# Each entry: {"container": <effective, see effective_container>, "field": "containers"|"initContainers"|...,
# "index": <position in that list>}, for checks that must tell the lists apart.
pod_container_entries(pod) := [e |
	spec := pod_spec(pod)
	some field in container_fields
	list := spec[field]
	is_array(list)
	some i
	c := list[i]
	is_object(c)
	e := {"container": effective_container(pod, c), "field": field, "index": i}
]

# The containers of one pod with the effective securityContext (see effective_container).
pod_containers(pod) := [effective_container(pod, c) | some c in pod_raw_containers(pod)]

# Every container of every pod of the document, with the effective securityContext.
# Each keeps its own __defsec_metadata, so result.new(msg, container) points at the
# container's "- name:" line through its last line.
#
# An array rather than a set (iterate it with `some c in kubernetes.containers`):
# building a set of container objects costs regopy more than the check itself.
# regoscan computes the value in Python when it parses a manifest (input.__rs.containers,
# the same value; see src/regoscan/inputs/derived.py); hand-written inputs take the Rego path.
containers := cs if {
	cs := input.__rs.containers
}
# regoscan: fallback begin
else := cs if {
	cs := data.lib.kubernetes_views.containers
}
# regoscan: fallback end
else := []

# Every container of every pod as written in the manifest (no merging).
raw_containers contains c if {
	pod := workload_pod
	some c in pod_raw_containers(pod)
}

# The pod-level securityContext (empty object if absent).
pod_security_context(pod) := sc if {
	sc := pod_spec(pod).securityContext
	is_object(sc)
} else := {}

# The container's own securityContext (empty object if absent).
own_security_context(container) := sc if {
	sc := container.securityContext
	is_object(sc)
} else := {}

# The securityContext a container runs with: its own fields, plus the inherited
# pod-level fields it does not set. Nested mappings present at both levels
# (seLinuxOptions, seccompProfile, windowsOptions) are merged key by key, container
# keys winning, the result OPA's recursive object.union gives (Trivy resolves it that
# way). The work is done in lib.kubernetes_security_context (see there why).
effective_security_context(pod, container) := security_context.effective(
	pod_security_context(pod),
	own_security_context(container),
)

# The container with "securityContext" replaced by the effective one. Like Trivy's
# library, the key is always present afterwards (an empty object when neither level
# sets anything): use raw_containers / own_security_context to see what was written.
effective_container(pod, container) := security_context.container(pod_security_context(pod), container)

# ---------------------------------------------------------------------------
# Capabilities and common security-context tests (take an effective container)
# ---------------------------------------------------------------------------

# The capability lists (empty arrays when absent or malformed).
dropped_capabilities(container) := caps if {
	caps := container.securityContext.capabilities.drop
	is_array(caps)
} else := []

added_capabilities(container) := caps if {
	caps := container.securityContext.capabilities.add
	is_array(caps)
} else := []

# true if cap (exact string) is in capabilities.drop / capabilities.add.
dropped_capability(container, cap) if {
	some c in dropped_capabilities(container)
	c == cap
}

added_capability(container, cap) if {
	some c in added_capabilities(container)
	c == cap
}

# true if capabilities.drop contains "ALL" in any letter case.
drops_all_capabilities(container) if {
	some c in dropped_capabilities(container)
	is_string(c)
	upper(c) == "ALL"
}

# true if the effective securityContext field equals value (false/true/number...).
security_context_is(container, field, value) if {
	container.securityContext[field] == value
}

# true if obj (a mapping) has the key, whatever its value (false and null included).
has_key(obj, k) if {
	is_object(obj)
	_ = obj[k]
}

# The keys of a mapping. NOTE: this package defines a rule named `object`, and regopy
# then resolves object.keys / object.get / object.union written in this package to
# data.lib.kubernetes.object.* ("Function not found"). So no object.* built-in is used
# in this file.
_keys(obj) := {k | _ = obj[k]}

# Split an image reference into [name, tag]. The tag is "latest" when none is given,
# except for a digest reference ("name@sha256:..."), which yields tag "". A registry
# port ("host:5000/app") is not a tag.
split_image(image) := [n, t] if {
	ref := split(image, "@")[0]
	_has_tag(ref)
	parts := split(ref, ":")
	t := parts[count(parts) - 1]
	n := substring(ref, 0, (count(ref) - count(t)) - 1)
} else := [ref, ""] if {
	contains(image, "@")
	ref := split(image, "@")[0]
} else := [image, "latest"]

_has_tag(ref) if {
	parts := split(ref, ":")
	count(parts) > 1
	not contains(parts[count(parts) - 1], "/")
}

# ---------------------------------------------------------------------------
# Helpers for porting checks written against Trivy's library
# ---------------------------------------------------------------------------

# Identity: regoscan has no Gatekeeper mode, the message is returned as is.
format(msg) := msg

# true if obj[field] is set to a value other than false (Trivy's has_field meaning;
# use has_key to accept false too).
has_field(obj, field) if {
	v := obj[field]
	v != false
}

# The pod specs of the document.
pod_specs contains spec if {
	pod := workload_pod
	spec := pod_spec(pod)
}

# The spec.hostIPC / hostNetwork / hostPID values that are set, per pod.
host_ipcs contains v if {
	some spec in pod_specs
	v := spec.hostIPC
}

host_networks contains v if {
	some spec in pod_specs
	v := spec.hostNetwork
}

host_pids contains v if {
	some spec in pod_specs
	v := spec.hostPID
}

# true if some element of the command/args list matches the regular expression.
command_has_flag(command, pattern) if {
	some c in command
	is_string(c)
	regex.match(pattern, c)
}

_command_is(container, pattern) if {
	cmd0 := container.command[0]
	is_string(cmd0)
	regex.match(pattern, cmd0)
}

is_apiserver(container) if _command_is(container, `^(.*/)?kube-apiserver$`)

is_controllermanager(container) if _command_is(container, `^(.*/)?kube-controller-manager$`)

is_scheduler(container) if _command_is(container, `^(.*/)?kube-scheduler$`)

is_etcd(container) if _command_is(container, `^(.*/)?etcd$`)
