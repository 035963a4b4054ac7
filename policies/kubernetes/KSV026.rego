# METADATA
# title: Unsafe sysctls set
# description: >-
#   Sysctls outside the safe set of the Baseline Pod Security Standard are not namespaced
#   per pod or can affect the node and other pods (or switch off security mechanisms).
#   The safe set depends on the Kubernetes version: set data.k8s.version (for example
#   "1.29.0") to check against an older cluster; without it the newest set is used.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# - https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
# - https://avd.aquasec.com/misconfig/ksv026
# custom:
#   id: KSV026
#   aliases:
#   - KSV-0026
#   - AVD-KSV-0026
#   - no-unsafe-sysctl
#   - kubernetes-no-unsafe-sysctl
#   severity: MEDIUM
#   recommended_action: >-
#     Set only safe sysctls in 'spec.securityContext.sysctls', or remove the sysctls.
#   input:
#     requires_any: [sysctls]
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
package builtin.kubernetes.KSV026

import rego.v1

import data.result
import data.lib.kubernetes

# Each safe sysctl with the first Kubernetes 1.x minor release whose Baseline policy
# allows it (pod-security-admission, check_sysctls.go).
_safe_sysctls := {
	"kernel.shm_rmid_forced": 0,
	"net.ipv4.ip_local_port_range": 0,
	"net.ipv4.ip_unprivileged_port_start": 0,
	"net.ipv4.tcp_syncookies": 0,
	"net.ipv4.ping_group_range": 0,
	"net.ipv4.ip_local_reserved_ports": 27,
	"net.ipv4.tcp_keepalive_time": 29,
	"net.ipv4.tcp_fin_timeout": 29,
	"net.ipv4.tcp_keepalive_intvl": 29,
	"net.ipv4.tcp_keepalive_probes": 29,
	"net.ipv4.tcp_rmem": 32,
	"net.ipv4.tcp_wmem": 32,
}

# data.k8s.version as [major, minor, patch, has_prerelease] when it is a semantic
# version ("1.29.0", "1.33.0-rc.1", "1.32.2-gke.1182001"); anything else is ignored and
# the newest safe set applies, as in Trivy.
_version := [major, minor, patch, pre] if {
	v := data.k8s.version
	is_string(v)
	m := regex.find_all_string_submatch_n(
		`^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`, v, 1,
	)
	count(m) == 1
	major := to_number(m[0][1])
	minor := to_number(m[0][2])
	patch := to_number(m[0][3])
	pre := m[0][4] != ""
}

# true if the configured version is at least 1.<minor>.0 (a pre-release of 1.<minor>.0
# is lower than 1.<minor>.0).
_at_least(minor) if {
	_version[0] > 1
}

_at_least(minor) if {
	_version[0] == 1
	_version[1] > minor
}

_at_least(minor) if {
	_version[0] == 1
	_version[1] == minor
	_version[2] > 0
}

_at_least(minor) if {
	_version[0] == 1
	_version[1] == minor
	_version[2] == 0
	_version[3] == false
}

_has_usable_version if _at_least(0)

_is_safe(name) if {
	_ = _safe_sysctls[name]
	not _has_usable_version
}

_is_safe(name) if {
	since := _safe_sysctls[name]
	_at_least(since)
}

deny contains res if {
	kubernetes.is_workload
	pod := kubernetes.workload_pod
	sc := kubernetes.pod_security_context(pod)
	found := {name |
		sysctls := sc.sysctls
		is_array(sysctls)
		some sysctl in sysctls
		is_object(sysctl)
		name := sysctl.name
		is_string(name)
		not _is_safe(name)
	}
	count(found) > 0
	unsafe := sort([name | some name in found])
	msg := concat("", [
		data.regoscan.compat.plain_sprintf("%s '%s'", [input.kind, kubernetes.name]),
		" should set only safe sysctls in 'spec.securityContext.sysctls' (unsafe: ",
		concat(", ", unsafe),
		")",
	])
	res := result.finding(msg, sc)
}
