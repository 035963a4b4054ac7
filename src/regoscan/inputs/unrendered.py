"""Helm charts and Kustomize folders: sources that only become manifests when rendered.

A Helm template (``templates/*.yaml`` beside a ``Chart.yaml``) is Go-template text: read
as YAML, ``{{ .Values.image }}`` parses as a map, image checks silently do not run and
resources are named ``''``. So templates are left out of the scan, and the chart is
reported once (``input-helm-chart``, a warning: content was not scanned) with the number
of template files left out and how to scan them. A Kustomize folder's files are real
manifests, scanned as written, but what is deployed is the ``kustomize build`` output
(patches, generators, overlays), so it gets a note (``input-kustomization``).

regoscan does not render charts itself: rendering needs Helm's Go code (or a ``helm``
binary) and the chart's values, and runs template functions (``lookup``, ``tpl``) that
belong to the deployment, not the scan. Render in CI and scan the output instead.
"""

from __future__ import annotations

from pathlib import Path

from regoscan.models import Notice, NoticeLevel

CHART_FILE = "Chart.yaml"
TEMPLATES = "templates"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def is_chart(directory: Path) -> bool:
    return (directory / CHART_FILE).is_file()


def kustomization_in(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    return None


def chart_of(path: Path, stop: Path | None = None) -> Path | None:
    """The chart folder when ``path`` is (or lies under) a chart's ``templates/`` folder.

    Looks at the ancestors of ``path`` up to ``stop`` (the scan root, when ``path`` is
    inside it) or the file system root.
    """
    for ancestor in [path, *path.parents]:
        if stop is not None and ancestor == stop.parent:
            break
        if ancestor.name == TEMPLATES and is_chart(ancestor.parent):
            return ancestor.parent
    return None


def helm_notice(chart_file: str, skipped: list[str]) -> Notice:
    chart = chart_file.rpartition("/")[0] or "."
    count = f"{len(skipped)} template file{'s' if len(skipped) != 1 else ''}"
    return Notice(
        NoticeLevel.WARNING, "input-helm-chart",
        f"Helm chart {chart}: {count} not scanned (templates are not manifests until rendered, e.g. "
        f"{', '.join(skipped[:3])}{', ...' if len(skipped) > 3 else ''}); render the chart "
        f"(helm template {chart} > rendered.yaml) and scan the output",
        path=chart_file,
    )


def _folder(rel: str) -> str:
    return rel.rpartition("/")[0]


def _within(folder: str, top: str) -> bool:
    return top == "" or folder == top or folder.startswith(top + "/")


def kustomize_notices(kustomization_files: list[str]) -> list[Notice]:
    """One note per top-most Kustomize folder; the folders nested under it (bases,
    components, overlays of one tree) are counted in its note instead of listed apart."""
    tops: dict[str, int] = {}  # kustomization file of a top-most folder -> nested ones counted in
    for rel in sorted(kustomization_files, key=lambda r: (r.count("/"), r)):
        folder = _folder(rel)
        top = next((t for t in tops if _within(folder, _folder(t))), None)
        if top is None:
            tops[rel] = 0
        else:
            tops[top] += 1
    notices = []
    for rel, nested in sorted(tops.items()):
        folder = _folder(rel) or "."
        more = f" (and {nested} more Kustomize folder{'s' if nested != 1 else ''} below it)" if nested else ""
        notices.append(Notice(
            NoticeLevel.NOTE, "input-kustomization",
            f"Kustomize folder {folder}{more}: its files are scanned as written, without the patches, "
            f"generators and overlays that kustomize applies; to scan what is deployed, render it "
            f"(kustomize build {folder} > rendered.yaml) and scan the output",
            path=rel,
        ))
    return notices
