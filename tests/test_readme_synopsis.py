"""The README's command-line synopsis lists every flag of each command, and only real ones."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FLAG = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def _synopsis(command: str) -> set[str]:
    """Flags in the README synopsis block of ``regoscan COMMAND`` (its line and the indented ones after it)."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("## Command line"):]
    block = block[block.index("```sh\n") + 6:block.index("\n```", block.index("```sh\n"))]
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"regoscan {command} "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return set(FLAG.findall(" ".join(lines[start:end]))) - {"-"}


def _help_flags(command: str) -> set[str]:
    """Flags ``regoscan COMMAND --help`` prints, as a user would see them."""
    out = subprocess.run([sys.executable, "-m", "regoscan", command, "--help"], capture_output=True, text=True,
                         check=True, env={"COLUMNS": "200", "PATH": ""}).stdout
    options = out[out.index("options:"):]
    return set(FLAG.findall(options)) - {"-h", "--help"}


@pytest.mark.parametrize("command", ["scan", "checks", "test"])
def test_readme_synopsis_matches_help(command: str) -> None:
    documented = _synopsis(command)
    actual = _help_flags(command)
    assert actual - documented == set(), f"flags missing from the README synopsis of `regoscan {command}`"
    assert documented - actual == set(), f"flags in the README synopsis that `regoscan {command}` does not have"


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("```sh\n") + 6
    first_block = text[start:text.index("\n```", start)]
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == ["make demo", "make test"]
    assert text.index("make demo") < text.index("## ")
