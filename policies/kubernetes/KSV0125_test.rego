package builtin.kubernetes.KSV0125_test

import rego.v1

import data.builtin.kubernetes.KSV0125 as check

pod(images) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [c |
		some i
		image := images[i]
		c := {"name": sprintf("c%d", [i]), "image": image}
	]},
}

test_denies_untrusted_registry if {
	msgs := {r.msg | some r in check.deny} with input as pod(["quay.io/org/app:1.0", "myteam.azurecr.io/api:2.1"])
	msgs == {"Container 'c0' of Pod 'web' should use an image from a trusted registry (image 'quay.io/org/app:1.0' comes from 'quay.io')"}
}

test_denies_lookalike_domain if {
	msgs := {r.msg | some r in check.deny} with input as pod(["evilazurecr.io/api:2.1"])
	msgs == {"Container 'c0' of Pod 'web' should use an image from a trusted registry (image 'evilazurecr.io/api:2.1' comes from 'evilazurecr.io')"}
}

test_passes_trusted_registries if {
	count(check.deny) == 0 with input as pod([
		"myteam.azurecr.io/api:2.1",
		"gcr.io/project/app:1.0",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:3",
	])
}

test_denies_docker_hub_short_name if {
	count(check.deny) == 2 with input as pod(["nginx:1.27", "library/redis:7"])
}

test_user_list_replaces_the_defaults if {
	msgs := {r.msg | some r in check.deny} with input as pod(["quay.io/org/app:1.0", "gcr.io/project/app:1.0", "ghcr.io/my-org/x:1", "nginx:1.27"])
		with data.ksv0125.trusted_registries as ["quay.io", "ghcr.io/my-org/"]
	msgs == {
		"Container 'c1' of Pod 'web' should use an image from a trusted registry (image 'gcr.io/project/app:1.0' comes from 'gcr.io')",
		"Container 'c3' of Pod 'web' should use an image from a trusted registry (image 'nginx:1.27' comes from 'docker.io')",
	}
}
