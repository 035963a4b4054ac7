"""Inputs as the runner passes them: ``INPUT_<NAME>`` with hyphens kept."""

from __future__ import annotations

import pytest

from regoscan.action.inputs import ActionInputs, InputError, env_name, read_inputs


def test_env_name_keeps_hyphens_like_the_runner() -> None:
    assert env_name("fail-on") == "INPUT_FAIL-ON"
    assert env_name("github-token") == "INPUT_GITHUB-TOKEN"
    assert env_name("my input") == "INPUT_MY_INPUT"


def test_defaults_match_action_yml() -> None:
    import yaml

    from tests.e2e.scenario import FIXTURES

    action = yaml.safe_load((FIXTURES.parents[2] / "action.yml").read_text(encoding="utf-8"))
    defaults = read_inputs({})
    assert defaults == ActionInputs()
    for name, spec in action["inputs"].items():
        attr = name.replace("-", "_")
        value = getattr(defaults, attr)
        default = str(spec.get("default", ""))
        if name == "github-token":
            assert default == "${{ github.token }}"
        elif isinstance(value, bool):
            assert str(value).lower() == default, name
        elif isinstance(value, list):
            assert value == [] and default == "", name
        elif isinstance(value, float):
            assert value == float(default), name
        else:
            assert value == default, name


def test_hyphenated_values_are_read_and_validated() -> None:
    env = {
        "INPUT_FAIL-ON": "Medium",
        "INPUT_SCAN": "changed",
        "INPUT_SARIF-FILE": "./out/results.sarif",
        "INPUT_SARIF-SUPPRESSED": "keep",
        "INPUT_SUMMARY": "False",
        "INPUT_COMMENT": "no",
        "INPUT_GITHUB-TOKEN": " ghs_abc \n",
        "INPUT_PATHS": "k8s/**\n# a comment line\n\ndeploy/, charts/*.yaml",
        "INPUT_POLICY": "policy/\n",
    }
    got = read_inputs(env)
    assert got.fail_on == "medium"
    assert got.scan == "changed"
    assert got.sarif_file == "out/results.sarif"
    assert got.sarif_suppressed == "keep"
    assert got.summary is False and got.comment is False
    assert got.github_token == "ghs_abc"
    assert got.paths == ["k8s/**", "deploy", "charts/*.yaml"]
    assert got.policy == ["policy"]


def test_underscore_spelling_is_a_fallback_for_manual_runs() -> None:
    assert read_inputs({"INPUT_FAIL_ON": "low"}).fail_on == "low"
    assert read_inputs({"INPUT_FAIL_ON": "low", "INPUT_FAIL-ON": "critical"}).fail_on == "critical"


def test_token_is_not_in_repr() -> None:
    assert "ghs_secret" not in repr(read_inputs({"INPUT_GITHUB-TOKEN": "ghs_secret"}))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INPUT_FAIL-ON": "hgh"}, "input 'fail-on': expected one of critical, high, medium, low, never; got 'hgh'"),
        ({"INPUT_SCAN": "diff"}, "input 'scan'"),
        ({"INPUT_SARIF-SUPPRESSED": "drop"}, "input 'sarif-suppressed'"),
        ({"INPUT_COMMENT": "maybe"}, "input 'comment': expected true or false; got 'maybe'"),
        ({"INPUT_SARIF-FILE": "/tmp/x.sarif"}, "input 'sarif-file': must be a path inside the workspace"),
        ({"INPUT_POLICY": "../elsewhere"}, "input 'policy': must be a path inside the workspace"),
        ({"INPUT_SARIF-FULL-FILE": "regoscan.sarif"}, "input 'sarif-full-file': must differ"),
    ],
)
def test_bad_inputs_name_the_input(env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as info:
        read_inputs(env)
    assert message in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [
    ("/github/workspace/policy", "policy"),
    ("/github/workspace/policy/", "policy"),
    ("/github/workspace", "."),
    ("./policy", "policy"),
    ("policy", "policy"),
])
def test_absolute_paths_under_the_workspace_become_relative(value: str, expected: str) -> None:
    env = {"GITHUB_WORKSPACE": "/github/workspace", "INPUT_POLICY": value, "INPUT_SARIF-FILE": f"{value}/r.sarif",
           "INPUT_PATHS": f"{value}/k8s/**"}
    inputs = read_inputs(env)
    assert inputs.policy == [expected]
    assert inputs.sarif_file == ("r.sarif" if expected == "." else f"{expected}/r.sarif")
    assert inputs.paths == [("k8s/**" if expected == "." else f"{expected}/k8s/**")]


@pytest.mark.parametrize("value", ["/github/workspace-other/policy", "/etc", "/github/workspace/../etc"])
def test_absolute_paths_elsewhere_are_refused(value: str) -> None:
    with pytest.raises(InputError, match="input 'policy': must be a path inside the workspace"):
        read_inputs({"GITHUB_WORKSPACE": "/github/workspace", "INPUT_POLICY": value})


def test_category_always_ends_with_a_slash() -> None:
    assert read_inputs({}).sarif_category == "regoscan/"
    assert read_inputs({"INPUT_SARIF-CATEGORY": "k8s"}).sarif_category == "k8s/"
    assert read_inputs({"INPUT_SARIF-CATEGORY": "regoscan/prod/"}).sarif_category == "regoscan/prod/"
    for bad in ("/", "a b"):
        with pytest.raises(InputError, match="sarif-category"):
            read_inputs({"INPUT_SARIF-CATEGORY": bad})


def test_api_timeout_and_comment_tag() -> None:
    inputs = read_inputs({"INPUT_API-TIMEOUT": "30", "INPUT_COMMENT-TAG": "matrix-a"})
    assert (inputs.api_timeout, inputs.comment_tag) == (30.0, "matrix-a")
    for bad in ("0", "-1", "soon", "99999"):
        with pytest.raises(InputError, match="api-timeout"):
            read_inputs({"INPUT_API-TIMEOUT": bad})
