package builtin.kubernetes.KSV103_test

import rego.v1

import data.builtin.kubernetes.KSV103 as check

pod(pod_sc, container_sc) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "win"},
	"spec": {
		"securityContext": pod_sc,
		"containers": [{"name": "app", "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022", "securityContext": container_sc}],
	},
}

test_denies_pod_level_host_process if {
	msgs := {r.msg | some r in check.deny} with input as pod({"windowsOptions": {"hostProcess": true}}, {})
	msgs == {"Pod 'win' should not set 'spec.securityContext.windowsOptions.hostProcess' to true"}
}

test_denies_container_host_process if {
	msgs := {r.msg | some r in check.deny} with input as pod({}, {"windowsOptions": {"hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM"}})
	msgs == {"Container 'app' of Pod 'win' should not set 'securityContext.windowsOptions.hostProcess' to true"}
}

test_passes_host_process_false if {
	count(check.deny) == 0 with input as pod({"windowsOptions": {"hostProcess": false}}, {"windowsOptions": {"runAsUserName": "ContainerUser"}})
}
