# METADATA
# title: regoscan engine compatibility helpers
# description: >-
#   Stand-ins that regoscan routes calls to when the Rego engine (regopy / rego-cpp)
#   lacks a built-in or gets it wrong. Policies never call these directly.
# scope: package
# custom:
#   library: true
package regoscan.compat

import rego.v1

# rego-cpp cannot parse the "Z" (UTC) suffix; "+00:00" means the same instant.
parse_rfc3339_ns(value) := time.parse_rfc3339_ns(regex.replace(value, "[Zz]$", "+00:00"))

# Trivy's Go built-in isManaged(x): everything regoscan parses is managed unless marked otherwise.
is_managed(obj) if object.get(obj, ["__defsec_metadata", "managed"], true) == true
