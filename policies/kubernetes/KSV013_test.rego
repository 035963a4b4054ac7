package builtin.kubernetes.KSV013_test

import rego.v1

import data.builtin.kubernetes.KSV013 as check

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

test_denies_untagged_and_latest if {
	msgs := {r.msg | some r in check.deny} with input as pod(["nginx", "redis:latest", "registry:5000/app", "postgres:16"])
	msgs == {
		"Container 'c0' of Pod 'web' should use a specific image tag or digest instead of 'nginx'",
		"Container 'c1' of Pod 'web' should use a specific image tag or digest instead of 'redis:latest'",
		"Container 'c2' of Pod 'web' should use a specific image tag or digest instead of 'registry:5000/app'",
	}
}

test_passes_tags_and_digests if {
	count(check.deny) == 0 with input as pod([
		"nginx:1.27",
		"registry:5000/app:2.0",
		"redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	])
}
