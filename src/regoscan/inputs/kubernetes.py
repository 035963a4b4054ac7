"""Recognising Kubernetes objects among YAML/JSON documents.

A document is a Kubernetes object when it is a mapping with string ``apiVersion``
and ``kind``: that is all the API server itself needs to route it, and it keeps
``values.yaml``, CI configs and other YAML out of the Kubernetes checks.

``kubectl get -o yaml`` and many generators wrap objects in a ``List``; checks are
written per object, so a list is expanded into one document per item, each with its
own region (the item's lines). Typed lists (``PodList``...) from the API omit
``apiVersion``/``kind`` on their items; those are filled in from the list (``kind``
minus the ``List`` suffix) so kind selectors still match.
"""

from __future__ import annotations

from typing import Any

from regoscan.inputs.yamlfile import METADATA_KEY, ParsedDocument
from regoscan.models import Region


def is_kubernetes(value: Any) -> bool:
    """A mapping with string ``apiVersion`` and ``kind``."""
    return isinstance(value, dict) and isinstance(value.get("apiVersion"), str) and isinstance(value.get("kind"), str)


def is_list(value: Any) -> bool:
    """A Kubernetes ``List`` or ``*List`` object carrying an ``items`` sequence."""
    return is_kubernetes(value) and value["kind"].endswith("List") and isinstance(value.get("items"), list)


def _item_kind(list_kind: str) -> str | None:
    kind = list_kind.removesuffix("List")
    return kind or None


def _with_identity(item: dict[str, Any], api_version: str, kind: str | None) -> dict[str, Any]:
    """Give a typed-list item the ``apiVersion``/``kind`` the API left out."""
    if kind is None or is_kubernetes(item):
        return item
    filled = {"apiVersion": item.get("apiVersion", api_version), "kind": item.get("kind", kind)}
    filled.update((k, v) for k, v in item.items() if k not in filled)
    return filled


def _item_region(meta_item: dict[str, Any], fallback: Region) -> Region:
    metadata = meta_item.get(METADATA_KEY)
    if isinstance(metadata, dict):
        start, end = metadata.get("startline"), metadata.get("endline")
        if isinstance(start, int) and isinstance(end, int) and 1 <= start <= end:
            return Region(start, end)
    return fallback


def expand_list(doc: ParsedDocument) -> list[ParsedDocument]:
    """One document per item of a ``List`` (non-mapping items are dropped); else ``[doc]``."""
    if not is_list(doc.value):
        return [doc]
    api_version = doc.value["apiVersion"]
    kind = _item_kind(doc.value["kind"])
    meta_items = doc.meta_value.get("items", []) if isinstance(doc.meta_value, dict) else []
    expanded = []
    for plain, meta in zip(doc.value["items"], meta_items, strict=False):
        if not isinstance(plain, dict) or not isinstance(meta, dict):
            continue
        expanded.append(
            ParsedDocument(
                value=_with_identity(plain, api_version, kind),
                meta_value=_with_identity(meta, api_version, kind),
                region=_item_region(meta, doc.region),
            )
        )
    return expanded


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def resource_kind(value: Any) -> str | None:
    return _string(value.get("kind")) if isinstance(value, dict) else None


def resource_name(value: Any) -> str | None:
    """``metadata.name``, or ``metadata.generateName`` for objects named by the server."""
    metadata = value.get("metadata") if isinstance(value, dict) else None
    if not isinstance(metadata, dict):
        return None
    return _string(metadata.get("name")) or _string(metadata.get("generateName"))


def resource_namespace(value: Any) -> str | None:
    metadata = value.get("metadata") if isinstance(value, dict) else None
    return _string(metadata.get("namespace")) if isinstance(metadata, dict) else None
