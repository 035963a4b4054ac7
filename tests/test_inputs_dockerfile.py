"""Dockerfile parsing into Trivy's ``Stages[].Commands[]`` shape.

Expected values marked "Trivy" are taken from Trivy's own parser tests
(``pkg/iac/scanners/dockerfile/parser/parser_test.go``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regoscan.inputs.dockerfile import parse_dockerfile
from regoscan.inputs.errors import ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"


def commands(text: str, path: str = "Dockerfile") -> list[dict[str, Any]]:
    parsed = parse_dockerfile(text, path)
    assert parsed is not None
    return [command for stage in parsed["Stages"] for command in stage["Commands"]]


def only(text: str) -> dict[str, Any]:
    (command,) = commands(text)
    return command


def test_trivy_basic_shape() -> None:
    parsed = parse_dockerfile("FROM ubuntu:18.04\nCOPY . /app\nRUN make /app\nCMD python /app/app.py\n", "Dockerfile")
    assert parsed == {
        "Stages": [
            {
                "Name": "ubuntu:18.04",
                "Commands": [
                    {"Cmd": "from", "SubCmd": "", "Flags": [], "Value": ["ubuntu:18.04"],
                     "Original": "FROM ubuntu:18.04", "JSON": False, "Stage": 0, "Path": "Dockerfile",
                     "StartLine": 1, "EndLine": 1},
                    {"Cmd": "copy", "SubCmd": "", "Flags": [], "Value": [".", "/app"],
                     "Original": "COPY . /app", "JSON": False, "Stage": 0, "Path": "Dockerfile",
                     "StartLine": 2, "EndLine": 2},
                    {"Cmd": "run", "SubCmd": "", "Flags": [], "Value": ["make /app"],
                     "Original": "RUN make /app", "JSON": False, "Stage": 0, "Path": "Dockerfile",
                     "StartLine": 3, "EndLine": 3},
                    {"Cmd": "cmd", "SubCmd": "", "Flags": [], "Value": ["python /app/app.py"],
                     "Original": "CMD python /app/app.py", "JSON": False, "Stage": 0, "Path": "Dockerfile",
                     "StartLine": 4, "EndLine": 4},
                ],
            }
        ]
    }  # fmt: skip


def test_trivy_unknown_flags_are_dropped() -> None:
    cmds = commands(
        "FROM ubuntu:18.04\n"
        "COPY --foo --chown=1 --bar=./test . /app\n"
        "RUN --baz --baz --network=host make /app\n"
        "ONBUILD RUN --foo make /app\n"
    )
    assert cmds[1]["Flags"] == ["--chown=1"] and cmds[1]["Value"] == [".", "/app"]
    assert cmds[1]["Original"] == "COPY --foo --chown=1 --bar=./test . /app"
    assert cmds[2]["Flags"] == ["--network=host"] and cmds[2]["Value"] == ["make /app"]
    onbuild = cmds[3]
    assert (onbuild["Cmd"], onbuild["SubCmd"], onbuild["Flags"], onbuild["Value"]) == (
        "onbuild", "RUN", [], ["make /app"]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("RUN <<EOF\napk add curl\napk add git\nEOF", "apk add curl ; apk add git"),
        (
            "RUN cat <<EOF > /tmp/output && echo 'done'\nhello\nmr\npotato\nEOF",
            "cat <<EOF > /tmp/output && echo 'done'\nhello\nmr\npotato\nEOF",
        ),
        (
            "RUN <<EOF > /etc/config.yaml\nkey1: value1\nkey2: value2\nEOF",
            "<<EOF > /etc/config.yaml\nkey1: value1\nkey2: value2\nEOF",
        ),
        (
            'RUN <<EOF\n#!/usr/bin/env python\nprint("hello world")\nEOF',
            '<<EOF\n#!/usr/bin/env python\nprint("hello world")\nEOF',
        ),
    ],
    ids=["script", "chained", "redirect", "shebang"],
)
def test_trivy_heredocs(source: str, expected: str) -> None:
    command = only(source)
    assert command["Original"] == source
    assert command["Value"] == [expected]
    assert (command["StartLine"], command["EndLine"]) == (1, source.count("\n") + 1)


def test_heredoc_variants() -> None:
    cmds = commands(
        "FROM alpine\n"
        "COPY <<EOF /etc/app.conf\nlisten=:8080\nEOF\n"
        "RUN <<-'END'\n\techo tab\n\tEND\n"
        "RUN <<A <<B\na\nA\nb\nB\n"
        "RUN echo $((1<<2))\n"
        'RUN ["sh", "-c", "cat <<EOF"]\n'
    )
    copy, chomped, two, shift, exec_form = cmds[1:]
    assert copy["Value"] == ["listen=:8080"]  # Trivy drops the destination
    assert (copy["StartLine"], copy["EndLine"]) == (2, 4)
    assert chomped["Value"] == ["echo tab"] and chomped["EndLine"] == 7
    assert two["Value"] == ["<<A <<B\na\nA\nb\nB"] and (two["StartLine"], two["EndLine"]) == (8, 12)
    assert shift["Value"] == ["echo $((1<<2))"] and shift["EndLine"] == 13
    assert exec_form["JSON"] is True and exec_form["Value"] == ["sh", "-c", "cat <<EOF"]


def test_unterminated_heredoc() -> None:
    with pytest.raises(ParseError, match="unterminated heredoc") as info:
        parse_dockerfile("FROM alpine\nRUN <<EOF\necho\n", "Dockerfile")
    assert info.value.line == 2


def test_continuations_comments_and_blank_lines() -> None:
    command = only("RUN apt-get update && \\\n    # comment\n\n    apt-get install -y curl \\  \n  && rm -rf /x\n")
    assert command["Original"] == "RUN apt-get update &&     apt-get install -y curl   && rm -rf /x"
    assert command["Value"] == ["apt-get update &&     apt-get install -y curl   && rm -rf /x"]
    assert (command["StartLine"], command["EndLine"]) == (1, 5)


def test_escaped_backslash_is_not_a_continuation() -> None:
    cmds = commands("FROM a\nRUN echo \\\\\nUSER me\n")
    assert cmds[1]["Value"] == ["echo \\\\"] and cmds[1]["EndLine"] == 2
    assert cmds[2]["Cmd"] == "user"


def test_escape_directive_switches_to_backtick() -> None:
    cmds = commands("# escape=`\nFROM windows\nRUN dir `\n  C:\\ `\n  /s\nWORKDIR C:\\app\\\n")
    assert cmds[1]["Value"] == ["dir   C:\\   /s"] and (cmds[1]["StartLine"], cmds[1]["EndLine"]) == (3, 5)
    assert cmds[2]["Value"] == ["C:\\app\\"] and cmds[2]["StartLine"] == 6


def test_directive_only_counts_at_the_top() -> None:
    cmds = commands("# hello\n# escape=`\nFROM a\nRUN x \\\n  y\n")
    assert cmds[1]["Value"] == ["x   y"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# escape=x\nFROM a\n", 1),
        ("# syntax=a\n# syntax=b\nFROM a\n", 2),
        ("FROM a\nCMD [1, 2]\n", 2),
        ("FROM a\nENV ONLYKEY\n", 2),
        ("FROM a\nLABEL a=1 b\n", 2),
    ],
    ids=["bad-escape", "repeated-directive", "json-not-strings", "env-one-word", "label-missing-equals"],
)
def test_buildkit_parse_errors(text: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_dockerfile(text, "Dockerfile")
    assert info.value.line == line


def test_instruction_values() -> None:
    cmds = commands(
        "FROM golang:1.22 AS build\n"
        'ENV A=1 B="x y" C=\n'
        "ENV LEGACY some value\n"
        'LABEL org.opencontainers.image.title="t" k=v\n'
        "ARG X Y=2\n"
        "EXPOSE 80 443/tcp\n"
        "USER 1000:1000\n"
        "WORKDIR /src dir\n"
        "STOPSIGNAL SIGTERM\n"
        "MAINTAINER Jane <jane@example.com>\n"
        "VOLUME /data /logs\n"
        'VOLUME ["/a", "/b"]\n'
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1\n"
        "HEALTHCHECK NONE\n"
        'CMD ["python", "app.py"]\n'
        "ENTRYPOINT exec app\n"
        "ADD --checksum=sha256:abc --unknown https://x/y.tgz /y\n"
        "CMD [not json\n"
    )
    values = [(c["Cmd"], c["Flags"], c["Value"], c["JSON"]) for c in cmds]
    assert values == [
        ("from", [], ["golang:1.22", "AS", "build"], False),
        ("env", [], ["A", "1", "=", "B", '"x y"', "=", "C", "", "="], False),
        ("env", [], ["LEGACY", "some value", ""], False),
        ("label", [], ["org.opencontainers.image.title", '"t"', "=", "k", "v", "="], False),
        ("arg", [], ["X", "Y=2"], False),
        ("expose", [], ["80", "443/tcp"], False),
        ("user", [], ["1000:1000"], False),
        ("workdir", [], ["/src dir"], False),
        ("stopsignal", [], ["SIGTERM"], False),
        ("maintainer", [], ["Jane <jane@example.com>"], False),
        ("volume", [], ["/data", "/logs"], False),
        ("volume", [], ["/a", "/b"], True),
        ("shell", [], ["/bin/bash", "-o", "pipefail", "-c"], True),
        ("healthcheck", ["--interval=5m", "--timeout=3s"], ["CMD", "curl -f http://localhost/ || exit 1"], False),
        ("healthcheck", [], ["NONE"], False),
        ("cmd", [], ["python", "app.py"], True),
        ("entrypoint", [], ["exec app"], False),
        ("add", ["--checksum=sha256:abc"], ["https://x/y.tgz", "/y"], False),
        ("cmd", [], ["[not json"], False),
    ]


def test_flags_with_quotes_and_spaces() -> None:
    command = only('COPY --chown="app user" --from=build a b\n')
    assert command["Flags"] == ["--chown=app user", "--from=build"]
    assert command["Value"] == ["a", "b"]


def test_multistage_fixture() -> None:
    parsed = parse_dockerfile((FIXTURES / "Dockerfile.multistage").read_text(), "build/Dockerfile")
    assert parsed is not None
    stages = parsed["Stages"]
    # Pre-FROM ARGs form an unnamed stage; it and the first FROM stage are both Stage 0.
    assert [s["Name"] for s in stages] == [
        "",
        "--platform=$BUILDPLATFORM golang:${GO_VERSION} AS build",
        "gcr.io/distroless/static AS final",
    ]
    assert [[c["Stage"] for c in s["Commands"]] for s in stages] == [[0], [0, 0, 0, 0], [1] * 6]
    arg = stages[0]["Commands"][0]
    assert (arg["Cmd"], arg["Value"], arg["StartLine"]) == ("arg", ["GO_VERSION=1.22"], 2)
    build = stages[1]["Commands"]
    assert build[0]["Flags"] == ["--platform=$BUILDPLATFORM"]
    run = build[2]
    assert run["Flags"] == ["--mount=type=cache,target=/go/pkg/mod"]
    assert (run["StartLine"], run["EndLine"]) == (7, 11)
    assert run["Value"] == ["go mod download &&     go build -o /out/app ./cmd/app"]
    copy = stages[2]["Commands"][1]
    assert copy["Flags"] == ["--from=build", "--chown=nonroot:nonroot"]
    assert all(c["Path"] == "build/Dockerfile" for s in stages for c in s["Commands"])


def test_lower_case_instructions_and_stage_names() -> None:
    parsed = parse_dockerfile("from alpine as base\nrun echo hi\nFrom base\n", "Dockerfile")
    assert parsed is not None
    assert [s["Name"] for s in parsed["Stages"]] == ["alpine as base", "base"]
    assert [c["Cmd"] for s in parsed["Stages"] for c in s["Commands"]] == ["from", "run", "from"]
    assert parsed["Stages"][1]["Commands"][0]["Stage"] == 1


def test_crlf_fixture() -> None:
    cmds = commands((FIXTURES / "Dockerfile.crlf").read_bytes().decode("utf-8"))
    assert [c["Original"] for c in cmds] == ["FROM alpine:3.19", "RUN apk add --no-cache     curl", 'CMD ["sh"]']
    assert [(c["StartLine"], c["EndLine"]) for c in cmds] == [(1, 1), (2, 3), (4, 4)]


def test_bom_trailing_backslash_and_unknown_instruction() -> None:
    cmds = commands("\ufeffFROM a\nFROBNICATE --x the thing\nRUN echo \\")
    assert cmds[0]["Cmd"] == "from"
    assert (cmds[1]["Cmd"], cmds[1]["Flags"], cmds[1]["Value"]) == ("frobnicate", ["--x"], ["the thing"])
    assert (cmds[2]["Original"], cmds[2]["Value"], cmds[2]["EndLine"]) == ("RUN echo ", ["echo"], 3)


def test_nested_onbuild() -> None:
    command = only("ONBUILD ONBUILD RUN x\n")
    assert (command["SubCmd"], command["Value"]) == ("ONBUILD", [""])


def test_no_instructions_means_no_document() -> None:
    assert parse_dockerfile("", "Dockerfile") is None
    assert parse_dockerfile("# syntax=docker/dockerfile:1\n\n# nothing\n", "Dockerfile") is None
