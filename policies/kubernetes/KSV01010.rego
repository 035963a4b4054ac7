# METADATA
# title: ConfigMap holding personal or sensitive data
# description: >-
#   ConfigMaps are stored unencrypted and readable by every subject allowed to read
#   ConfigMaps, so they should not carry personal data or identifiers. Reported once per
#   ConfigMap, at its 'data', when a key of 'data' mentions username, email, key, phone,
#   SHA1, MD5 or IBAN (in any letter case) or looks like an e-mail address or an IBAN;
#   when a line of a value assigns username, email, key, phone or iban with '=' or ':',
#   mentions SHA1 or MD5, or contains an e-mail address or an IBAN (the name before the
#   first ':' or '=' of that line is reported); or when a value holds an e-mail address,
#   an IBAN-like code or a short run of capital letters and digits such as a passport
#   number. The message lists the names found. Pure Rego, with Trivy's patterns and
#   quirks: like Trivy, for the last two tests line N of a value is only looked at in its
#   N-th ':'-separated field (so a single-line value is tested whole), and any value made
#   only of 3 to 20 capital letters and digits (for example "INFO") counts.
# scope: package
# related_resources:
# - https://kubernetes.io/docs/concepts/configuration/configmap/
# - https://avd.aquasec.com/misconfig/ksv01010
# custom:
#   id: KSV01010
#   aliases:
#   - KSV-01010
#   - AVD-KSV-01010
#   - configMap_with_sensitive
#   - kubernetes-configMap-with-sensitive
#   severity: MEDIUM
#   recommended_action: >-
#     Keep personal data and identifiers out of ConfigMaps: store them in a Secret or
#     an external store, or remove them from the configuration.
#   input:
#     selector:
#     - type: kubernetes
#       subtypes:
#       - kind: ConfigMap
package builtin.kubernetes.KSV01010

import rego.v1

import data.lib.kubernetes
import data.lib.rbac
import data.result

# Patterns written in lower case are matched against the lower-cased text: regopy does
# not support the (?i) flag. The others are case-sensitive.
_email_pattern := `[a-zA-Z0-9_.-]+@(\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.|([a-zA-Z0-9-]+\.)+)([a-zA-Z]{2,4}|[0-9]{1,3})`

# Two capital letters, two check digits and four groups of four digits.
_iban_digits_pattern := `[^.]\b[A-Z]{2}[0-9]{2}( ?[0-9]{4}){4} ?[0-9]{0,2}\b`

# Lower-case patterns on a line of a value.
_sensitive_line_patterns := [`(username|email|key|phone|iban)\s*(=|:)`, `sha1|md5`]

# Case-sensitive patterns on a line of a value.
_sensitive_line_exact_patterns := [_email_pattern, _iban_digits_pattern]

# Lower-case pattern on a key.
_sensitive_key_pattern := `username|email|key|phone|sha1|md5|iban`

# Case-sensitive patterns on a key.
_sensitive_key_exact_patterns := [_email_pattern, _iban_digits_pattern]

# Patterns on one ':'-separated field of a value (see the description).
_identifier_patterns := [
	_email_pattern,
	`[A-Z]{2}[ -]?[0-9]{2}[ -]?([A-Z0-9]{3,5}[ -]?){2,7}[A-Z0-9]{1,3}`,
	`^[A-Z0-9<]{3,20}$`,
]

_sensitive_entries := d if {
	d := input.data
	is_object(d)
} else := {}

_sensitive_line(line) if {
	some pattern in _sensitive_line_patterns
	regex.match(pattern, lower(line))
}

_sensitive_line(line) if {
	some pattern in _sensitive_line_exact_patterns
	regex.match(pattern, line)
}

_sensitive_key(key) if regex.match(_sensitive_key_pattern, lower(key))

_sensitive_key(key) if {
	some pattern in _sensitive_key_exact_patterns
	regex.match(pattern, key)
}

# The name on a line: the text before the first ':', else before the first '='.
_line_name(line) := name if {
	parts := split(line, ":")
	count(parts) > 1
	name := trim_space(parts[0])
} else := name if {
	parts := split(line, "=")
	count(parts) > 1
	name := trim_space(parts[0])
}

_sensitive_names contains name if {
	some key, value in _sensitive_entries
	key != "__defsec_metadata"
	is_string(value)
	some line in split(value, "\n")
	_sensitive_line(line)
	name := _line_name(line)
}

_sensitive_names contains key if {
	some key, _ in _sensitive_entries
	key != "__defsec_metadata"
	_sensitive_key(key)
}

# Line i of the value, field i of that line (Trivy's indexing).
_sensitive_names contains key if {
	some key, value in _sensitive_entries
	key != "__defsec_metadata"
	is_string(value)
	lines := split(value, "\n")
	some i
	line := lines[i]
	field := split(line, ":")[i]
	some pattern in _identifier_patterns
	regex.match(pattern, field)
}

deny contains res if {
	input.kind == "ConfigMap"
	count(_sensitive_names) > 0
	msg := concat("", [
		"ConfigMap '",
		kubernetes.name,
		"' in namespace '",
		kubernetes.namespace,
		"' appears to store personal or sensitive data under ",
		rbac.quoted_list(_sensitive_names),
	])
	res := result.finding(msg, input.data)
}
