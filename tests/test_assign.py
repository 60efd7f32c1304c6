"""双随机 assignment: conflicts respected, balanced loads, reproducible, infeasibility named, records kept."""

from __future__ import annotations

import argparse
import itertools
import json

import pytest
from conftest import make_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.cli.common import EXIT_USAGE, UsageError
from evalkit.cli.sampling import add_commands
from evalkit.config import Category, Unit, UnitList
from evalkit.project import init_project
from evalkit.sampling import Assessor, SamplingError, assign, make_assignment, read_assessors

UNITS = [f"c1-{i:02d}" for i in range(1, 11)]


def team(count: int, linked: dict[int, tuple[str, ...]] | None = None) -> list[Assessor]:
    return [Assessor(f"A{i:02d}", f"评估员{i}", (linked or {}).get(i, ())) for i in range(1, count + 1)]


def loads(result: dict[str, list[str]], people: list[Assessor]) -> dict[str, int]:
    return {a.id: sum(a.id in ids for ids in result.values()) for a in people}


def test_conflicts_respected_and_loads_balanced():
    people = team(6, {1: ("c1-01", "c1-02", "c1-03"), 2: ("c1-01",), 5: ("c1-10",)})
    result, problems = assign(UNITS, people, 2, seed=3)
    assert problems == []
    for unit, ids in result.items():
        assert len(ids) == len(set(ids)) == 2
        assert all(unit not in a.linked for a in people if a.id in ids)
    counts = loads(result, people).values()
    assert max(counts) - min(counts) <= 1 and sum(counts) == 20


def test_same_seed_same_assignment_and_seeds_differ():
    people = team(7, {3: ("c1-04",)})
    assert assign(UNITS, people, 2, seed=11) == assign(UNITS, people, 2, seed=11)
    assert len({json.dumps(assign(UNITS, people, 2, seed=s)[0], sort_keys=True) for s in range(8)}) > 1


def test_a_unit_without_enough_eligible_assessors_is_named():
    people = team(3, {1: ("c1-07",), 2: ("c1-07",)})
    result, problems = assign(UNITS, people, 2, seed=1, names={"c1-07": "市民政局"})
    assert result == {} and [(p.code, p.record) for p in problems] == [("assign-unit-infeasible", "c1-07")]
    assert "市民政局" in problems[0].message and "只有 1 名" in problems[0].message


def test_unbalanced_when_conflicts_force_it_with_a_warning():
    units = ["u1", "u2", "u3", "u4"]
    people = [Assessor("A1", "", ("u1", "u2", "u3")), Assessor("A2", "", ("u1", "u2", "u3")),
              Assessor("A3", "", ("u1", "u2", "u3")), Assessor("A4", "", ())]
    result, problems = assign(units, people, 1, seed=2)
    assert result["u1"] == result["u2"] == result["u3"] == ["A4"] and result["u4"] != ["A4"]
    assert [p.code for p in problems] == ["assign-unbalanced"] and "0–3" in problems[0].message


def test_per_unit_must_be_positive():
    assert assign(UNITS, team(3), 0, seed=1)[1][0].code == "assign-per-unit-invalid"


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_assignment_properties(data):
    units = [f"u{i}" for i in range(data.draw(st.integers(1, 12)))]
    people = [Assessor(f"A{i}", "", tuple(data.draw(st.sets(st.sampled_from(units), max_size=3))))
              for i in range(data.draw(st.integers(1, 8)))]
    k = data.draw(st.integers(1, 3))
    result, problems = assign(units, people, k, seed=data.draw(st.integers(0, 10**6)))
    eligible = {u: [a.id for a in people if u not in a.linked] for u in units}
    if any(len(v) < k for v in eligible.values()):
        assert result == {} and problems[0].code == "assign-unit-infeasible"
        return
    for unit, ids in result.items():
        assert len(set(ids)) == k and set(ids) <= set(eligible[unit])
    counts = loads(result, people).values()
    if not problems:
        assert max(counts) - min(counts) <= 1
    if not any(a.linked for a in people):
        assert problems == []


def balanced_exists(units, people, k) -> bool:
    """Brute force: is there any assignment whose loads differ by at most 1?"""
    options = [[c for c in itertools.combinations([a.id for a in people if u not in a.linked], k)] for u in units]
    for choice in itertools.product(*options):
        counts = [sum(a.id in team for team in choice) for a in people]
        if max(counts) - min(counts) <= 1:
            return True
    return False


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_balanced_whenever_some_balanced_assignment_exists(data):
    units = [f"u{i}" for i in range(data.draw(st.integers(1, 4)))]
    k = data.draw(st.integers(1, 2))
    people = [Assessor(f"A{i}", "", tuple(data.draw(st.sets(st.sampled_from(units), max_size=len(units)))))
              for i in range(data.draw(st.integers(k, 4)))]
    result, problems = assign(units, people, k, seed=data.draw(st.integers(0, 99)))
    if any(sum(u not in a.linked for a in people) < k for u in units):
        return
    assert (problems == []) == balanced_exists(units, people, k)


# ---------------------------------------------------------------- files, records, command line


UNIT_ROWS = [["编号", "名称", "类别"]] + [[u, f"单位{u}", "1"] for u in UNITS[:6]] + [["c1-07", "市民政局", "1"]]


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    init_project(root, "province-2018")
    (root / "units.xlsx").unlink()
    make_workbook(root / "units.xlsx", {"单位": UNIT_ROWS, "类别": [["编号", "名称"], ["1", "一类"]]})
    return root


def test_read_assessors_resolves_names_and_reports_problems(workbook):
    units = UnitList(tuple(Unit(r[0], r[1], "1") for r in UNIT_ROWS[1:]), (Category("1", "一类"),))
    path = workbook({"评估员": [["编号", "姓名", "关联单位"], ["A1", "张三", "c1-01，市民政局"], ["A2", "李四", "c1-9"],
                                ["A1", "重复", ""], [None, "无编号", ""]]})
    people, problems = read_assessors(path, units)
    assert [(a.id, a.linked) for a in people] == [("A1", ("c1-01", "c1-07")), ("A2", ())]
    assert [(p.code, p.row, p.column) for p in problems] == [
        ("assessor-link-unknown", 3, "关联单位"), ("assessor-id-duplicate", 4, "编号"), ("assessor-id-missing", 5, "编号")]


def test_make_assignment_records_once(project, tmp_path):
    path = make_workbook(tmp_path / "people.xlsx", {"评估员": [["编号", "姓名", "关联单位"]] + [
        [f"A{i}", f"评估员{i}", "市民政局" if i == 1 else ""] for i in range(1, 5)]})
    record, out, warnings = make_assignment(project, path, seed=5)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert out.parent == project / "draws" and out.name.startswith("assign-") and warnings == []
    assert data["format"] == "evalkit.assignment/1" and data["seed"] == 5 and data["per_unit"] == 2
    assert data["inputs"]["units"]["file"] == "units.xlsx" and len(data["inputs"]["assessors"]["sha256"]) == 64
    assert {"unit": "c1-07", "assessor": "A1"} in data["excluded"] and "created_at" not in data
    assert {"unit": "c1-07", "assessor": "A1"} not in data["pairs"] and len(data["pairs"]) == 14
    assert sorted(data["loads"].values()) == [3, 3, 4, 4]
    with pytest.raises(SamplingError) as err:
        make_assignment(project, path, seed=5)
    assert [p.code for p in err.value.problems] == ["assign-exists"]
    other = make_assignment(project, path, seed=5, assign_id="again")[0]
    assert other.pairs == record.pairs


def test_infeasible_assignment_writes_nothing(project, tmp_path):
    path = make_workbook(tmp_path / "people.xlsx", {"评估员": [["编号", "姓名", "关联单位"], ["A1", "x", "c1-07"],
                                                                ["A2", "y", ""]]})
    with pytest.raises(SamplingError) as err:
        make_assignment(project, path, seed=1)
    assert [(p.code, p.record) for p in err.value.problems] == [("assign-unit-infeasible", "c1-07")]
    assert list((project / "draws").iterdir()) == []


def run(capsys, *argv):
    parser = argparse.ArgumentParser(prog="evalkit")
    add_commands(parser.add_subparsers(dest="command", required=True), UsageError)
    args = parser.parse_args(list(argv))
    try:
        code = args.func(args)
    except UsageError as exc:
        print(exc)
        code = EXIT_USAGE
    return code, capsys.readouterr().out


def test_cli_assign(capsys, project, tmp_path):
    path = make_workbook(tmp_path / "people.xlsx", {"评估员": [["编号", "姓名", "关联单位"]] + [
        [f"A{i}", f"评估员{i}", ""] for i in range(1, 4)]})
    code, out = run(capsys, "assign", str(project), "--assessors", str(path), "--seed", "9", "--json")
    data = json.loads(out)
    assert code == 0 and data["assignment"]["seed"] == 9
    assert json.loads(open(data["path"], encoding="utf-8").read()) == data["assignment"]
    code, out = run(capsys, "assign", str(project), "--assessors", str(path), "--seed", "9")
    assert code == 1 and "assign-exists" in out
    code, out = run(capsys, "assign", str(project), "--assessors", str(tmp_path / "none.xlsx"), "--seed", "9")
    assert code == 2
