package builtin.kubernetes.KSV106_test

import rego.v1

import data.builtin.kubernetes.KSV106 as check

pod(capabilities) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "web"},
	"spec": {"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": {"capabilities": capabilities}}]},
}

test_denies_without_drop_all if {
	msgs := {r.msg | some r in check.deny} with input as pod({"drop": ["NET_RAW"]})
	msgs == {"Container 'app' of Pod 'web' should drop 'ALL' in 'securityContext.capabilities.drop'"}
}

test_denies_extra_added_capabilities if {
	msgs := {r.msg | some r in check.deny} with input as pod({"drop": ["ALL"], "add": ["SYS_TIME", "NET_BIND_SERVICE", "CHOWN"]})
	msgs == {"Container 'app' of Pod 'web' should add no capability except 'NET_BIND_SERVICE' to 'securityContext.capabilities.add' (found: CHOWN, SYS_TIME)"}
}

test_passes_drop_all_add_net_bind_service if {
	count(check.deny) == 0 with input as pod({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})
}
