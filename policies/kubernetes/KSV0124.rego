# METADATA
# title: Open-ended repository prefix in a Gatekeeper K8sAllowedRepos constraint
# description: >-
#   Gatekeeper's K8sAllowedRepos constraint admits an image when its reference starts
#   with one of 'spec.parameters.repos'. A prefix without a '/' (or ':') after the
#   registry or repository name, such as 'myregistry.io' or 'nginx', also admits
#   'myregistry.io.attacker.com/...' or 'nginx-malicious', and a Docker Hub prefix of
#   the form 'docker.io/<org>' also admits 'docker.io/<org>-evil'. Reported once per
#   K8sAllowedRepos constraint (constraints.gatekeeper.sh/v1beta1) with such a prefix,
#   at its 'spec.parameters'.
# scope: package
# related_resources:
# - https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos/
# - https://avd.aquasec.com/misconfig/ksv0124
# custom:
#   id: KSV0124
#   aliases:
#   - KSV-0124
#   - AVD-KSV-0124
#   - repo-ambiguous-prefix
#   - kubernetes-repo-ambiguous-prefix
#   severity: HIGH
#   recommended_action: >-
#     End every prefix in 'spec.parameters.repos' with '/' (for example
#     'myregistry.io/' or 'docker.io/myorg/') so that it only matches the intended
#     registry or repository.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: K8sAllowedRepos
package builtin.kubernetes.KSV0124

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

_is_allowed_repos if {
	input.apiVersion == "constraints.gatekeeper.sh/v1beta1"
	input.kind == "K8sAllowedRepos"
}

# No path separator and no tag separator: the prefix can continue with any character.
_open_ended_prefix(repo) if {
	not contains(repo, "/")
	not contains(repo, ":")
}

# 'docker.io' or 'docker.io/<name>' with nothing after the name.
_open_ended_prefix(repo) if {
	parts := split(repo, "/")
	parts[0] == "docker.io"
	count(parts) <= 2
}

deny contains res if {
	_is_allowed_repos
	params := input.spec.parameters
	repos := {repo |
		some repo in params.repos
		is_string(repo)
		_open_ended_prefix(repo)
	}
	count(repos) > 0
	msg := concat("", [
		"K8sAllowedRepos '",
		kubernetes.name,
		"' allows the open-ended repository prefix(es) ",
		rbac.quoted_list(repos),
		", which also match unrelated registries or repositories",
	])
	res := result.finding(msg, params)
}
