"""The task ledger (evalkit.ledger): template → fill → import round trip, points, states, overdue, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import SHIPPED, make_workbook

from evalkit.cli.main import main
from evalkit.framework import read_framework
from evalkit.ledger import (
    STATUSES,
    Ledger,
    Task,
    TaskState,
    framework_tasks,
    import_table,
    largest_remainder,
    load_ledger,
    overdue_events,
    record_status,
    write_template,
)
from evalkit.project import init_project, open_project, validate_project

D = dt.date
NOW = dt.datetime(2018, 11, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HEADER_ROW = 3          # title, 填报单位, header
FIRST = HEADER_ROW + 1  # row of 序号 1


def framework_rows() -> dict[int, dict]:
    with open(SHIPPED / "src" / "jilin-city-2018.indicators.csv", encoding="utf-8") as fh:
        return {int(r["序号"]): r for r in csv.DictReader(fh) if r["序号"]}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "jl"
    init_project(root, "jilin-city-2018")
    toml = root / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('as_of = ""', 'as_of = "2018-11-20"'), encoding="utf-8")
    return root


def pieces(root: Path) -> tuple:
    """What the ledger functions take of the project at ``root`` (read afresh): root, settings, framework, units."""
    p = open_project(root)
    return p.root, p.config, p.framework, p.units


def template(root: Path, path: Path, unit: str = "c1-01") -> Path:
    fw, _ = read_framework(root / "framework.xlsx")
    return write_template(fw, path, unit, "市编办")


def filled(root: Path, tmp_path: Path, edit=None, name: str = "filled.xlsx") -> Path:
    """The unit's template with 工作措施 filled (and tasks 5 and 14 marked 不涉及); ``edit(ws)`` changes more."""
    path = template(root, tmp_path / name)
    wb = openpyxl.load_workbook(path)
    ws = wb["任务分解表"]
    for n in range(1, 77):
        ws.cell(FIRST + n - 1, 5).value = f"措施{n}"
    ws.cell(FIRST + 4, 7).value = "不涉及"
    ws.cell(FIRST + 13, 7).value = "本单位不涉及"
    if edit:
        edit(ws)
    wb.save(path)
    return path


def nothing_written(root: Path) -> bool:
    return not any((root / "ledger").rglob("*.*"))


# ---------------------------------------------------------------- template

def test_template_has_seed_002_layout_with_merged_cells_and_deadlines_as_written(project, tmp_path):
    path = template(project, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["任务分解表"]
    assert ws.cell(1, 1).value == "吉林市加快推进“只跑一次”改革任务分解表"
    assert ws.cell(2, 1).value == "填报单位：市编办（c1-01）"
    assert [ws.cell(HEADER_ROW, c).value for c in range(1, 8)] == \
        ["序号", "一级指标", "二级指标", "三级指标", "工作措施", "完成时限", "备注"]
    rows = framework_rows()
    assert [ws.cell(FIRST + i, 1).value for i in range(76)] == list(range(1, 77))
    assert [ws.cell(FIRST + i, 4).value for i in range(76)] == [rows[n]["名称"] for n in range(1, 77)]
    assert [ws.cell(FIRST + i, 6).value for i in range(76)] == [rows[n]["完成时限"] for n in range(1, 77)]
    assert all(ws.cell(FIRST + i, 5).value in (None, "") for i in range(76))
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"B4:B6", "C4:C6", "C9:C11", "B7:B20"} <= merged          # area 1 = tasks 1–3; group 2.3 = tasks 6–8
    assert ws.cell(FIRST, 2).value == "改革任务目标" and ws.cell(FIRST + 3, 2).value == "把权力放在该放的层面"


# ---------------------------------------------------------------- round trip

def test_round_trip_template_fill_import_gives_the_same_tasks(project, tmp_path):
    target, problems = import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    assert target == project / "ledger" / "tasks" / "c1-01.xlsx" and target.exists()
    assert not [p for p in problems if p.is_error]
    ledger, problems = load_ledger(*pieces(project))
    tasks = ledger.unit_tasks("c1-01")
    rows = framework_rows()
    fw, _ = read_framework(project / "framework.xlsx")
    assert [t.task_no for t in tasks] == list(range(1, 77))
    assert [t.code for t in tasks] == [rows[n]["编码"] for n in range(1, 77)]
    assert [t.title for t in tasks] == [rows[n]["名称"] for n in range(1, 77)]
    assert [t.deadline_text for t in tasks] == [rows[n]["完成时限"] for n in range(1, 77)]
    assert [t.measures for t in tasks] == [f"措施{n}" for n in range(1, 77)]
    assert [t.task_no for t in tasks if not t.applicable] == [5, 14]
    assert tasks[0] == Task(unit="c1-01", task_no=1, code="1.1.1", area="改革任务目标", group=fw.get("1.1").name,
                            title=rows[1]["名称"], measures="措施1", deadline=D(2018, 3, 15),
                            deadline_text="2018年3月15日", deadline_source="表格", applicable=True, points=1.36,
                            note="", row=4)
    # free-text deadlines: read dates, or a clear problem with the cell
    assert {t.task_no: t.deadline for t in tasks if t.task_no in (15, 20, 21, 23, 34)} == {
        15: D(2018, 6, 30), 20: None, 21: D(2018, 7, 31), 23: D(2018, 12, 31), 34: D(2018, 6, 30)}
    unreadable = [p for p in problems if p.code == "ledger-deadline-unreadable"]
    assert [(p.row, p.column, p.record) for p in unreadable] == [(FIRST + 19, "完成时限", "c1-01")]
    assert sorted(p.row - FIRST + 1 for p in problems if p.code == "ledger-deadline-from-text") == [15, 21, 23, 34]
    assert not [p for p in problems if p.is_error]


def test_points_spread_equally_add_up_to_exactly_100(project, tmp_path):
    import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    ledger, _ = load_ledger(*pieces(project))
    points = {t.task_no: t.points for t in ledger.unit_tasks("c1-01")}
    # 74 applicable tasks: 10000 cents / 74 = 135.1…; floor 135 each leaves 10 cents for the first 10 tasks
    applicable = [n for n in range(1, 77) if n not in (5, 14)]
    assert [points[n] for n in applicable[:10]] == [1.36] * 10
    assert {points[n] for n in applicable[10:]} == {1.35}
    assert points[5] == points[14] == 0.0
    assert round(sum(points.values()) * 100) == 10000


def test_largest_remainder_rounding():
    assert largest_remainder({1: 1, 2: 1, 3: 1}) == {1: 33.34, 2: 33.33, 3: 33.33}
    assert largest_remainder({1: 2, 2: 1}, 10) == {1: 6.67, 2: 3.33}
    assert sum(largest_remainder({n: 1 for n in range(76)}).values()) == pytest.approx(100, abs=1e-9)


def test_points_by_area_weight_then_equal_within_the_area(project, tmp_path):
    toml = project / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[ledger]\npoints = "area"\n[ledger.area_weights]\n'
                    '"1" = 10\n"2" = 20\n"3" = 10\n"4" = 20\n"5" = 15\n"6" = 10\n"7" = 15\n', encoding="utf-8")
    import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    ledger, problems = load_ledger(*pieces(project))
    tasks = ledger.unit_tasks("c1-01")
    by_area: dict[str, float] = {}
    for t in tasks:
        by_area[t.area_code] = by_area.get(t.area_code, 0) + t.points
    assert {a: round(v, 2) for a, v in by_area.items()} == {
        "1": 10.0, "2": 20.0, "3": 10.0, "4": 20.0, "5": 15.0, "6": 10.0, "7": 15.0}
    assert [t.points for t in tasks[:3]] == [3.34, 3.33, 3.33]       # area 1: 10 points over 3 tasks
    assert round(sum(t.points for t in tasks) * 100) == 10000
    assert not [p for p in problems if p.code == "ledger-area-weight-missing"]


def test_area_weights_missing_an_area_is_an_error_and_falls_back_to_equal(project, tmp_path):
    toml = project / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[ledger]\npoints = "area"\n[ledger.area_weights]\n"1" = 10\n',
                    encoding="utf-8")
    import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    ledger, problems = load_ledger(*pieces(project))
    assert sorted(p.indicator for p in problems if p.code == "ledger-area-weight-missing") == \
        ["2", "3", "4", "5", "6", "7"]
    assert ledger.unit_tasks("c1-01")[0].points == 1.36


def test_lead_evaluator_states_an_unreadable_deadline(project, tmp_path):
    make_workbook(project / "ledger" / "时限认定.xlsx", {"时限认定": [
        ["单位", "序号", "完成时限", "说明"],
        ["c1-01", 20, "2018-09-30", "省政府通知的申报截止日期"],
        ["全部", 34, "2018年12月31日", "按最优服务工作的时限考核"]]})
    import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    ledger, problems = load_ledger(*pieces(project))
    t20, t34 = ledger.task("c1-01", 20), ledger.task("c1-01", 34)
    assert (t20.deadline, t20.deadline_text, t20.deadline_source) == (D(2018, 9, 30), "2018-09-30", "评估组指定")
    assert (t34.deadline, t34.deadline_source) == (D(2018, 12, 31), "评估组指定")
    assert not [p for p in problems if p.code == "ledger-deadline-unreadable"]


def test_bad_override_rows_are_problems_with_their_cell(project):
    make_workbook(project / "ledger" / "时限认定.xlsx", {"时限认定": [
        ["单位", "序号", "完成时限", "说明"],
        ["c9-99", 20, "2018-09-30", ""],
        ["c1-01", 99, "2018-09-30", ""],
        ["c1-01", 20, "长期坚持", ""]]})
    _, problems = load_ledger(*pieces(project))
    assert [(p.code, p.row, p.column) for p in problems if p.code == "ledger-override-invalid"] == [
        ("ledger-override-invalid", 2, "单位"), ("ledger-override-invalid", 3, "序号"),
        ("ledger-override-invalid", 4, "完成时限")]


# ---------------------------------------------------------------- bad input: nothing imported

def _codes(problems, severity="error"):
    return [(p.code, p.row, p.column) for p in problems if p.severity == severity]


def test_a_header_with_another_name_is_column_missing(project, tmp_path):
    def edit(ws):
        ws.cell(HEADER_ROW, 4).value = "内容"
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is None and nothing_written(project)
    assert _codes(problems) == [("column-missing", HEADER_ROW, "三级指标")]


def test_a_header_with_a_near_name_is_read_with_a_warning(project, tmp_path):
    def edit(ws):
        ws.cell(HEADER_ROW, 4).value = "三级 指标名称"
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is not None and not [p for p in problems if p.is_error]
    assert _codes(problems, "warning")[:1] == [("column-near-name", HEADER_ROW, "三级 指标名称")]
    assert "已按「三级指标」读取" in problems[0].message


def test_row_shifted_one_column_to_the_right(project, tmp_path):
    def edit(ws):  # row of 序号 10: 三级指标 text slid into 工作措施, 完成时限 into 备注
        r = FIRST + 9
        ws.cell(r, 7).value, ws.cell(r, 6).value = ws.cell(r, 6).value, "措施10"
        ws.cell(r, 5).value, ws.cell(r, 4).value = ws.cell(r, 4).value, None
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is None and nothing_written(project)
    assert _codes(problems) == [("ledger-row-shifted", FIRST + 9, "工作措施")]


def test_impossible_deadline(project, tmp_path):
    def edit(ws):
        ws.cell(FIRST + 1, 6).value = "2018年13月"
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is None and nothing_written(project)
    assert _codes(problems) == [("ledger-deadline-invalid", FIRST + 1, "完成时限")]
    assert "2018年13月" in problems[0].message and "月份 13 不存在" in problems[0].message


def test_duplicated_and_unknown_task_numbers(project, tmp_path):
    def edit(ws):
        ws.cell(FIRST + 2, 1).value = 2        # 序号 3 written as 2
        ws.cell(FIRST + 3, 1).value = 77       # 序号 4 written as 77
        ws.cell(FIRST + 4, 1).value = "五"     # not a number
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is None and nothing_written(project)
    assert _codes(problems) == [
        ("ledger-task-duplicate", FIRST + 2, "序号"), ("ledger-task-unknown", FIRST + 3, "序号"),
        ("ledger-task-no-invalid", FIRST + 4, "序号"),
        ("ledger-task-missing", None, None), ("ledger-task-missing", None, None), ("ledger-task-missing", None, None)]
    assert "与第 5 行重复" in problems[0].message
    assert [p.message.split("缺少序号 ")[1][:2] for p in problems if p.code == "ledger-task-missing"] == \
        ["3 ", "4 ", "5 "]


def test_title_differing_from_the_framework_is_a_warning_with_did_you_mean(project, tmp_path):
    rows = framework_rows()

    def edit(ws):
        ws.cell(FIRST + 5, 4).value = rows[7]["名称"]              # row of 序号 6 holds task 7's text
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is not None
    differs = [p for p in problems if p.code == "ledger-title-differs"]
    assert [(p.severity, p.row, p.column) for p in differs] == [("warning", FIRST + 5, "三级指标")]
    assert "该内容是序号 7 的三级指标" in differs[0].message


def test_done_without_date_in_the_table(project, tmp_path):
    def edit(ws):
        ws.cell(HEADER_ROW, 8).value = "完成情况"
        ws.cell(HEADER_ROW, 9).value = "完成日期"
        ws.cell(HEADER_ROW, 10).value = "销账材料"
        ws.cell(FIRST, 8).value = "已完成"
        ws.cell(FIRST, 9).value = "2018-03-10"
        ws.cell(FIRST + 1, 8).value = "已完成"           # no date
        ws.cell(FIRST + 2, 8).value = "已销账"           # date, no material
        ws.cell(FIRST + 2, 9).value = "2018-07-01"
        ws.cell(FIRST + 3, 8).value = "已完成"
        ws.cell(FIRST + 3, 9).value = "2018-12-01"       # after the as-of date
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is None and nothing_written(project)
    assert _codes(problems) == [("ledger-done-no-date", FIRST + 1, "完成日期"),
                                ("ledger-close-no-material", FIRST + 2, "完成日期"),
                                ("ledger-date-after-as-of", FIRST + 3, "完成日期")]


def test_states_in_the_table_become_state_entries(project, tmp_path):
    def edit(ws):
        ws.cell(HEADER_ROW, 8).value = "完成情况"
        ws.cell(HEADER_ROW, 9).value = "完成日期"
        ws.cell(HEADER_ROW, 10).value = "销账材料"
        ws.cell(FIRST, 8).value = "已销账"
        ws.cell(FIRST, 9).value = "2018年3月10日"
        ws.cell(FIRST, 10).value = "吉市编办发〔2018〕3号；结项总结"
        ws.cell(FIRST + 1, 8).value = "推进中"
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01", now=NOW)
    assert target is not None, problems
    ledger, _ = load_ledger(*pieces(project))
    s = ledger.state("c1-01", 1)
    assert (s.status, s.completed, s.materials, s.who) == (
        "已销账", D(2018, 3, 10), ("吉市编办发〔2018〕3号", "结项总结"), "导入：filled.xlsx")
    assert ledger.state("c1-01", 2).status == "推进中"
    assert ledger.state("c1-01", 3).status == "未开始"


def test_missing_file_and_sheet(project, tmp_path):
    target, problems = import_table(*pieces(project), tmp_path / "none.xlsx", "c1-01")
    assert target is None and _codes(problems) == [("file-missing", None, None)]
    other = make_workbook(tmp_path / "other.xlsx", {"Sheet1": [["a", "b"], [1, 2]]})
    target, problems = import_table(*pieces(project), other, "c1-01")
    assert target is None and [(p.code, p.sheet) for p in problems] == [("sheet-missing", "任务分解表")]
    assert nothing_written(project)


def test_unknown_unit(project, tmp_path):
    target, problems = import_table(*pieces(project), filled(project, tmp_path), "市编办")
    assert target is None and [p.code for p in problems] == ["ledger-unit-unknown"]
    assert "是单位 c1-01（市编办）的名称" in problems[0].message


def test_second_import_needs_replace_and_keeps_history(project, tmp_path):
    first = filled(project, tmp_path)
    import_table(*pieces(project), first, "c1-01")
    second = filled(project, tmp_path, lambda ws: setattr(ws.cell(FIRST, 5), "value", "新措施"), "second.xlsx")
    target, problems = import_table(*pieces(project), second, "c1-01")
    assert target is None and [p.code for p in problems if p.is_error] == ["ledger-import-exists"]
    assert load_ledger(*pieces(project))[0].task("c1-01", 1).measures == "措施1"
    target, problems = import_table(*pieces(project), second, "c1-01", replace_existing=True)
    assert target is not None
    assert load_ledger(*pieces(project))[0].task("c1-01", 1).measures == "新措施"
    history = list((project / "ledger" / "tasks" / "history" / "c1-01").glob("*.xlsx"))
    assert len(history) == 1 and history[0].read_bytes() == first.read_bytes()


# ---------------------------------------------------------------- states

@pytest.fixture
def imported(project, tmp_path):
    import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    return project


def test_record_status_rules(imported):
    def rec(n, status, date=None, materials=(), unit="c1-01"):
        return record_status(*pieces(imported), unit, n, status=status, completed=date, materials=materials,
                             who="李四", now=NOW)

    assert [p.code for p in rec(1, "已完成")[1]] == ["ledger-done-no-date"]
    assert [p.code for p in rec(1, "已销账", D(2018, 3, 1))[1]] == ["ledger-close-no-material"]
    assert [p.code for p in rec(1, "已完成", D(2018, 12, 1))[1]] == ["ledger-date-after-as-of"]
    assert [p.code for p in rec(1, "推进中", D(2018, 3, 1))[1]] == ["ledger-date-not-done"]
    assert [p.code for p in rec(1, "完成了")[1]] == ["ledger-status-unknown"]
    assert [p.code for p in rec(5, "推进中")[1]] == ["ledger-task-not-applicable"]
    assert [p.code for p in rec(99, "推进中")[1]] == ["ledger-task-unknown"]
    assert [p.code for p in rec(1, "推进中", unit="c1-02")[1]] == ["ledger-unit-not-imported"]
    assert not (imported / "ledger" / "status").exists()
    state, problems = rec(1, "已销账", D(2018, 3, 10), ["吉市编办发〔2018〕3号"])
    assert problems == [] and state.status == "已销账" and state.at == "2018-11-01T09:00:00+08:00"
    files = sorted((imported / "ledger" / "status" / "c1-01").glob("*.json"))
    assert len(files) == 1 and files[0].name.startswith("20181101T010000000000Z-")


def test_status_is_append_only_and_the_latest_entry_counts(imported):
    record_status(*pieces(imported), "c1-01", 2, status="推进中", completed=None, materials=(), who="甲", now=NOW)
    record_status(*pieces(imported), "c1-01", 2, status="已完成", completed=D(2018, 5, 30), materials=(), who="乙",
                  now=NOW + dt.timedelta(days=1))
    ledger, _ = load_ledger(*pieces(imported))
    assert ledger.state("c1-01", 2) == TaskState("c1-01", 2, "已完成", D(2018, 5, 30), (), "乙", "",
                                                 "2018-11-02T09:00:00+08:00", ledger.state("c1-01", 2).id)
    assert [s.status for s in ledger.history] == ["推进中", "已完成"]
    assert len(list((imported / "ledger" / "status" / "c1-01").glob("*.json"))) == 2
    assert ledger.state("c1-01", 3).status == STATUSES[0]


def test_overdue_against_deadline_and_as_of(imported):
    record_status(*pieces(imported), "c1-01", 1, status="已完成", completed=D(2018, 3, 15), materials=(), who="甲",
                  now=NOW)
    record_status(*pieces(imported), "c1-01", 2, status="已销账", completed=D(2018, 6, 10), materials=["结项总结"],
                  who="甲", now=NOW)
    ledger, _ = load_ledger(*pieces(imported))
    overdue = [t.task_no for t in ledger.overdue(D(2018, 11, 20))]
    # deadline before 2018-11-20: 58 tasks; task 1 done on its deadline is on time; task 2 done late is overdue;
    # task 20 has no readable deadline; tasks 5 and 14 (不涉及) fall on 12-31 anyway
    assert len(overdue) == 57 and 1 not in overdue and 2 in overdue and 20 not in overdue
    assert ledger.overdue(D(2018, 3, 16)) == []          # task 1 done on its deadline
    assert [t.task_no for t in ledger.overdue(D(2018, 4, 1))] == [60, 67]
    events = overdue_events(ledger, D(2018, 11, 20))
    assert len(events) == 57
    e2 = next(e for e in events if e.task == "2")
    assert (e2.id, e2.unit, e2.kind) == ("overdue-c1-01-2", "c1-01", "overdue_task")
    assert "序号 2" in e2.evidence and "完成时限 2018-05-31" in e2.evidence and "2018-06-10 完成（逾期）" in e2.evidence


def test_ledger_without_imports_is_empty(project):
    ledger, problems = load_ledger(*pieces(project))
    assert ledger == Ledger((), (), (), D(2018, 11, 20), ())
    assert ledger.state("c1-01", 1).status == "未开始"
    assert not [p for p in problems if p.is_error]


def test_framework_tasks_are_the_76_numbered_leaves():
    fw, _ = read_framework(SHIPPED / "jilin-city-2018.xlsx")
    tasks = framework_tasks(fw)
    assert list(tasks) == list(range(1, 77))
    assert (tasks[6].code, tasks[6].group_code, tasks[6].area_code) == ("2.3.1", "2.3", "2")


# ---------------------------------------------------------------- CLI

def run(capsys, *argv):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_cli_template_import_status(project, tmp_path, capsys):
    out_file = tmp_path / "c1-01.xlsx"
    code, out = run(capsys, "ledger", "template", project, "--unit", "c1-01", "-o", out_file)
    assert code == 0 and "76 项任务" in out and out_file.exists()
    code, out = run(capsys, "ledger", "template", project, "--unit", "c9", "-o", tmp_path / "x.xlsx")
    assert code == 2
    code, out = run(capsys, "ledger", "import", project, out_file, "--unit", "c1-01")
    assert code == 0 and "已导入单位 c1-01" in out and "ledger-deadline-unreadable" in out
    code, out = run(capsys, "ledger", "import", project, out_file, "--unit", "c1-01")
    assert code == 1 and "ledger-import-exists" in out and "未导入任何内容" in out
    code, out = run(capsys, "ledger", "status", project, "--unit", "c1-01", "--set", "1=已完成", "--date", "2018-03-10",
                    "--material", "吉市编办发〔2018〕3号")
    assert code == 0 and "已登记：单位 c1-01 序号 1 已完成，完成日期 2018-03-10" in out
    code, out = run(capsys, "ledger", "status", project, "--unit", "c1-01", "--set", "2=已销账", "--date", "2018-05-30")
    assert code == 1 and "ledger-close-no-material" in out and "未登记" in out
    material = tmp_path / "总结.pdf"
    material.write_bytes(b"%PDF-1.4 summary")
    code, out = run(capsys, "ledger", "status", project, "--unit", "c1-01", "--set", "2=已销账", "--date", "2018-05-30",
                    "--material-file", material, "--json")
    assert code == 0
    digest = hashlib.sha256(b"%PDF-1.4 summary").hexdigest()
    assert (project / "ledger" / "materials" / f"{digest}.pdf").read_bytes() == b"%PDF-1.4 summary"
    data = json.loads(out)
    t2 = next(t for t in data["tasks"] if t["task_no"] == 2)
    assert (t2["status"], t2["completed"], t2["materials"], t2["overdue"]) == (
        "已销账", "2018-05-30", [f"文件「总结.pdf」 sha256:{digest}"], False)
    assert data["as_of"] == "2018-11-20" and len(data["tasks"]) == 76


def test_cli_import_refuses_while_the_settings_have_an_error(project, tmp_path, capsys):
    """The settings are checked by evalkit.config (config-value-invalid); the command still imports nothing."""
    toml = project / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[ledger]\npoints = "weird"\n', encoding="utf-8")
    code, out = run(capsys, "ledger", "import", project, filled(project, tmp_path), "--unit", "c1-01")
    assert code == 1 and "config-value-invalid" in out and "ledger.points" in out and "未导入任何内容" in out
    assert nothing_written(project)


def test_table_of_another_unit_is_a_warning(project, tmp_path):
    target, problems = import_table(*pieces(project), filled(project, tmp_path), "c1-02")
    assert target is not None
    assert [(p.code, p.row, p.record) for p in problems if p.code == "ledger-unit-mismatch"] == [
        ("ledger-unit-mismatch", 2, "c1-02")]
    assert any("是单位名单中的 c1-01（市编办）" in p.message for p in problems)


def test_init_creates_ledger_folder_and_validate_reports_the_ledger(project, tmp_path):
    assert (project / "ledger").is_dir()
    assert validate_project(project)[str(project / "ledger")] == []
    import_table(*pieces(project), filled(project, tmp_path), "c1-01")
    results = validate_project(project)
    assert [p.code for p in results[str(project / "ledger")] if p.severity != "info"] == ["ledger-deadline-unreadable"]
    assert not [p for p in results[str(project / "framework.xlsx")] if p.is_error]   # rule 台账 / 人工 are valid


def test_repeated_header_rows_and_blank_lines_are_skipped(project, tmp_path):
    def edit(ws):
        ws.insert_rows(FIRST + 10, 2)
        for c, h in enumerate(("序号", "一级指标", "二级指标", "三级指标", "工作措施", "完成时限", "备注"), start=1):
            ws.cell(FIRST + 10, c).value = h
    target, problems = import_table(*pieces(project), filled(project, tmp_path, edit), "c1-01")
    assert target is not None and not [p for p in problems if p.is_error]
    assert load_ledger(*pieces(project))[0].task("c1-01", 11).row == FIRST + 12
