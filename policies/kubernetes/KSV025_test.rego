package builtin.kubernetes.KSV025_test

import rego.v1

import data.builtin.kubernetes.KSV025 as check

pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": container_sc}],
	},
}

test_denies_pod_level_type if {
	msgs := {r.msg | some r in check.deny} with input as pod({"seLinuxOptions": {"type": "spc_t"}}, {})
	msgs == {"Pod 'web' should not set the SELinux type 'spc_t' in 'seLinuxOptions' (allowed: container_t, container_init_t, container_kvm_t)"}
}

test_denies_container_user_and_role if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, {"seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t"}})
	msgs == {"Container 'app' of Pod 'web' should not set 'role', 'user' in 'seLinuxOptions'"}
}

test_passes_allowed_type_and_level if {
	count(check.deny) == 0 with input as pod({"seLinuxOptions": {"level": "s0:c123,c456"}}, {"seLinuxOptions": {"type": "container_init_t"}})
}
