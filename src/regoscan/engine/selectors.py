"""Which checks apply to which document, decided before any Rego runs.

Evaluating only what applies is most of regoscan's speed: a check skipped here costs
nothing, while even a check that exits on its first condition costs an engine call.
"""

from __future__ import annotations

from typing import Any

from regoscan.models import CheckMetadata, Document, InputType

# A check with no selector sees Kubernetes manifests and Dockerfiles, like Trivy; generic
# YAML/JSON is only given to checks that ask for it, so that a stray config file never
# produces findings from checks written for something else.
_DEFAULT_TYPES = frozenset({InputType.KUBERNETES, InputType.DOCKERFILE})


def _subtype_matches(subtypes: list[Any], kind: str | None) -> bool:
    if not subtypes:
        return True
    if kind is None:
        return False
    want = kind.lower()
    for sub in subtypes:
        if not isinstance(sub, dict):
            continue
        k = sub.get("kind")
        if isinstance(k, str) and k.lower() == want:
            return True
    return False


def applies(meta: CheckMetadata, doc: Document) -> bool:
    if not meta.selectors:
        return doc.input_type in _DEFAULT_TYPES
    for sel in meta.selectors:
        typ = str(sel.get("type", "")).lower()
        if typ == "rbac":
            typ = InputType.KUBERNETES.value
        if typ != doc.input_type.value:
            continue
        if doc.input_type is InputType.KUBERNETES:
            subtypes = sel.get("subtypes") or []
            if _subtype_matches(subtypes if isinstance(subtypes, list) else [], doc.kind):
                return True
            continue
        return True
    return False
