"""Library modules cut to the rules a check reaches (rego/shake.py), and where the scan uses them.

The cut must keep everything a check can reach (by name, transitively, every definition
of a kept name), keep line numbers, and change no finding: the last is checked on the
whole corpus by tests/test_corpus_golden.py and on the fixtures by the differential test.
"""

from __future__ import annotations

from regoscan.engine.planning import data_slice, split_builtin_checks
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from regoscan.rego.shake import reachable

LIB = """package lib.demo

import rego.v1

# a helper
default flag := false

flag if input.x == 1

used(x) := y if {
\ty := helper(x)
} else := 0

helper(x) := x + 1

unused := [1, 2, 3]

other_unused if {
\tunused[0] == 1
}
"""

OTHER = """package lib.other

import rego.v1

never := true
"""


def test_keeps_what_is_reached_and_blanks_the_rest() -> None:
    check = "package c\nimport data.lib.demo\ndeny contains 1 if { demo.used(2) > demo.flag }\n"
    out = dict(reachable([("demo.rego", LIB), ("other.rego", OTHER)], [check]))
    assert list(out) == ["demo.rego"]  # nothing of lib.other is reached: left out
    text = out["demo.rego"]
    assert text.count("\n") == LIB.count("\n")  # blanked, not deleted: lines hold
    for kept in ("default flag := false", "flag if input.x == 1", "used(x) := y if {", "} else := 0",
                 "helper(x) := x + 1", "package lib.demo", "import rego.v1"):
        assert kept in text
    assert "unused" not in text and "other_unused" not in text
    assert text.splitlines().index("helper(x) := x + 1") == LIB.splitlines().index("helper(x) := x + 1")


def test_reaches_through_kept_rules_only() -> None:
    out = dict(reachable([("demo.rego", LIB)], ["package c\nx := data.lib.demo.other_unused\n"]))
    assert "other_unused if {" in out["demo.rego"] and "unused := [1, 2, 3]" in out["demo.rego"]
    assert "helper(x)" not in out["demo.rego"]


def test_a_name_reaches_only_its_own_package_or_the_one_it_qualifies() -> None:
    # "used" and "never" are local names here: neither library is referenced
    check = "package c\nimport rego.v1\ndeny contains used if { some used in input.x; never := used }\n"
    assert reachable([("demo.rego", LIB), ("other.rego", OTHER)], [check]) == []
    aliased = "package c\nimport data.lib.other as o\nx := o.never\n"
    assert [name for name, _ in reachable([("demo.rego", LIB), ("other.rego", OTHER)], [aliased])] == ["other.rego"]


def test_a_dynamic_reference_keeps_every_library_whole() -> None:
    libs = [("demo.rego", LIB), ("other.rego", OTHER)]
    assert reachable(libs, ["package c\nx := data.lib[k] if k := input.k\n"]) == libs
    assert reachable(libs, ["package c\nx := [p | walk(data, [p, _])]\n"]) == libs


def test_words_in_strings_and_comments_reach_nothing() -> None:
    # "stale package data" in a message once read as `data` itself and kept every library whole
    libs = [("demo.rego", LIB), ("other.rego", OTHER)]
    check = ('package c\nimport rego.v1\nimport data.lib.demo\n# reads data[x] # and lib.other.never\n'
             'deny contains "stale package data # lib.other.never" if demo.flag\n'
             'note := `data and\nlib.other.never`\n')
    assert [name for name, _ in reachable(libs, [check])] == ["demo.rego"]


def _runtime(units: list[PolicyUnit]) -> PolicyRuntime:
    runtime = PolicyRuntime(units, {}, workers=1)
    runtime._good = list(units)  # no worker needed: only the planning is looked at
    return runtime


def _units() -> list[PolicyUnit]:
    return [
        PolicyUnit("(builtin)/lib/demo.rego", LIB, [], library=True),
        PolicyUnit("(builtin)/kubernetes/C1.rego", "package builtin.kubernetes.C1\nimport data.lib.demo\n"
                   "deny contains 1 if demo.flag\n", ["builtin/kubernetes/C1/deny"]),
        PolicyUnit("user.rego", "package user.x\ndeny contains 1 if true\n", ["user/x/deny"]),
    ]


def test_builtin_checks_get_bundles_of_their_own() -> None:
    units = _units()
    runtime = _runtime(units)
    jobs = [Job(i, {}, ["builtin/kubernetes/C1/deny", "user/x/deny"]) for i in range(10)]
    packages = {"(builtin)/lib/demo.rego": "lib.demo", "(builtin)/kubernetes/C1.rego": "builtin.kubernetes.C1",
                "user.rego": "user.x"}
    routed: set[str] = set()
    assert split_builtin_checks(runtime, jobs, packages, routed)
    assert routed == {"(builtin)/kubernetes/C1.rego"}
    assert jobs[0].parts() == {"check:(builtin)/kubernetes/C1.rego": ["builtin/kubernetes/C1/deny"],
                               "main": ["user/x/deny"]}
    group = runtime.group_units("check:(builtin)/kubernetes/C1.rego")
    assert [u.name for u in group] == ["(builtin)/lib/demo.rego", "(builtin)/kubernetes/C1.rego"]
    assert "helper(x)" not in group[0].text and "flag if input.x == 1" in group[0].text
    # the engine gets them without comments or blank tails, every line where it was
    assert "# a helper" not in group[0].text and group[0].text.count("\n") == LIB.count("\n")
    assert all(line == line.rstrip() for u in group for line in u.text.split("\n"))
    assert group[1].entrypoints == ["builtin/kubernetes/C1/deny"]


def test_no_split_when_a_user_module_could_join_a_builtin_check() -> None:
    for user_package in ("lib.demo", "lib", "builtin.kubernetes.C1.extra", "builtin"):
        runtime = _runtime(_units())
        jobs = [Job(i, {}, ["builtin/kubernetes/C1/deny", "user/x/deny"]) for i in range(10)]
        packages = {"(builtin)/lib/demo.rego": "lib.demo", "(builtin)/kubernetes/C1.rego": "builtin.kubernetes.C1",
                    "user.rego": user_package}
        routed: set[str] = set()
        assert not split_builtin_checks(runtime, jobs, packages, routed), user_package
        assert not routed and all(not j.routes for j in jobs)


def test_a_user_package_at_a_data_path_built_in_code_reads_keeps_the_checks_together() -> None:
    for reads, split in (("data.k8s.version", False), ("x.data.k8s", False), ("mydata.k8s", True),
                         ("input.my_data.k8s", True)):
        units = _units()
        units[1] = PolicyUnit(units[1].name, units[1].text + f"v := {reads}\n", units[1].entrypoints)
        runtime = _runtime(units)
        jobs = [Job(i, {}, ["builtin/kubernetes/C1/deny", "user/x/deny"]) for i in range(10)]
        packages = {"(builtin)/lib/demo.rego": "lib.demo", "(builtin)/kubernetes/C1.rego": "builtin.kubernetes.C1",
                    "user.rego": "k8s"}
        assert split_builtin_checks(runtime, jobs, packages, set()) is split, reads


def test_a_check_bundle_gets_the_data_its_modules_read() -> None:
    data = {"k8s": {"version": "1.29", "other": 1}, "ds031": {"included_envs": ["A"]}, "namespaces": ["x"],
            "regoscan_runtime": {"now_ns": 1}}
    text = ('package c\nimport data.lib.demo\nx := data.k8s.version\ny := data . ds031 . included_envs\n'
            '# data[x] in a comment\nmsg := "stale package data"\nz := data.absent.key\n')
    assert data_slice([text], data) == {"k8s": {"version": "1.29"}, "ds031": {"included_envs": ["A"]}}
    # a shorter reference keeps the whole of it, in either order
    assert data_slice(["a := data.k8s.version", "b := data.k8s"], data) == {"k8s": data["k8s"]}
    assert data_slice(["b := data.k8s", "a := data.k8s.version"], data) == {"k8s": data["k8s"]}
    assert data_slice(["x := input.data.k8s"], data) == {}
    # data itself, or indexed: anything may be read
    for text in ("x := data[k]", "x := [p | walk(data, [p, _])]", "x := data\n"):
        assert data_slice([text], data) is None, text
    # ``data`` inside another name or reference is not data; a reference right after one still is
    for text in ("x := mydata.k8s", "x := input.data.k8s", "x := my_data . k8s", "x := data2.k8s"):
        assert data_slice([text], data) == {}, text
    assert data_slice(["x := mydata . data.k8s.version"], data) == {"k8s": {"version": "1.29"}}
    assert data_slice(["x := f(\tdata.k8s)"], data) == {"k8s": data["k8s"]}
