# METADATA
# title: ConfigMap holding secrets
# description: >-
#   ConfigMaps are not meant for confidential data: they are stored unencrypted, shown by
#   'kubectl describe' and readable by every subject allowed to read ConfigMaps. Reported
#   once per ConfigMap, at its 'data', when a key of 'data' contains a word such as
#   password, passwd, pwd, secret, token or aws_access_key_id (in any letter case), or
#   when a line of a value assigns such a word with '=' or ':' to something that is not
#   empty and not a '${...}', '$(...)' or '{{...}}' placeholder. The message lists the
#   keys found. This follows Trivy's pattern list in pure Rego (Trivy uses no secret
#   scanner built-in for this check); unlike Trivy, a line with both ':' and '=' yields
#   both candidate names instead of an evaluation conflict.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/configuration/configmap/
# - https://kubernetes.io/docs/concepts/configuration/secret/
# - https://avd.aquasec.com/misconfig/ksv0109
# custom:
#   id: KSV0109
#   aliases:
#   - KSV-0109
#   - AVD-KSV-0109
#   - configMap_with_secrets
#   - kubernetes-configMap-with-secrets
#   severity: HIGH
#   recommended_action: >-
#     Move passwords, tokens and other credentials to a Secret (or an external secret
#     store) and reference it from the workload instead of the ConfigMap.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: ConfigMap
package builtin.kubernetes.KSV0109

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

# A key that names a secret. Matched against the lower-cased key: regopy does not
# support the (?i) flag.
_secret_key_pattern := `password|pass|pword|passphrase|passwrd|passwd|secret|secretkey|appsecret|clientsecret|aws_access_key_id|pswrd|token|pwd`

# A line that assigns a secret ("password = ...", "token: ..."), lower-cased likewise.
_secret_assignment_pattern := `(password|pass|pword|passphrase|passwrd|passwd|secret|secretkey|appsecret|clientsecret|aws_access_key_id|pswrd|token|pwd)\s*(=|:)`

_configmap_entries := d if {
	d := input.data
	is_object(d)
} else := {}

_placeholder(value) if {
	v := trim_prefix(value, "\"")
	some prefix in ["${", "$(", "{{"]
	startswith(v, prefix)
}

# The name assigned on a line, split at ':' or at '='; the value after the first
# delimiter must not be empty nor a placeholder.
_assigned_secret_names(line) := {name |
	some delimiter in [":", "="]
	parts := split(line, delimiter)
	count(parts) > 1
	parts[1] != ""
	not _placeholder(parts[1])
	name := trim_space(parts[0])
}

_secret_names contains key if {
	some key, _ in _configmap_entries
	key != "__defsec_metadata"
	regex.match(_secret_key_pattern, lower(key))
}

_secret_names contains name if {
	some key, value in _configmap_entries
	key != "__defsec_metadata"
	is_string(value)
	some line in split(value, "\n")
	regex.match(_secret_assignment_pattern, lower(line))
	some name in _assigned_secret_names(line)
}

deny contains res if {
	input.kind == "ConfigMap"
	count(_secret_names) > 0
	msg := concat("", [
		"ConfigMap '",
		kubernetes.name,
		"' in namespace '",
		kubernetes.namespace,
		"' appears to store secrets under ",
		rbac.quoted_list(_secret_names),
	])
	res := result.finding(msg, input.data)
}
