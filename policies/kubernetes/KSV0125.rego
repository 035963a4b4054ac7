# METADATA
# title: Container image from an untrusted registry
# description: >-
#   Images should come only from registries the organisation controls or trusts. The
#   trusted registries are read from data.ksv0125.trusted_registries (a list of registry
#   hosts such as "registry.example.com", which also admits its subdomains, or repository
#   prefixes such as "ghcr.io/my-org"). Without that list, Azure Container Registry
#   (azurecr.io), Google Container Registry (gcr.io and its regional hosts) and Amazon
#   ECR are trusted. An image that names no registry ("nginx", "bitnami/redis") comes from
#   Docker Hub and is reported, as in Trivy, unless "docker.io" is in the trusted list.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/containers/images/#image-names
# - https://cloud.google.com/container-registry/docs/overview#registries
# - https://docs.aws.amazon.com/general/latest/gr/ecr.html
# - https://avd.aquasec.com/misconfig/ksv0125
# custom:
#   id: KSV0125
#   aliases:
#   - KSV-0125
#   - AVD-KSV-0125
#   - use-trusted-registry
#   - kubernetes-use-trusted-registry
#   severity: MEDIUM
#   recommended_action: >-
#     Pull images from a trusted registry, or add the registry to
#     'data.ksv0125.trusted_registries'.
#   input:
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
package builtin.kubernetes.KSV0125

import rego.v1

import data.result
import data.lib.kubernetes

_default_trusted := {"azurecr.io", "gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"}

# Amazon ECR private registries: <account>.dkr.ecr.<region>.amazonaws.com[.cn].
_ecr_host := `^[0-9]+\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`

# The user's list (data.ksv0125.trusted_registries, as in Trivy) when it is not empty.
_user_trusted := {lower(t) |
	entries := data.ksv0125.trusted_registries
	_is_list(entries)
	some t in entries
	is_string(t)
}

_is_list(x) if is_array(x)

_is_list(x) if is_set(x)

_use_defaults if count(_user_trusted) == 0

# The registry part of an image reference: the first path segment when it looks like a
# host (has a dot or a port, or is localhost); Docker Hub ("docker.io") otherwise, which
# is where the container runtime pulls such names from.
_registry(image) := lower(first) if {
	parts := split(image, "/")
	count(parts) > 1
	first := parts[0]
	_is_host(first)
} else := "docker.io"

_is_host(s) if contains(s, ".")

_is_host(s) if contains(s, ":")

_is_host(s) if s == "localhost"

# The host without a port ("registry.example.com:5000" -> "registry.example.com").
_host(registry) := split(registry, ":")[0]

# A registry matches an entry equal to its host (with or without the port) or to a
# parent domain of the host ("azurecr.io" admits "myteam.azurecr.io", not "evilazurecr.io").
_matches(image, registry, entry) if registry == entry

_matches(image, registry, entry) if _host(registry) == entry

_matches(image, registry, entry) if endswith(_host(registry), concat("", [".", entry]))

# An entry with a path is a repository prefix ("ghcr.io/my-org").
_matches(image, registry, entry) if {
	contains(entry, "/")
	startswith(lower(image), concat("", [trim_right(entry, "/"), "/"]))
}

# true or false for every image; the user's list or the defaults consulted once.
_trusted(image, registry) := t if {
	_use_defaults
	t := _trusted_by_default(image, registry)
} else := t if {
	t := _trusted_by_user(image, registry)
}

_trusted_by_user(image, registry) := true if {
	some entry in _user_trusted
	_matches(image, registry, entry)
} else := false

# (Docker Hub, the registry of most images, is none of the defaults: tested first, it
# spares the twenty-odd built-in calls of trying each default, which regopy runs slowly.)
_trusted_by_default(image, registry) := false if {
	registry == "docker.io"
} else := true if {
	some entry in _default_trusted
	_matches(image, registry, entry)
} else := true if {
	regex.match(_ecr_host, _host(registry))
} else := false

deny contains res if {
	kubernetes.is_workload
	found := [finding |
		some container in kubernetes.containers
		image := container.image
		is_string(image)
		registry := _registry(image)
		_trusted(image, registry) == false
		msg := concat("", [
			data.regoscan.compat.plain_sprintf("Container '%s' of %s '%s' should use an image from a trusted registry", [container.name, input.kind, kubernetes.name]),
			" (image '", image, "' comes from '", registry, "')",
		])
		finding := result.finding(msg, container)
	]
	some res in found
}
