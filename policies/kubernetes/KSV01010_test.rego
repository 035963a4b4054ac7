package builtin.kubernetes.KSV01010_test

import rego.v1

import data.builtin.kubernetes.KSV01010 as check

configmap(entries) := {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "app-config", "namespace": "shop"},
	"data": entries,
}

test_denies_sensitive_key_and_line if {
	msgs := {r.msg | some r in check.deny} with input as configmap({
		"admin_email": "ops",
		"settings": "username: bob\nlevel: info",
		"log_level": "info",
	})
	msgs == {"ConfigMap 'app-config' in namespace 'shop' appears to store personal or sensitive data under 'admin_email', 'username'"}
}

# The line names 'owner'; its first field holds an e-mail address, which names the key.
test_denies_email_address_value if {
	msgs := {r.msg | some r in check.deny} with input as configmap({"contact": "owner=jane.doe@example.com"})
	msgs == {"ConfigMap 'app-config' in namespace 'shop' appears to store personal or sensitive data under 'contact', 'owner'"}
}

test_passes_plain_settings if {
	count(check.deny) == 0 with input as configmap({"log_level": "info", "mode": "fast"})
}

test_ignores_other_kinds if {
	count(check.deny) == 0 with input as {
		"apiVersion": "v1",
		"kind": "Secret",
		"metadata": {"name": "s"},
		"data": {"admin_email": "ops"},
	}
}
