package builtin.kubernetes.KSV0109_test

import rego.v1

import data.builtin.kubernetes.KSV0109 as check

configmap(entries) := {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": "app-config", "namespace": "shop"},
	"data": entries,
}

test_denies_secret_key if {
	msgs := {r.msg | some r in check.deny} with input as configmap({"db_password": "hunter2", "log_level": "info"})
	msgs == {"ConfigMap 'app-config' in namespace 'shop' appears to store secrets under 'db_password'"}
}

test_denies_secret_assignment_in_value if {
	msgs := {r.msg | some r in check.deny} with input as configmap({"app.properties": "mode=fast\napi_token=abc123"})
	msgs == {"ConfigMap 'app-config' in namespace 'shop' appears to store secrets under 'api_token'"}
}

test_passes_placeholder_value if {
	count(check.deny) == 0 with input as configmap({"app.properties": "mode=fast\npassword=${DB_PASSWORD}"})
}

test_passes_plain_settings if {
	count(check.deny) == 0 with input as configmap({"log_level": "info"})
}
