"""Built-in checks that need a key or value the document lacks are not queried (issue 11).

``input.requires_any`` in a built-in check's METADATA lists strings one of which a document
must hold, as an object key or a whole string value, for the check to find anything
(``engine/selectors.py``). A document holding none of them is not queried for that check:
on the corpus that is 35% of the engine calls. What must hold: the strings are looked for
in the parsed value (so no spelling of a key and no neighbouring value hides it), a
user's check is always evaluated, a skipped check's exceptions still run (their errors
are still reported), and every declared string is one the check's Rego reads. The corpus
findings are pinned by tests/test_corpus_golden.py, taken before checks were skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from regoscan.engine.selectors import present_strings, required_strings
from regoscan.models import CheckMetadata
from regoscan.rego.annotations import package_annotation, parse_annotations
from regoscan.resources import policies_dir
from tests.helpers import scan_json, write

POLICIES = policies_dir()


def _ids(report: dict[str, Any]) -> list[str]:
    return sorted(f["check_id"] for f in report["findings"])


# --- finding the strings ------------------------------------------------------------------------


def test_keys_and_whole_string_values_count_at_any_depth() -> None:
    content = {"spec": {"volumes": [{"name": "v", "hostPath": {"path": "/x"}}]}, "kind": "expose"}
    wanted = frozenset({"hostPath", "expose", "path", "missing", "/"})
    assert present_strings(content, wanted) == {"hostPath", "expose", "path"}


def test_part_of_a_string_and_the_line_metadata_do_not_count() -> None:
    content = {
        "metadata": {"annotations": {"note": "uses a hostPath volume"}},
        "__defsec_metadata": {"startline": 1, "endline": 9, "filepath": "hostPath"},
        "spec": {"__defsec_metadata": {"hostPath": 1}},
    }
    assert present_strings(content, frozenset({"hostPath"})) == set()
    assert present_strings(["hostPath"], frozenset({"hostPath"})) == {"hostPath"}
    assert present_strings("hostPath", frozenset({"hostPath"})) == {"hostPath"}


def test_only_a_builtin_check_declares_requirements() -> None:
    custom = {"input": {"requires_any": ["hostPath"], "selector": []}}
    assert required_strings(CheckMetadata("X", "p", builtin=True, custom=custom)) == {"hostPath"}
    assert required_strings(CheckMetadata("X", "p", builtin=False, custom=custom)) is None
    for bad in ([], "hostPath", [1], [""], None):
        meta = CheckMetadata("X", "p", builtin=True, custom={"input": {"requires_any": bad}})
        assert required_strings(meta) is None, bad


def _requires(path: Path) -> list[str] | None:
    """``custom.input.requires_any`` of a policy file's package METADATA block, read as a scan reads it."""
    ann = package_annotation(parse_annotations(path.read_text(encoding="utf-8")))
    spec = ((ann.data.get("custom") or {}).get("input") or {}) if ann is not None else {}
    return spec.get("requires_any")


def _declared() -> list[tuple[Path, list[str]]]:
    return [(path, wanted) for path in sorted(POLICIES.rglob("*.rego"))
            if not path.name.endswith("_test.rego") and (wanted := _requires(path))]


def test_checks_declare_requirements() -> None:
    assert len(_declared()) >= 30


def test_an_alias_requirement_lists_every_spelling_of_as() -> None:
    """lib.docker.from_alias compares lower(word) with "as": a spelling left out would hide aliases."""
    lib = (POLICIES / "lib" / "docker.rego").read_text(encoding="utf-8")
    assert 'lower(v) == "as"' in lib
    for path, wanted in _declared():
        if any(w.lower() == "as" for w in wanted):
            assert {"as", "AS", "As", "aS"} <= set(wanted), path.name


def test_ksv107_requires_exactly_the_api_versions_of_its_table() -> None:
    """An apiVersion added to the table but not to requires_any would never be reported."""
    path = POLICIES / "kubernetes" / "KSV107.rego"
    text = path.read_text(encoding="utf-8")
    table = text[text.index("_apis := {"):text.index("\n}\n", text.index("_apis := {"))]
    assert set(_requires(path) or []) == set(re.findall(r'^\t"([^"]+)": \{', table, re.M))


@pytest.mark.parametrize(("path", "wanted"), _declared(), ids=lambda v: v.stem if isinstance(v, Path) else "")
def test_every_declared_string_is_one_the_check_reads(path: Path, wanted: list[str]) -> None:
    """A misspelt requirement would silence the check everywhere: each string must appear in
    the check's Rego (after its METADATA) as a field it reads or a literal it compares."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("\npackage "):]
    for word in wanted:
        quoted = f'"{word}"' in body
        field = re.search(rf"\.{re.escape(word)}\b", body) is not None
        named = word in {"add", "copy", "expose", "maintainer", "healthcheck", "workdir", "cmd", "entrypoint"} \
            and re.search(rf"docker\.{word}\b|\"{word}\"", body) is not None
        # the FROM keyword before a stage alias, in the spellings lib.docker.from_alias accepts
        alias = word.lower() == "as" and len(word) == 2 and "docker.from_alias(" in body
        assert quoted or field or named or alias, f"{path.name}: {word!r} is not read by the check"


# --- whole scans ------------------------------------------------------------------------------

_POD_WITH = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: nginx:1.27
  volumes:
{volumes}
"""


@pytest.mark.parametrize("volumes", [
    "    - name: v\n      hostPath:\n        path: /data",
    # the key spelt with an escape, as YAML allows
    '    - name: v\n      "host\\x50ath":\n        path: /data',
    # reached through a merge key
    "    - &base\n      name: base\n      hostPath: {path: /data}\n    - <<: *base\n      name: v2",
    # a value ending in a backslash right before it (a text search over the JSON lost the key here)
    '    - name: "v\\\\"\n      hostPath:\n        path: /data',
])
def test_a_hostpath_volume_is_found_however_it_is_written(tmp_path: Path, volumes: str) -> None:
    write(tmp_path, "configs/pod.yaml", _POD_WITH.format(volumes=volumes))
    _, report = scan_json(tmp_path)
    assert "KSV023" in _ids(report)


def test_a_document_without_the_key_has_no_finding_of_those_checks(tmp_path: Path) -> None:
    write(tmp_path, "configs/pod.yaml", _POD_WITH.format(volumes="    - name: v\n      emptyDir: {}"))
    _, report = scan_json(tmp_path)
    ids = _ids(report)
    assert "KSV023" not in ids and "KSV011" in ids  # skipped vs. always evaluated


def test_a_user_check_declaring_requirements_is_always_evaluated(tmp_path: Path) -> None:
    write(tmp_path, "configs/pod.yaml", _POD_WITH.format(volumes="    - name: v\n      emptyDir: {}"))
    write(tmp_path, "policy/mine.rego", """\
        # METADATA
        # title: Every pod
        # custom:
        #   id: MINE001
        #   input:
        #     requires_any: [neverThere]
        #     selector:
        #     - type: kubernetes
        package user.mine

        import rego.v1

        deny contains "a pod" if input.kind == "Pod"
        """)
    _, report = scan_json(tmp_path, "--policy", "policy", "--no-builtin")
    assert _ids(report) == ["MINE001"]


def test_the_exceptions_of_a_skipped_check_still_run(tmp_path: Path) -> None:
    """KSV023 is not queried for a pod without hostPath; its exception is, and its error is reported."""
    write(tmp_path, "configs/pod.yaml", _POD_WITH.format(volumes="    - name: v\n      emptyDir: {}"))
    write(tmp_path, "policy/ksv023_exception.rego", """\
        package builtin.kubernetes.KSV023

        import rego.v1

        exception contains rules if {
            n := to_number(input.metadata.name)
            rules := [""]
        }
        """)
    code, report = scan_json(tmp_path, "--policy", "policy")
    assert "KSV023" not in _ids(report)
    (err,) = [n for n in report["notices"] if n["code"] == "exception-error"]
    assert (err["path"], err["line"]) == ("policy/ksv023_exception.rego", 6)
    assert code == 2


def test_the_check_is_left_out_of_the_query_only_where_the_string_is_missing(tmp_path: Path) -> None:
    from regoscan.engine.findings import FindingBuilder
    from regoscan.engine.notices import NoticeSink
    from regoscan.engine.policyset import assemble, describe, load_modules, metadata_entrypoints
    from regoscan.engine.units import policy_units
    from regoscan.inputs.load import load_file
    from regoscan.rego.runtime import PolicyRuntime

    modules, _ = load_modules([], tmp_path, True)
    by_pkg, check_pkgs = describe(modules, ["builtin", "user"])
    units, _ = policy_units(modules, set(check_pkgs), set(metadata_entrypoints(by_pkg, check_pkgs)))
    runtime = PolicyRuntime(units, {}, workers=1)
    runtime._good = units  # planning only: nothing is evaluated
    builder = FindingBuilder(assemble(modules, ["builtin", "user"], {}, {}, []), runtime, {}, NoticeSink())
    without = write(tmp_path, "a.yaml", _POD_WITH.format(volumes="    - name: v\n      emptyDir: {}"))
    with_it = write(tmp_path, "b.yaml", _POD_WITH.format(volumes="    - name: v\n      hostPath: {path: /x}"))
    (doc_a,) = load_file(without, "a.yaml").documents
    (doc_b,) = load_file(with_it, "b.yaml").documents
    job_a, job_b = builder.job_for(0, doc_a), builder.job_for(1, doc_b)
    assert job_a is not None and job_b is not None
    ksv023 = "builtin/kubernetes/KSV023/deny"
    assert ksv023 not in job_a.entrypoints and ksv023 in job_b.entrypoints
    assert "builtin/kubernetes/KSV011/deny" in job_a.entrypoints  # declares nothing: always queried
    assert set(job_b.entrypoints) - set(job_a.entrypoints) == {ksv023, "builtin/kubernetes/KSV121/deny",
                                                               "builtin/kubernetes/KSV006/deny"}
