"""Partial fingerprints: GitHub's ``primaryLocationLineHash`` and regoscan's ``regoscanFinding/v1``.

Golden values come from two places, and none was produced by the Python code under test:

* ``UPSTREAM``: the test vectors in github/codeql-action ``src/fingerprints.test.ts``
  (test "hash", commit f3f1edb), i.e. what upload-sarif itself is tested against.
* ``NODE``: values printed by running the ``hash()`` function of codeql-action
  ``src/fingerprints.ts`` (same commit, with its ``long`` dependency) under Node 20 on
  the exact bytes below, to pin the cases upstream does not cover: CR followed by a
  space, a BOM, astral characters (surrogate pairs), invalid UTF-8, U+FFFF (the EOF
  marker value), lines longer than the 100-unit window, a multi-byte character across
  Node's 64 KiB read-chunk boundary, and a manifest edited in the ways a user edits one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regoscan.output.fingerprints import (
    LINE_HASH_KEY,
    SourceLineHashes,
    decode_source,
    iter_line_hashes,
    line_hashes,
    regoscan_fingerprint,
)
from regoscan.output.sarif import build_sarif, finding_key
from tests.fixtures.output.reports import check, finding, report

EMPTY = "c129715d7a2bc9a3:1"  # the hash of an empty line at EOF; every file ends with it

UPSTREAM: list[tuple[str, list[str]]] = [
    ("", [EMPTY]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *[
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                EMPTY,
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ],
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            "a7f2ff13bc495cf2:1",
            "a7f2ff13bc495cf2:2",
            "a7f2ff13bc495cf2:3",
            "a7f2ff13bc495cf2:4",
            "a7f2ff13bc495cf2:5",
            "a7f2ff13bc495cf2:6",
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            EMPTY,
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            EMPTY,
        ],
    ),
]

NODE: list[tuple[bytes, list[str]]] = [
    (  # CR then space/tab is not CRLF: two line breaks; CR CR LF is two, not three
        b"a\r \nb\r\t\nc\r\r\n\n",
        [
            "ab80b790826fd27:1",
            "4a9cb26805cebbf0:1",
            "d085a302d7c09746:1",
            "e361ec15cf0c3462:1",
            "e506f920eda2ffc0:1",
            "5b5d4caf73a13177:1",
            "3c5bef55b72b93c9:1",
            EMPTY,
        ],
    ),
    ("\ufeffapiVersion: v1\nkind: Pod\n".encode(), ["6362d9461ba5b666:1", "28ba5d815d3b3bf4:1", EMPTY]),  # BOM kept
    (
        "a: \U0001f600 x\nb: 日本語\n\U00010000\n".encode(),
        ["aac47814841927ac:1", "3c56776c906bb252:1", "d3f94154e28777f1:1", EMPTY],
    ),
    (  # invalid UTF-8: lone bytes, a UTF-16 surrogate, truncated sequences, overlong, > U+10FFFF
        b"a: \xff\xfe\n\xed\xa0\x80x\n\xc3\n\xe2\x82\nok\xf0\x9f\x98\n\xf4\x90\x80\x80\n\xc0\xaf\n",
        [
            "e85d998d5603ccc:1",
            "96a66ab6c170ab79:1",
            "c284332fc1252a10:1",
            "a58aa40a52cb8325:1",
            "b2fc24df355de472:1",
            "4ddf50d201081741:1",
            "b94e3e336a503d4f:1",
            EMPTY,
        ],
    ),
    ("a\uffffb\n\uffff".encode(), ["6ae87ba744904802:1", "9cde746dd76b3dca:1"]),  # U+FFFF is the EOF value
    (
        ("x" * 250 + "\n").encode() * 5,
        [
            "52b56201ffb58620:1",
            "52b56201ffb58620:2",
            "52b56201ffb58620:3",
            "52b56201ffb58620:4",
            "52b56201ffb58620:5",
            EMPTY,
        ],
    ),
    (b"   \n\t\t\n  ", ["5b5d4caf73a13177:1", "3c5bef55b72b93c9:1", EMPTY]),  # whitespace-only lines
    (b"- a\n- a\n- a\n", ["7b730111e90da5c3:1", "8df09ab1f52bee3:1", "41c05cb2254f0f83:1", EMPTY]),
]

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            runAsUser: 0
"""
MANIFEST_HASHES = [
    "ad20ac076713dac5:1",
    "1f1b2c9c866d9673:1",
    "397786b61d43aafc:1",
    "36e81c7bc1e267c9:1",
    "9326df3e71a4d69f:1",
    "8fc9a62e42540606:1",
    "5d7132291bc7fb7f:1",
    "d4dc2b9a864e7eab:1",
    "9b5256294dc2150c:1",
    "c9fc055fb262deba:1",
    "9ab33bc0d3ed3f2a:1",  # line 11: image: nginx:latest
    "c1d959d1d53112bc:1",
    "c1341aaa212d9217:1",
    EMPTY,
]
ABOVE = "# owned by team shop\n# see RUNBOOK.md\n"
ABOVE_HASHES = ["474694dce80f4479:1", "3982d19aae299bf4:1"]
CHANGED_HASHES = [  # the same manifest with image: nginx:1.27
    "ad20ac076713dac5:1",
    "1f1b2c9c866d9673:1",
    "395ba0343a34b21a:1",
    "8fb172be5e2c3750:1",
    "ba8037210d544fda:1",
    "783f544f0651c3c9:1",
    "82e7aff57993999a:1",
    "4f59f37d46589ae:1",
    "1376badec1435a67:1",
    "ff7ee0196b2c8d05:1",
    "be364192dca3d4dd:1",
    "c1d959d1d53112bc:1",
    "c1341aaa212d9217:1",
    EMPTY,
]


def hashes_of(data: bytes | str) -> list[str]:
    text = decode_source(data) if isinstance(data, bytes) else data
    pairs = list(iter_line_hashes(text))
    assert [line for line, _ in pairs] == list(range(1, len(pairs) + 1))  # every line, in order
    return [value for _, value in pairs]


# --- the port ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), UPSTREAM, ids=[f"upstream-{i}" for i in range(len(UPSTREAM))])
def test_upstream_vectors(text: str, expected: list[str], tmp_path: Path) -> None:
    assert hashes_of(text) == expected
    # the same through the file path upload-sarif takes (bytes on disk, decoded as UTF-8)
    (tmp_path / "f").write_bytes(text.encode("utf-8"))
    assert hashes_of((tmp_path / "f").read_bytes()) == expected


@pytest.mark.parametrize(("data", "expected"), NODE, ids=[f"node-{i}" for i in range(len(NODE))])
def test_node_vectors(data: bytes, expected: list[str]) -> None:
    assert hashes_of(data) == expected


def test_line_count_matches_upstream_definition() -> None:
    """upload-sarif's own test: one hash per ``split(/\\r\\n|\\r|\\n/)`` piece."""
    import re

    for text, _ in UPSTREAM:
        assert len(hashes_of(text)) == len(re.split(r"\r\n|\r|\n", text))


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("日本\n".encode(), ["e8f31748b2317a28:1", "b45edbec57e53649:1", "87ad6b0d760e42c2:1"]),
        (b"\xe6\x97\n", ["b218ca3b3af05848:1", "5ef8cee99c970f69:1", "d8f1d771d1205ee2:1"]),
    ],
    ids=["multibyte", "truncated"],
)
def test_character_across_nodes_64k_read_chunks(tail: bytes, expected: list[str]) -> None:
    """Node reads 64 KiB chunks; the character starting at byte 65534 straddles two."""
    data = b"a\n" * 32767 + tail + b"z\n"
    got = line_hashes(decode_source(data), [32766, 32767, 32768, 32769, 32770])
    assert [got[n] for n in (32766, 32767, 32768)] == expected
    assert got[32769] == "95de0951c928fa27:1"
    assert got[32770] == EMPTY
    assert line_hashes(decode_source(data), [1]) == {1: line_hashes(decode_source(data))[1]}  # early stop


def test_duplicate_counter_counts_per_hash_value() -> None:
    data = b"a\n" * 32767 + "日本\n".encode() + b"z\n"
    got = line_hashes(decode_source(data), [1, 2, 3, 32000])
    assert got[1].endswith(":1") and got[2].endswith(":2") and got[3].endswith(":3")
    assert {v.split(":")[0] for v in got.values()} == {got[1].split(":")[0]}
    assert got[32000].endswith(":32000")


def test_line_hashes_subset_and_empty() -> None:
    assert line_hashes(MANIFEST, [11, 2]) == {2: MANIFEST_HASHES[1], 11: MANIFEST_HASHES[10]}
    assert line_hashes(MANIFEST, []) == {}
    assert line_hashes(MANIFEST, [99]) == {}


# --- behaviour: what changes the line hash and what does not ---------------------------------


def test_manifest_and_crlf_copy_hash_the_same() -> None:
    assert hashes_of(MANIFEST) == MANIFEST_HASHES
    assert hashes_of(MANIFEST.replace("\n", "\r\n").encode()) == MANIFEST_HASHES
    assert hashes_of(MANIFEST.replace("  ", "\t")) == MANIFEST_HASHES  # indentation is skipped


def test_line_hash_follows_the_line_when_lines_are_inserted_above() -> None:
    assert hashes_of(ABOVE + MANIFEST) == ABOVE_HASHES + MANIFEST_HASHES


def test_line_hash_changes_with_content_at_the_line() -> None:
    changed = hashes_of(MANIFEST.replace("nginx:latest", "nginx:1.27"))
    assert changed == CHANGED_HASHES
    assert changed[10] != MANIFEST_HASHES[10]  # the edited line itself
    assert changed[:2] == MANIFEST_HASHES[:2]  # lines whose 100-unit window ends before the edit
    assert changed[11:] == MANIFEST_HASHES[11:]  # lines after it


def _write_repo(root: Path, text: str) -> None:
    (root / "k8s").mkdir(parents=True, exist_ok=True)
    (root / "k8s" / "deploy.yaml").write_text(text, encoding="utf-8")


def test_both_fingerprints_in_sarif_when_lines_are_inserted_above(tmp_path: Path) -> None:
    """The story users care about: an unrelated edit above keeps both fingerprints; an edit
    of the offending line changes GitHub's but not ours (same check, file and node)."""
    before, after, edited = tmp_path / "before", tmp_path / "after", tmp_path / "edited"
    _write_repo(before, MANIFEST)
    _write_repo(after, ABOVE + MANIFEST)
    _write_repo(edited, MANIFEST.replace("nginx:latest", "nginx:1.27"))

    def fingerprints(root: Path, line: int) -> dict[str, str]:
        f = finding(check("KSV013"), path="k8s/deploy.yaml", line=line, message="Container 'web' uses :latest")
        return build_sarif(report([f], root=str(root)))["runs"][0]["results"][0]["partialFingerprints"]

    first, moved, changed = fingerprints(before, 11), fingerprints(after, 13), fingerprints(edited, 11)
    assert first[LINE_HASH_KEY] == MANIFEST_HASHES[10]
    assert moved == first  # both unchanged, although the finding moved from line 11 to 13
    assert changed["regoscanFinding/v1"] == first["regoscanFinding/v1"]
    assert changed[LINE_HASH_KEY] == CHANGED_HASHES[10] != first[LINE_HASH_KEY]


# --- regoscan's own fingerprint ----------------------------------------------------------------


def test_regoscan_fingerprint_ignores_lines_but_not_identity() -> None:
    base = finding(line=3)
    assert regoscan_fingerprint(base) == finding_key(base)  # one definition (console JSON uses it too)
    assert regoscan_fingerprint(finding(line=300, end=310)) == regoscan_fingerprint(base)
    for other in (
        finding(check("KSV014")),
        finding(path="k8s/other.yaml"),
        finding(identity="Deployment/shop/web/sidecar"),
        finding(message="Container 'sidecar' should set runAsNonRoot"),
    ):
        assert regoscan_fingerprint(other) != regoscan_fingerprint(base)


# --- reading files -------------------------------------------------------------------------------


def test_source_line_hashes_reads_relative_to_root(tmp_path: Path) -> None:
    _write_repo(tmp_path, MANIFEST)
    f = finding(path="k8s/deploy.yaml", line=11)
    hook = SourceLineHashes(tmp_path, [f])
    assert hook(f) == {LINE_HASH_KEY: MANIFEST_HASHES[10]}
    assert hook(finding(path="k8s/deploy.yaml", line=2)) == {LINE_HASH_KEY: MANIFEST_HASHES[1]}  # same file, cached
    assert hook(finding(path="k8s/deploy.yaml", line=40)) == {}  # no such line


def test_source_line_hashes_unreadable_files_give_nothing(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dir.yaml").mkdir()
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    (root / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    hook = SourceLineHashes(root)
    for path in ("missing.yaml", "dir.yaml", "../outside.yaml", "link.yaml", str(tmp_path / "outside.yaml")):
        assert hook(finding(path=path, line=1)) == {}, path


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_source_line_hashes_permission_denied(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("a: 1\n")
    (tmp_path / "secret.yaml").chmod(0)
    assert SourceLineHashes(tmp_path)(finding(path="secret.yaml", line=1)) == {}


def test_non_ascii_and_space_paths_are_hashed(tmp_path: Path) -> None:
    path = "charts/日本 app/values.yaml"
    (tmp_path / "charts" / "日本 app").mkdir(parents=True)
    (tmp_path / path).write_text(MANIFEST, encoding="utf-8")
    result = build_sarif(report([finding(path=path, line=4)], root=str(tmp_path)))["runs"][0]["results"][0]
    assert result["partialFingerprints"][LINE_HASH_KEY] == MANIFEST_HASHES[3]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "charts/%E6%97%A5%E6%9C%AC%20app/values.yaml"
