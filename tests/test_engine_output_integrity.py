"""The engine's results are read structurally: no scanned value can rewrite them.

rego-cpp keeps strings made by ``trim`` and kin unescaped, and its printed output put them
between quotes as they were: a quote in a manifest value that a built-in check echoed
ended the JSON string and injected keys, so the attack manifest below turned 24 findings
into a clean pass. The worker now builds values from the engine's node tree
(``rego/worker.py``, ``rego/values.py``) and ``compat.clean_sprintf`` no longer unescapes.

Here: the string forms one by one, the worker on hostile strings, the attacks from the
issue through the CLI, and payloads of every Unicode class, quotes, backslashes, control
characters and emoji in every field a built-in message echoes, on regopy and on regorus:
each document must give exactly the findings of the same document without the payload.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.cli import main
from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.inputs.load import load_file
from regoscan.models import InputType, NoticeLevel
from regoscan.rego.prepare import prepare_module
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from regoscan.rego.values import UnreadableValue, decode_string, engine_json
from regoscan.resources import policies_dir
from tests.helpers import write

POLICIES = policies_dir()

# --- the three string forms ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    (b"plain", "plain"),
    (b'q\\"uote \\\\ \\t \\u00e9 \\ud83d\\ude00', 'q"uote \\ \t é 😀'),  # escaped (input, literals)
    (b'"Q\\"UOTE"', 'Q"UOTE'),  # escaped with its quotes (upper, concat, replace)
    (b'q"uote', 'q"uote'),  # raw (trim): a quote inside
    (b'x"}]}],"expressions":[{}],"zz":[{"a":"', 'x"}]}],"expressions":[{}],"zz":[{"a":"'),
    (b"tab\there\nnl\x01", "tab\there\nnl\x01"),  # raw control characters
    (b"back\\slash", "back\\slash"),  # raw backslash, not an escape
    (b"ends with \\", "ends with \\"),
    (b'"TAB\\THERE \\U00E9"', "TAB\tHERE é"),  # upper() upper-cases the escape letters
    (b"\\\\T", "\\T"),  # an escaped backslash before T is not an escape letter
    ("emoji😀é".encode(), "emoji😀é"),
    (b"\xed\xa0\xbd\xed\xb8\x80", "😀"),  # trim of \\ud83d\\ude00: a surrogate pair as CESU-8
    (b"nul\x00inside", "nul\x00inside"),
    (b"", ""),
    (b'"', '"'),
])
def test_each_string_form_reads_back(text: bytes, value: str) -> None:
    assert decode_string(text) == value


@pytest.mark.parametrize("text", [b"\xff\xfe", b"bad \xc3", b"\xed\xa0\xbd alone", b"\\ud800", b'"\\udc00"'])
def test_a_string_that_is_not_unicode_is_an_error(text: bytes) -> None:
    with pytest.raises(UnreadableValue):
        decode_string(text)


def test_engine_input_keeps_utf8_and_escapes_only_what_json_requires() -> None:
    assert engine_json({"a": 'é😀"\\\t'}) == '{"a":"é😀\\"\\\\\\t"}'
    assert engine_json(["\ud800"]) == '["\\ud800"]'  # an unpaired surrogate cannot be UTF-8


# --- the worker ------------------------------------------------------------------------------

PROBE = """\
package user.test.PROBE

import rego.v1

trimmed := trim(input.x, "")

finding := {"msg": sprintf("value '%s'", [trim(input.x, "")]), "n": 1, "upper": upper(input.x)}

deny contains {"msg": trim(input.x, ""), "startline": 1} if input.x

dup := {trim(input.x, ""): 1, "a\\"b": 2}

counted := [count(input.x), substring(input.x, 1, 1), startswith(input.x, "é")]

shout := sprintf("<%s>", [upper(input.x)])
"""
_EPS = [f"user/test/PROBE/{r}" for r in ("trimmed", "finding", "deny", "dup", "counted", "shout")]
TRIMMED, FINDING, DENY, DUP, COUNTED, SHOUT = _EPS


@pytest.fixture(scope="module")
def probe() -> Iterator[PolicyRuntime]:
    mod = prepare_module(PROBE, "probe.rego")
    compat = prepare_module((POLICIES / "lib" / "compat.rego").read_text(encoding="utf-8"), "compat.rego")
    runtime = PolicyRuntime([PolicyUnit("compat.rego", compat.text, [], True),
                             PolicyUnit("probe.rego", mod.text, _EPS, False, mod.rule_spans)], {},
                            workers=1, eval_timeout=20)
    assert runtime.prepare() == []
    yield runtime
    runtime.close()


INJECTIONS = [
    'x"}]}],"expressions":[{}],"zz":[{"q":[{"a":"',
    'x", "n": 2, "msg": "forged',
    'a"b',
    'ends with \\',
    '\\"}, {"msg": "forged", "startline": 9}, {"a": "',
    "tab\t nl\n cr\r nul\x00 esc\x1b del\x7f c1\x85 ls\u2028 bidi\u202e bom\ufeff",
    "emoji 😀👩‍👩‍👧 é ß ǅ ١ 〇 ﷽ \U0010fffd",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_a_string_from_trim_comes_back_as_one_string(probe: PolicyRuntime, payload: str) -> None:
    (res,) = probe.run([Job(0, {"x": payload}, [TRIMMED, FINDING, DENY, COUNTED])])
    assert res.errors == {} and res.failures == {}
    assert res.values[TRIMMED] == payload
    finding = res.values[FINDING]
    assert set(finding) == {"msg", "n", "upper"} and finding["n"] == 1
    assert finding["msg"] == f"value '{payload}'"
    assert isinstance(finding["upper"], str)
    assert res.values[DENY] == [{"msg": payload, "startline": 1}]


def test_string_built_ins_see_characters_not_escapes(probe: PolicyRuntime) -> None:
    """Input reaches the engine as UTF-8: count/substring/startswith were wrong on ``\\u00e9``."""
    (res,) = probe.run([Job(0, {"x": "é😀xÉ"}, [COUNTED])])
    assert res.values[COUNTED] == [4, "😀", True]


@pytest.mark.parametrize(("value", "shout"), [("a\"b", "<A\"B>"), ("ta\tb", "<TA\tB>"), ("c:\\new", "<C:\\NEW>")])
def test_sprintf_of_upper_is_clean_without_trim(probe: PolicyRuntime, value: str, shout: str) -> None:
    """``upper`` keeps its JSON quotes, which ``sprintf`` copied into the text; ``clean_sprintf``
    took them off with ``trim``, which unescaped the rest (and failed on ``\\T``)."""
    (res,) = probe.run([Job(0, {"x": value}, [SHOUT])])
    assert res.errors == {} and res.values[SHOUT] == shout


def test_a_duplicate_key_fails_that_evaluation_only(probe: PolicyRuntime) -> None:
    """``{trim(x): 1, "a\\"b": 2}`` holds two spellings of one key: an error, never a guess."""
    jobs = [Job(0, {"x": 'a"b'}, [DUP, DENY]), Job(1, {"x": "fine"}, [DUP, DENY])]
    bad, good = probe.run(jobs)
    assert "duplicate object key" in bad.errors[DUP] and bad.failures == {}
    assert bad.values[DENY] == [{"msg": 'a"b', "startline": 1}]
    assert good.errors == {} and good.values[DUP] == {"fine": 1, 'a"b': 2}


def test_a_string_that_is_not_utf8_fails_that_evaluation_only(probe: PolicyRuntime) -> None:
    """An unpaired surrogate (possible in JSON input) unescaped by ``trim`` is not UTF-8: the
    evaluation fails with a reason, the worker lives on and the next document is intact."""
    jobs = [Job(0, {"x": "\ud800"}, [TRIMMED]), Job(1, {"x": "ok"}, [TRIMMED])]
    bad, good = probe.run(jobs)
    assert "not valid UTF-8" in bad.errors[TRIMMED] and bad.failures == {}
    assert good.values == {TRIMMED: "ok"} and good.errors == {}


# --- the attacks from the issue, through the CLI --------------------------------------------

ATTACK = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: {seccomp}
    spec:
      hostPID: true
      hostNetwork: true
      containers:
      - name: {container}
        image: nginx
        securityContext:
          privileged: true
          runAsUser: 0
        volumeMounts:
        - name: root
          mountPath: /host
      volumes:
      - name: root
        hostPath:
          path: /
"""
SECCOMP_PAYLOAD = """'localhost/profiles/x"}]}],"expressions":[{}],"zz":[{"q":[{"a":"'"""
NAME_PAYLOAD = """'app"}]}],"expressions":[{}],"zz":[{"q":[{"a":"'"""


def _cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], folder: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", str(tmp_path / folder), "--format", "json", "--sarif", str(tmp_path / f"{folder}.sarif")])
    return code, json.loads(capsys.readouterr().out)


def _found(report: dict[str, Any], file: str | None = None) -> list[tuple[str, int]]:
    return sorted((f["check_id"], f["start_line"]) for f in report["findings"]
                  if file is None or f["path"].endswith(file))


@pytest.mark.parametrize("copies", [1, 9])  # one document: entrypoint by entrypoint; nine: one plan query each
def test_the_seccomp_annotation_attack_yields_the_honest_24_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], copies: int) -> None:
    for i in range(copies):
        write(tmp_path, f"honest/d{i}.yaml", ATTACK.format(seccomp="'localhost/profiles/x'", container="app"))
        write(tmp_path, f"attack/d{i}.yaml", ATTACK.format(seccomp=SECCOMP_PAYLOAD, container="app"))
    honest_code, honest = _cli(tmp_path, capsys, "honest")
    code, attacked = _cli(tmp_path, capsys, "attack")
    assert honest_code == code == 1
    assert len(_found(honest, "d0.yaml")) == 24
    assert _found(attacked) == _found(honest)
    assert attacked["notices"] == [] and attacked["summary"]["active"] == 24 * copies
    sarif = json.loads((tmp_path / "attack.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == 24 * copies
    seccomp = [f for f in attacked["findings"] if f["check_id"] == "KSV030"]
    assert seccomp and all('x"}]}],"expressions"' in f["message"] for f in seccomp)


def test_a_container_name_payload_keeps_every_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "honest/d.yaml", ATTACK.format(seccomp="'localhost/profiles/x'", container="app"))
    write(tmp_path, "attack/d.yaml", ATTACK.format(seccomp="'localhost/profiles/x'", container=NAME_PAYLOAD))
    _, honest = _cli(tmp_path, capsys, "honest")
    code, attacked = _cli(tmp_path, capsys, "attack")
    assert code == 1 and attacked["notices"] == []
    assert _found(attacked) == _found(honest) and len(_found(honest)) == 24
    named = sum("'app'" in f["message"] for f in honest["findings"])
    assert named >= 15 and sum(NAME_PAYLOAD in f["message"] for f in attacked["findings"]) == named


def test_quotes_tabs_controls_and_emoji_never_make_the_scan_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """These gave "unreadable output" and exit 2; an emoji crashed the worker and lost the other
    files' findings."""
    write(tmp_path, "honest/d.yaml", ATTACK.format(seccomp="'localhost/profiles/x'", container="app"))
    for i, value in enumerate(['"a\\"b"', '"tab\\there"', '"c\\x01\\x1f\\x7f"', '"😀"', '"\\U0001F600\\u00e9"']):
        write(tmp_path, f"attack/d{i}.yaml", ATTACK.format(seccomp=value, container=value))
    _, honest = _cli(tmp_path, capsys, "honest")
    code, attacked = _cli(tmp_path, capsys, "attack")
    assert code == 1 and attacked["notices"] == []
    for i in range(5):
        assert _found(attacked, f"d{i}.yaml") == _found(honest), i


# --- payloads in every echoed field, on both engines -----------------------------------------

K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "web{P}"
  namespace: "team{P}"
  labels:
    app: "web{P}"
spec:
  template:
    metadata:
      labels:
        app: "web{P}"
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: "localhost/profiles/x{P}"
        "container.apparmor.security.beta.kubernetes.io/app{P}": "localhost/prof{P}"
        note: "{P}"
    spec:
      hostPID: true
      hostNetwork: true
      initContainers:
      - name: "init{P}"
        image: "busybox:1.36{IMG}"
        args: ["{P}"]
      containers:
      - name: "app{P}"
        image: "registry.example.com/app:1.0{IMG}"
        env:
        - name: "MODE"
          value: "{P}"
        securityContext:
          privileged: true
          runAsUser: 0
          procMount: "Unmasked{IMG}"
          capabilities:
            add: ["SYS_ADMIN"]
        volumeMounts:
        - name: "root{P}"
          mountPath: "/host{IMG}"
      volumes:
      - name: "root{P}"
        hostPath:
          path: /
"""

DOCKERFILE = """\
FROM nginx:latest AS base{W}
MAINTAINER me{L}x
LABEL note="{L}"
WORKDIR rel{L}x
ADD src{W}x /dst/
USER root
EXPOSE 22
"""

# What YAML's double-quoted style reads as itself; everything else is written as an escape.
_YAML_PLAIN = re.compile(r"[\x20-\x7e]")


def _yaml_quoted(value: str) -> str:
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif _YAML_PLAIN.match(ch):
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


# In an image reference, a path or tag separator changes what the image is; on a Dockerfile
# line, a line break, a space or a variable changes the instruction: those are not "the same
# document", so they are left out of those fields.
_IMAGE_SYNTAX = re.compile(r"[/:@\s]")
_DOCKER_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))


def _k8s(payload: str) -> str:
    image = _IMAGE_SYNTAX.sub("", payload)
    return K8S.replace("{P}", _yaml_quoted(payload)).replace("{IMG}", _yaml_quoted(image))


def _dockerfile(payload: str) -> str:
    # a NUL byte makes the file binary (not scanned); "$" starts a variable a check may not judge
    line = "".join(ch for ch in payload
                   if ch not in "\n\r\\\x00$" and unicodedata.category(ch) not in ("Zl", "Zp"))
    word = "".join(ch for ch in line if ch not in _DOCKER_SPACE and not ch.isspace() and ch != '"')
    line = line.strip(_DOCKER_SPACE + "".join(map(chr, range(0x1C, 0x20))))
    return DOCKERFILE.replace("{W}", word).replace("{L}", line.replace('"', ""))


def _every_class() -> list[str]:
    """Three code points of every Unicode general category (surrogates aside), in batches."""
    by_cat: dict[str, list[str]] = {}
    for cp in range(0x110000):
        cat = unicodedata.category(chr(cp))
        if cat != "Cs" and len(by_cat.setdefault(cat, [])) < 3:
            by_cat[cat].append(chr(cp))
    for cat, cp in (("Cn", 0xFFFE), ("Cn", 0x10FFFF), ("Co", 0x10FFFD), ("So", 0x1F600), ("Lo", 0x20000)):
        by_cat[cat].append(chr(cp))
    return ["".join(chars) for _, chars in sorted(by_cat.items())]


SPECIALS = [
    '"', '\\', '\\"', '"\\', '\\\\"', "'", "`", '"}', '"]}', '\\u0022', "\\n", "\\t", "\\U0041",
    "".join(map(chr, range(0x20))), "\x7f\x80\x85\x9f", "\u2028\u2029\ufeff\u200b\u202e\u2066",
    "😀", "👩\u200d👩\u200d👧", "🇫🇷", "é\u0301", "\U0001f600\ud7ff\ue000\ufffd",
    *INJECTIONS,
]


def _scan(tmp_path: Path, files: dict[str, str]) -> dict[str, set[tuple[str, int, int]]]:
    for name, text in files.items():
        write(tmp_path, name, text.encode("utf-8"))
    report = run_scan(ScanOptions(paths=[str(tmp_path)], root=tmp_path, workers=1))
    problems = [n for n in report.notices if n.level is not NoticeLevel.NOTE]
    assert not problems, problems
    out: dict[str, set[tuple[str, int, int]]] = {name: set() for name in files}
    for f in report.findings:
        out[f.path].add((f.check.id, f.region.start_line, f.region.end_line))
    return out


@cache
def _regorus_engine() -> Any:
    import regorus

    engine = regorus.Engine()
    for path in sorted((POLICIES / "lib").glob("*.rego")):
        engine.add_policy(path.name, path.read_text(encoding="utf-8"))
    for sub in ("kubernetes", "dockerfile"):
        for path in sorted((POLICIES / sub).glob("*.rego")):
            if not path.name.endswith("_test.rego"):
                engine.add_policy(f"{sub}/{path.name}", path.read_text(encoding="utf-8"))
    return engine


@cache
def _packages(sub: str) -> tuple[tuple[str, str], ...]:
    out = []
    for path in sorted((POLICIES / sub).glob("*.rego")):
        if not path.name.endswith("_test.rego"):
            package = re.search(r"^package (\S+)", path.read_text(encoding="utf-8"), re.M)
            assert package
            out.append((path.stem, package.group(1)))
    return tuple(out)


def _regorus(path: Path) -> set[tuple[str, int, int]]:
    loaded = load_file(path, path.name, None)
    assert loaded.error is None, loaded.error
    engine = _regorus_engine()
    found: set[tuple[str, int, int]] = set()
    for doc in loaded.documents:
        sub = "dockerfile" if doc.input_type is InputType.DOCKERFILE else "kubernetes"
        engine.set_input_json(json.dumps(doc.content))
        for check_id, package in _packages(sub):
            out = json.loads(engine.eval_query_as_json(f"x := data.{package}.deny"))
            rows = out["result"][0]["bindings"]["x"] if out.get("result") else []
            rows = rows["set!"] if isinstance(rows, dict) and "set!" in rows else rows
            found.update((check_id, r["startline"], r["endline"]) for r in rows)
    return found


def _assert_payloads_change_nothing(tmp_path: Path, payloads: list[str]) -> None:
    files = {"honest.yaml": _k8s(""), "Dockerfile": _dockerfile("")}
    for i, payload in enumerate(payloads):
        files[f"p{i}.yaml"] = _k8s(payload)
        files[f"p{i}.Dockerfile"] = _dockerfile(payload)
    regopy = _scan(tmp_path, files)
    assert len(regopy["honest.yaml"]) >= 20 and len(regopy["Dockerfile"]) >= 5
    honest_regorus = {name: _regorus(tmp_path / name) for name in ("honest.yaml", "Dockerfile")}
    assert honest_regorus == {name: regopy[name] for name in honest_regorus}
    for i, payload in enumerate(payloads):
        for name, honest in (("yaml", "honest.yaml"), ("Dockerfile", "Dockerfile")):
            file = f"p{i}.{name}"
            assert regopy[file] == regopy[honest], (payload, file, regopy[file] ^ regopy[honest])
            assert _regorus(tmp_path / file) == honest_regorus[honest], (payload, file)


def test_every_unicode_class_and_every_special_changes_no_finding(tmp_path: Path) -> None:
    _assert_payloads_change_nothing(tmp_path, _every_class() + SPECIALS)


_hostile_text = st.text(st.one_of(st.characters(exclude_categories=("Cs",)),
                                  st.sampled_from('"\\\'{}[],:\x00\t\n\x1b\u2028😀')), min_size=1, max_size=16)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(_hostile_text, min_size=4, max_size=4))
def test_random_hostile_text_changes_no_finding(tmp_path_factory: pytest.TempPathFactory,
                                                payloads: list[str]) -> None:
    _assert_payloads_change_nothing(tmp_path_factory.mktemp("p"), payloads)


def test_regoscan_test_sends_input_like_a_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A test's ``with input as`` value reaches the engine as UTF-8, like a scanned document:
    ``count`` sees characters there too."""
    write(tmp_path, "policy/chars.rego", """\
        package user.test.CHARS

        import rego.v1

        length := count(input.name)
        """)
    write(tmp_path, "policy/chars_test.rego", """\
        package user.test.CHARS_test

        import rego.v1

        import data.user.test.CHARS

        test_characters_not_escapes if {
            CHARS.length == 3 with input as {"name": "é😀x"}
        }
        """)
    monkeypatch.chdir(tmp_path)
    code = main(["test", "policy", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
