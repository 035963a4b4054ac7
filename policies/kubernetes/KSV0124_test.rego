package builtin.kubernetes.KSV0124_test

import rego.v1

import data.builtin.kubernetes.KSV0124 as check

allowed_repos(repos) := {
	"apiVersion": "constraints.gatekeeper.sh/v1beta1",
	"kind": "K8sAllowedRepos",
	"metadata": {"name": "repo-is-trusted"},
	"spec": {
		"match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
		"parameters": {"repos": repos},
	},
}

test_denies_open_ended_prefixes if {
	msgs := {r.msg | some r in check.deny} with input as allowed_repos(["gcr.io", "docker.io/library", "registry.example.com/team/"])
	msgs == {"K8sAllowedRepos 'repo-is-trusted' allows the open-ended repository prefix(es) 'docker.io/library', 'gcr.io', which also match unrelated registries or repositories"}
}

test_passes_closed_prefixes if {
	count(check.deny) == 0 with input as allowed_repos(["gcr.io/my-project/", "registry.example.com/team/"])
}
