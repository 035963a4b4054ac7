"""Which checks apply to which document, decided before any Rego runs.

Evaluating only what applies is most of regoscan's speed: a check skipped here costs
nothing, while even a check that exits on its first condition costs an engine call.
"""

from __future__ import annotations

from typing import Any

from regoscan.inputs.yamlfile import METADATA_KEY
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


# --------------------------------------------------------------------------- requirements

def required_strings(meta: CheckMetadata) -> frozenset[str] | None:
    """What a built-in check needs to find anything: ``input.requires_any`` in its METADATA.

    A check that can only fire on something the document spells out (a ``hostPath``
    volume, an ``EXPOSE`` instruction: ``requires_any: [hostPath]``, ``[expose]``) finds
    nothing in a document holding none of those strings as an object key or a whole
    string value, so that document is not queried for it: an engine call costs about
    0.05-0.2 ms even when the check exits at once, and most documents lack most of what
    such checks look for. Only regoscan's own checks are trusted with this (their
    findings on the corpus are pinned by tests/test_corpus_golden.py); a user's check is
    always evaluated.
    """
    if not meta.builtin:
        return None
    spec = meta.custom.get("input")
    wanted = spec.get("requires_any") if isinstance(spec, dict) else None
    if not isinstance(wanted, list) or not wanted or not all(isinstance(w, str) and w for w in wanted):
        return None
    return frozenset(wanted)


def present_strings(content: Any, wanted: frozenset[str]) -> set[str]:
    """Those of ``wanted`` that occur in ``content`` as an object key or a whole string value.

    Read from the parsed document, never from its text: what the engine sees is the
    parsed value (a key spelt with escapes or reached through a YAML merge is still that
    key), and a text search can be thrown off by a crafted value. The loader's line
    metadata holds nothing a check looks for and is not walked.
    """
    found: set[str] = set()
    stack = [content]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in wanted:
                    found.add(key)
                if isinstance(item, dict | list):
                    if key != METADATA_KEY:
                        stack.append(item)
                elif isinstance(item, str) and item in wanted:
                    found.add(item)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict | list):
                    stack.append(item)
                elif isinstance(item, str) and item in wanted:
                    found.add(item)
        elif isinstance(value, str) and value in wanted:
            found.add(value)
    return found
