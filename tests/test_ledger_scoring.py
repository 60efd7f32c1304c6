"""Scoring a Jilin City (按单位) project from its task ledger: per-unit points, overdue and lead events."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from conftest import make_workbook
from test_ledger import FIRST, NOW, filled, pieces

import evalkit.project.project as project_module
from evalkit.cli.main import main
from evalkit.ledger import import_table, load_ledger, record_status
from evalkit.project import evaluate, init_project, open_project, validate_project

D = dt.date


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """c1-01 and c1-02 imported (c1-02 without 不涉及); a few states; c1-01 leads group 1.1 and item 1."""
    tmp = tmp_path_factory.mktemp("ls")
    root = tmp / "jl"
    init_project(root, "jilin-city-2018")
    toml = root / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('as_of = ""', 'as_of = "2018-11-20"'), encoding="utf-8")
    import_table(*pieces(root), filled(root, tmp, name="a.xlsx"), "c1-01")

    def all_applicable(ws):
        ws.cell(FIRST + 4, 7).value = None
        ws.cell(FIRST + 13, 7).value = None
    import_table(*pieces(root), filled(root, tmp, all_applicable, name="b.xlsx"), "c1-02")
    for unit, n, status, day, materials in (
            ("c1-01", 1, "已完成", D(2018, 3, 15), ()),               # on time
            ("c1-01", 2, "已销账", D(2018, 6, 10), ("结项总结",)),    # late: points, but overdue
            ("c1-01", 3, "推进中", None, ()),
            ("c1-02", 1, "已完成", D(2018, 3, 1), ()),
            ("c1-02", 2, "已完成", D(2018, 5, 31), ()),
            ("c1-02", 3, "已完成", D(2018, 8, 1), ())):            # late
        _, problems = record_status(*pieces(root), unit, n, status=status, completed=day, materials=materials, who="甲",
                                    now=NOW)
        assert problems == []
    make_workbook(root / "ledger" / "牵头单位.xlsx", {"牵头单位": [
        ["推进组", "事项", "牵头单位"],
        ["1.1", None, "c1-01"],                   # tasks 1–3 at c1-01 (2 late) and c1-02 → −3
        [None, 1, "市编办"],                      # task 1 on time at both units → +2
        ["实行清单目录管理", None, "c1-02"],       # group 2.3: tasks 6–8 not done, overdue → −3
        ["9.9", None, "c1-01"]]})                 # unknown group → problem
    return root, evaluate(open_project(root), draws=50)[0]


def test_task_leaves_get_the_units_points_and_earn_them_when_done(scored):
    _, evaluation = scored
    a = evaluation.unit("c1-01")
    leaf = a.leaf("1.1.1")
    assert (leaf.points, leaf.score, leaf.kind, leaf.status) == (1.36, 1.36, "ledger", "scored")
    assert leaf.figures == ("台账 序号 1，状态「已完成」，完成日期 2018-03-15，"
                            "完成时限 2018-03-15（表格：2018年3月15日），截止日期 2018-11-20：得 1.36/1.36 分")
    late = a.leaf("1.1.2")
    assert (late.score, late.records) == (1.36, ("结项总结",)) and "材料：结项总结" in late.figures
    assert a.leaf("1.1.3").score == 0.0 and "状态「推进中」" in a.leaf("1.1.3").figures
    # 不涉及 tasks drop out of the unit's tree; parents sum their children
    assert a.leaf("2.2.1") is None and a.node("2.2") is None
    assert a.leaf("2.7.2") is None and a.leaf("2.7.1") is not None
    assert a.node("1.1").points == 4.08 and a.node("1").score == 2.72
    assert sum(x.points for x in a.leaves if x.kind == "ledger") == pytest.approx(100.0)
    b = evaluation.unit("c1-02")
    assert b.leaf("1.1.1").points == 1.32 and b.leaf("2.2.1").points == 1.32   # 76 tasks: 44 × 1.32 + 32 × 1.31
    assert b.leaf("7.6.7").points == 1.31


def test_overdue_deductions_are_in_the_units_score_trace(scored):
    _, evaluation = scored
    a = evaluation.unit("c1-01")
    overdue = [e for e in a.events if e.kind == "overdue_task"]
    assert len(overdue) == 57 and {e.points for e in overdue} == {-5.0}
    e2 = next(e for e in overdue if e.id == "overdue-c1-01-2")
    assert e2.evidence == ("台账 序号 2（指标 1.1.2）「5月底前，向社会公布第二批网上审批“零上门”、即来即办、网上…」："
                           "完成时限 2018-05-31（表格：2018年5月31日），2018-06-10 完成（逾期）")
    assert e2.source == "吉市办发〔2018〕15号 第十三条（一）"
    e3 = next(e for e in overdue if e.id == "overdue-c1-01-3")
    assert "完成时限 2018-07-31" in e3.evidence and "截至 2018-11-20 状态「推进中」" in e3.evidence
    assert "overdue-c1-01-1" not in {e.id for e in overdue}
    b = evaluation.unit("c1-02")
    assert len([e for e in b.events if e.kind == "overdue_task"]) == 56   # tasks 1, 2 on time; 3 late


def test_lead_department_events(scored):
    _, evaluation = scored
    a = {e.id: e for e in evaluation.unit("c1-01").events if e.kind.startswith("lead")}
    assert {k: (e.kind, e.points) for k, e in a.items()} == {
        "lead-c1-01-group-1.1": ("lead_group_failed", -3.0), "lead-c1-01-item-1": ("lead_item_done", 2.0)}
    assert "c1-01 序号 2 完成时限 2018-05-31" in a["lead-c1-01-group-1.1"].evidence
    b = {e.id: (e.kind, e.points) for e in evaluation.unit("c1-02").events if e.kind.startswith("lead")}
    assert b == {"lead-c1-02-group-2.3": ("lead_group_failed", -3.0)}
    bad = [p for p in evaluation.problems if p.code == "ledger-lead-invalid"]
    assert [(p.row, p.column) for p in bad] == [(5, "推进组")]


def test_unit_totals(scored):
    _, evaluation = scored
    a = evaluation.unit("c1-01")
    # scored: tasks 1 and 2 done (1.36 each); events: 57 × −5, −3, +2
    assert a.scored == pytest.approx(2.72) and a.adjustments == pytest.approx(-57 * 5 - 3 + 2)
    assert a.total == pytest.approx(2.72 - 286)
    b = evaluation.unit("c1-02")
    assert b.scored == pytest.approx(1.32 * 3) and b.adjustments == pytest.approx(-56 * 5 - 3)


def test_units_without_a_table_are_named_and_not_scored(scored):
    _, evaluation = scored
    c = evaluation.unit("c1-03")
    assert c.leaf("1.1.1").status == "ledger_missing" and c.leaf("1.1.1").score is None and not c.complete
    assert c.events == ()
    missing = [p for p in evaluation.problems if p.code == "ledger-unit-not-imported"]
    assert "c1-03" in {p.record for p in missing} and "c1-01" not in {p.record for p in missing}
    assert [(p.code, p.record) for p in evaluation.problems if p.code == "ledger-deadline-unreadable"] == [
        ("ledger-deadline-unreadable", "c1-01"), ("ledger-deadline-unreadable", "c1-02")]


def test_cli_score_shows_ledger_trace_in_json(scored, capsys):
    root, _ = scored
    code = main(["score", str(root), "--json", "--draws", "20"])
    data = json.loads(capsys.readouterr().out)
    a = next(u for u in data["units"] if u["unit"] == "c1-01")
    assert next(e for e in a["events"] if e["id"] == "overdue-c1-01-2")["points"] == -5.0
    assert next(x for x in a["leaves"] if x["indicator"] == "1.1.1")["score"] == 1.36
    assert code == 1   # lead file row 5 is an error


def test_without_as_of_nothing_is_overdue(scored, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(scored[0], root)
    toml = root / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('as_of = "2018-11-20"', 'as_of = ""'), encoding="utf-8")
    evaluation = evaluate(open_project(root), draws=10)[0]
    assert not [e for e in evaluation.unit("c1-01").events]
    assert "ledger-as-of-missing" in {p.code for p in evaluation.problems}
    assert evaluation.unit("c1-01").leaf("1.1.1").score == 1.36


def test_one_project_reads_its_ledger_once_for_validation_and_scoring(scored, monkeypatch):
    root, _ = scored
    calls = []

    def counted(*args):
        calls.append(args[0])
        return load_ledger(*args)
    monkeypatch.setattr(project_module, "load_ledger", counted)
    project = open_project(root)
    found = validate_project(project)[str(root / "ledger")]
    evaluation = evaluate(project, draws=10)[0]
    assert calls == [root]
    assert found == project.ledger_problems and project.ledger_inputs.ledger is project.ledger
    assert evaluation.unit("c1-01").leaf("1.1.1").score == 1.36
