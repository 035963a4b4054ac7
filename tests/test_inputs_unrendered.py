"""Helm charts and Kustomize folders through the CLI: recognised, reported, templates never read as manifests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.inputs.discover import discover
from tests.helpers import POD, write

TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
spec:
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
"""


def chart(base: Path, rel: str, templates: int = 2) -> None:
    write(base, f"{rel}/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    write(base, f"{rel}/values.yaml", "image:\n  repository: nginx\n  tag: latest\n")
    write(base, f"{rel}/templates/_helpers.tpl", '{{- define "web.fullname" -}}web{{- end }}\n')
    write(base, f"{rel}/templates/NOTES.txt", "Thanks\n")
    for i in range(templates):
        write(base, f"{rel}/templates/sub/deployment{i}.yaml", TEMPLATE)
    write(base, f"{rel}/crds/widgets.yaml", CRD)


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *args: str) -> tuple[int, dict[str, Any], str]:
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "--format", "json", "--workers", "1", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_chart_templates_are_reported_not_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    chart(tmp_path, "deploy/charts/web")
    chart(tmp_path, "deploy/charts/web/charts/db", templates=1)  # a subchart is a chart too
    write(tmp_path, "deploy/pod.yaml", POD.format(name="plain"))
    code, doc, err = run(tmp_path, monkeypatch, capsys, ".")
    scanned = {f["path"] for f in doc["findings"]}
    assert not any("/templates/" in p for p in scanned)
    assert "deploy/pod.yaml" in scanned
    assert not any(f["resource"] == "Deployment ''" or "Deployment" in (f["resource"] or "")
                   for f in doc["findings"])
    helm = [n for n in doc["notices"] if n["code"] == "input-helm-chart"]
    assert [(n["level"], n["path"]) for n in helm] == [
        ("warning", "deploy/charts/web/Chart.yaml"),
        ("warning", "deploy/charts/web/charts/db/Chart.yaml"),
    ]
    assert "Helm chart deploy/charts/web: 2 template files not scanned" in helm[0]["message"]
    assert "helm template deploy/charts/web" in helm[0]["message"]
    assert "1 template file not scanned" in helm[1]["message"]
    assert "(input-helm-chart)" in err
    assert code == 1  # the plain pod's findings still decide


def test_a_named_template_is_not_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Changed-files mode names files one by one: a changed template is still recognised."""
    chart(tmp_path, "web")
    code, doc, _ = run(tmp_path, monkeypatch, capsys, "web/templates/sub/deployment0.yaml",
                       "web/templates/sub/deployment1.yaml", "web/crds/widgets.yaml")
    assert code == 0 and doc["findings"] == []
    assert doc["summary"]["files_scanned"] == 1  # the CRD
    helm = [n for n in doc["notices"] if n["code"] == "input-helm-chart"]
    assert len(helm) == 1 and "2 template files not scanned" in helm[0]["message"]
    assert helm[0]["path"] == "web/Chart.yaml"


def test_excluded_chart_says_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    chart(tmp_path, "vendor/web")
    write(tmp_path, "pod.yaml", POD.format(name="p"))
    _, doc, _ = run(tmp_path, monkeypatch, capsys, ".", "--exclude", "vendor")
    assert not [n for n in doc["notices"] if n["code"] == "input-helm-chart"]


def test_kustomize_folder_is_a_note_and_still_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "base/kustomization.yaml", "resources:\n  - pod.yaml\n")
    write(tmp_path, "base/pod.yaml", POD.format(name="p"))
    _, doc, err = run(tmp_path, monkeypatch, capsys, "base")
    assert any(f["path"] == "base/pod.yaml" for f in doc["findings"])
    notes = [n for n in doc["notices"] if n["code"] == "input-kustomization"]
    assert [(n["level"], n["path"]) for n in notes] == [("note", "base/kustomization.yaml")]
    assert "kustomize build base" in notes[0]["message"]
    assert "(input-kustomization)" in err
    # nested Kustomize folders (components, overlays) are counted in their top folder's note
    write(tmp_path, "base/overlays/prod/kustomization.yaml", "resources:\n  - ../..\n")
    write(tmp_path, "base/components/x/kustomization.yaml", "kind: Component\n")
    _, doc, _ = run(tmp_path, monkeypatch, capsys, "base")
    notes = [n for n in doc["notices"] if n["code"] == "input-kustomization"]
    assert len(notes) == 1 and "Kustomize folder base (and 2 more Kustomize folders below it)" in notes[0]["message"]
    # a changed file of the folder, named alone, gets the same note
    _, doc, _ = run(tmp_path, monkeypatch, capsys, "base/pod.yaml")
    assert [n["path"] for n in doc["notices"] if n["code"] == "input-kustomization"] == ["base/kustomization.yaml"]


def test_templates_folder_without_chart_is_plain(tmp_path: Path) -> None:
    write(tmp_path, "templates/pod.yaml", POD.format(name="p"))
    found = discover([str(tmp_path)], tmp_path)
    assert [c.rel_path for c in found.candidates] == ["templates/pod.yaml"]
    assert found.notices == []
