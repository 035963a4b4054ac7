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

# rego-cpp's sprintf emits strings made by lower/upper/concat/replace with their JSON
# quotes still on ("a "abc" b"), which corrupts the result. substring(a, 0, -1) (the whole
# string) yields a copy without them and keeps its escapes. Not trim(): it unescapes, and
# an unescaped quote from a manifest reached the engine's printed output as JSON syntax.
_clean(a) := substring(a, 0, -1) if is_string(a)

else := a

clean_sprintf(fmt, args) := sprintf(fmt, [_clean(a) | some a in args]) if is_array(args)

else := sprintf(fmt, args)

# --- built-ins that would reach outside the policy (SECURITY.md, "Rego built-ins") ---

# time.now_ns(): one clock reading for the whole scan, taken by regoscan before evaluating
# (the instant exception expiry dates are judged by), the same for every document and worker.
now_ns := data.regoscan_runtime.now_ns

# opa.runtime(): policies see no environment variables and no configuration.
opa_runtime := {"env": {}, "config": {}, "version": "", "commit": ""}

# uuid.rfc4122(key): the same UUID for the same key in every run (version 4 layout, from sha256).
uuid_rfc4122(key) := concat("-", [
	substring(h, 0, 8),
	substring(h, 8, 4),
	concat("", ["4", substring(h, 13, 3)]),
	concat("", ["8", substring(h, 17, 3)]),
	substring(h, 20, 12),
]) if {
	h := crypto.sha256(key)
}

# io.jwt.decode_verify(token, constraints): "now" for exp/nbf is the scan's clock reading,
# unless the constraints name a time themselves.
jwt_decode_verify(token, constraints) := io.jwt.decode_verify(token, object.union({"time": now_ns}, constraints))

# trace(note): accepted and ignored; trace output has no channel here.
trace_stub(_) := true

# sprintf itself, for the built-in checks' messages whose arguments all come straight from
# the input (never made by lower/upper/concat/replace): clean_sprintf's pass over the
# arguments costs regopy ~0.1 ms per message.
plain_sprintf(fmt, args) := sprintf(fmt, args)
