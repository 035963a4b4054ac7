"""Policies and manifests the in-process Action tests and the container tests share.

The two suites play the same alert scenarios (a waived legacy job, a custom ORG001 check, a pull
request that adds a sidecar and an exception) on two sides of the runner; one copy keeps them the same.
"""

from __future__ import annotations

EXCEPTION = """# METADATA
# custom:
#   reason: the legacy batch job needs root until OPS-1234 ships
package builtin.kubernetes.KSV012

import rego.v1

exception contains rules if {
\tinput.metadata.name == "legacy-batch"
\trules := [""]
}
"""

ORG001 = """package user.kubernetes.ORG001

import rego.v1

__rego_metadata__ := {"id": "ORG001", "title": "No latest", "severity": "HIGH"}

deny contains res if {
\tsome container in input.spec.template.spec.containers
\tendswith(container.image, ":latest")
\tres := result.new(sprintf("Container '%s' uses the ':latest' tag", [container.name]), container)
}
"""

CLEAN_WITH_SIDECAR = """# The pull request adds a sidecar beside the container the base already had.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: unchanged
spec:
  template:
    spec:
      containers:
        - name: sidecar
          image: envoy:latest
        - name: app
          image: nginx:latest
"""

WEB_EXCEPTION = """# METADATA
# custom:
#   reason: the web demo may float
package user.kubernetes.ORG001

import rego.v1

exception contains rules if {
\tinput.metadata.name == "web"
\trules := ["latest"]
}
"""
