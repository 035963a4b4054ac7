package builtin.kubernetes.KSV040_test

import rego.v1

import data.builtin.kubernetes.KSV040 as check

quota(hard) := {
	"apiVersion": "v1",
	"kind": "ResourceQuota",
	"metadata": {"name": "quota", "namespace": "shop"},
	"spec": {"hard": hard},
}

test_denies_missing_memory_quotas if {
	msgs := {r.msg | some r in check.deny} with input as quota({"requests.cpu": "1", "limits.cpu": "2", "pods": "10"})
	msgs == {"ResourceQuota 'quota' in namespace 'shop' should set hard quotas for 'limits.memory', 'requests.memory'"}
}

test_passes_all_quotas if {
	count(check.deny) == 0 with input as quota({
		"requests.cpu": "1",
		"requests.memory": "1Gi",
		"limits.cpu": "2",
		"limits.memory": "2Gi",
	})
}
