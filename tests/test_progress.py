"""Progress reports (seed 000 第三条: 日报告/周调度/月统筹/双月汇总): periods, counts, liaisons, workbook, CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import make_workbook
from test_ledger import pieces
from test_roster import LEADERS, stacked, units_of

from evalkit.cli.common import UsageError
from evalkit.cli.ledger_report import add_commands
from evalkit.cli.main import main
from evalkit.framework import read_framework
from evalkit.ledger import (
    import_roster,
    import_table,
    period_for,
    progress_report,
    record_status,
    write_report_xlsx,
    write_template,
)
from evalkit.project import init_project

D = dt.date
NOW = dt.datetime(2018, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def task_table(root: Path, path: Path, unit: str, name: str, not_applicable=(5,)) -> Path:
    fw, _ = read_framework(root / "framework.xlsx")
    write_template(fw, path, unit, name)
    wb = openpyxl.load_workbook(path)
    ws = wb["任务分解表"]
    for n in range(1, 77):
        ws.cell(3 + n, 5).value = f"措施{n}"
    for n in not_applicable:
        ws.cell(3 + n, 7).value = "不涉及"
    wb.save(path)
    return path


def ledger_project(root: Path, tmp: Path) -> Path:
    """Jilin City project, as-of 2018-11-20, c1-01 (市编办) and c1-02 with task tables, a roster for c1-01 only,
    and states: c1-01 task 1 done on time, task 2 done late (2018-11-19), task 25 closed 2018-11-20, task 3 in progress;
    task 24's group has its own 推进组 liaison."""
    init_project(root, "jilin-city-2018")
    toml = root / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('as_of = ""', 'as_of = "2018-11-20"'), encoding="utf-8")
    tmp.mkdir(parents=True, exist_ok=True)
    for unit, name in (("c1-01", "市编办"), ("c1-02", "市政府办公厅")):
        table = task_table(root, tmp / f"{unit}.xlsx", unit, name)
        target, problems = import_table(*pieces(root), table, unit, now=NOW)
        assert target is not None, problems
    rows = stacked(task="序号24")
    roster = make_workbook(tmp / "roster.xlsx", {"联络信息表": rows})
    target, problems = import_roster(root, units_of(root), roster, "c1-01")
    assert target is not None, problems
    for no, status, day, materials in ((1, "已完成", D(2018, 3, 10), ()), (2, "已完成", D(2018, 11, 19), ()),
                                       (25, "已销账", D(2018, 11, 20), ("吉市编发〔2018〕9号",)),
                                       (3, "推进中", None, ())):
        state, problems = record_status(*pieces(root), "c1-01", no, status=status, completed=day, materials=materials,
                                        who="评估组", now=NOW)
        assert state is not None, problems
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("progress")
    return ledger_project(base / "jl", base / "inputs")


# ---------------------------------------------------------------- periods

@pytest.mark.parametrize("cadence, day, start, end", [
    ("daily", D(2018, 11, 20), D(2018, 11, 20), D(2018, 11, 20)),
    ("weekly", D(2018, 11, 20), D(2018, 11, 19), D(2018, 11, 25)),      # Tuesday → Monday–Sunday
    ("weekly", D(2018, 11, 25), D(2018, 11, 19), D(2018, 11, 25)),      # Sunday stays in its week
    ("weekly", D(2018, 12, 31), D(2018, 12, 31), D(2019, 1, 6)),        # across the year
    ("monthly", D(2018, 2, 14), D(2018, 2, 1), D(2018, 2, 28)),
    ("bimonthly", D(2018, 11, 20), D(2018, 11, 1), D(2018, 12, 31)),
    ("bimonthly", D(2018, 2, 28), D(2018, 1, 1), D(2018, 2, 28)),
    ("bimonthly", D(2020, 3, 1), D(2020, 3, 1), D(2020, 4, 30)),
])
def test_periods_are_calendar_blocks_containing_the_date(cadence, day, start, end):
    p = period_for(cadence, day)
    assert (p.start, p.end, p.day) == (start, end, day)


def test_period_label():
    assert period_for("weekly", D(2018, 11, 20)).label == "周调度：2018-11-19（周一） 至 2018-11-25（周日）"
    assert period_for("daily", D(2018, 11, 20)).label == "日报告：2018-11-20（周二）"


# ---------------------------------------------------------------- counts

def test_weekly_counts_by_unit(project):
    report, problems = progress_report(*pieces(project), "weekly")
    assert not [p for p in problems if p.is_error]
    units = {u.unit: u for u in report.units}
    # 75 applicable tasks (5 不涉及); deadlines ≥ 2018-11-20: nine on 11-30, seven on 12-31 (5 excluded), 20 unreadable
    # → 58 were due before the report date; c1-01 finished 1 and 2 of them
    assert units["c1-01"].counts.values() == (75, 0, 0, 2, 3, 56, 1, 1)
    assert units["c1-02"].counts.values() == (75, 0, 0, 0, 0, 58, 0, 1)
    assert units["c1-01"].liaison.text == "张丽 13904310003"
    assert units["c1-02"].liaison.text == "未报联络员"
    assert not units["c1-03"].imported and len(report.units) == 95


def test_monthly_and_bimonthly_due(project):
    report, _ = progress_report(*pieces(project), "monthly", unit="c1-01")
    (line,) = report.units
    # due 2018-11-30: tasks 25 45 46 55 56 57 64 65 66; 25 closed on 11-20
    assert line.counts.values() == (75, 9, 1, 2, 3, 56, 1, 1)
    report, _ = progress_report(*pieces(project), "bimonthly", unit="c1-01")
    assert report.units[0].counts.values() == (75, 16, 1, 2, 3, 56, 1, 1)
    due = sorted(t.task_no for t in report.lines if t.due)
    assert due == [10, 11, 13, 14, 23, 25, 45, 46, 50, 52, 55, 56, 57, 64, 65, 66]


def test_daily_report_on_an_earlier_date_sees_facts_as_of_that_date(project):
    report, _ = progress_report(*pieces(project), "daily", D(2018, 10, 31), unit="c1-01")
    c = report.units[0].counts
    # due 2018-10-31: 27–30, 33, 35, 40–44, 53, 54, 58; task 2 (done 11-19) and 25 are not done yet on 10-31;
    # 44 applicable tasks were due before 10-31 (1–3, 4, 6–9, 12, 15–19, 21, 22, 24, 26, 31, 32, 34, 36–39, 47–49,
    # 51, 59–63, 67–76), task 1 is done: 43 open
    assert (c.due, c.due_done, c.done_in_period, c.done, c.overdue_open) == (14, 0, 0, 1, 43)
    shown = {t.task_no: t.situation for t in report.shown()}
    assert shown[27] == "本期到期"
    assert shown[2] == "逾期未完成（153 天）"       # 2018-05-31 → 2018-10-31
    assert 1 not in shown


def test_lines_name_the_responsible_liaison(project):
    report, _ = progress_report(*pieces(project), "weekly", unit="c1-01")
    by_no = {t.task_no: t for t in report.lines}
    assert by_no[24].liaison.text == "孙悦 13904310005" and by_no[24].liaison.source == "推进组「序号24」"
    assert by_no[2].liaison.text == "张丽 13904310003"
    assert by_no[2].situation == "本期完成（逾期完成）"
    assert by_no[25].situation == "本期完成"
    areas = {a.area_code: a.counts.values() for a in report.areas}
    assert list(areas) == ["1", "2", "3", "4", "5", "6", "7"]
    # tasks 1–3: 1 on time, 2 done late this week, 3 in progress since its deadline 2018-07-31
    assert areas["1"] == (3, 0, 0, 1, 2, 1, 1, 0)


def test_bad_input_makes_no_report(project, tmp_path):
    report, problems = progress_report(*pieces(project), "fortnightly")
    assert report is None and [p.code for p in problems] == ["progress-cadence-unknown"]
    report, problems = progress_report(*pieces(project), "weekly", unit="c9-99")
    assert report is None and [p.code for p in problems][-1] == "progress-unit-unknown"
    bare = tmp_path / "bare"
    init_project(bare, "jilin-city-2018")
    report, problems = progress_report(*pieces(bare), "weekly")
    assert report is None and [p.code for p in problems][-1] == "progress-date-missing"


# ---------------------------------------------------------------- the workbook

def test_workbook_states_period_and_holds_the_lines(project, tmp_path):
    report, _ = progress_report(*pieces(project), "weekly", unit="c1-01")
    path = write_report_xlsx(report, tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["按单位", "按领域", "任务明细"]
    ws = wb["按单位"]
    assert ws["A1"].value == "“只跑一次”改革任务推进周调度（按单位）"
    assert ws["A2"].value.startswith("统计期 周调度：2018-11-19（周一） 至 2018-11-25（周日）；报告日期 2018-11-20")
    assert [c.value for c in ws[5]] == ["单位编号", "单位名称", "承担任务", "本期到期", "其中已完成", "本期完成",
                                        "累计完成", "逾期未完成", "逾期完成", "时限未定", "联络员", "联络员手机",
                                        "说明"]
    assert [c.value for c in ws[6]] == ["c1-01", "市编办", 75, 0, 0, 2, 3, 56, 1, 1, "张丽", "13904310003", None]
    assert ws.freeze_panes == "A6" and ws.print_title_rows == "$5:$5"
    detail = wb["任务明细"]
    rows = {r[2]: r for r in detail.iter_rows(min_row=6, values_only=True)}
    assert rows[25][6:14] == ("2018-11-30", None, "已销账", "2018-11-20", "吉市编发〔2018〕9号", "本期完成", "张丽",
                              "13904310003")
    assert rows[24][11:14] == ("逾期未完成（143 天）", "孙悦", "13904310005")
    assert 1 not in rows and len(rows) == 2 + 56
    again = write_report_xlsx(report, tmp_path / "w2.xlsx")
    assert again.read_bytes() == path.read_bytes()


# ---------------------------------------------------------------- CLI

def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="evalkit ledger")
    add_commands(parser.add_subparsers(dest="action", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"evalkit: {exc}")
        return 2


def test_cli_report_writes_workbook_and_summary(project, tmp_path, capsys):
    out = tmp_path / "m.xlsx"
    assert run(["report", str(project), "--cadence", "monthly", "--date", "2018-11-20", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "月统筹：2018-11-01（周四） 至 2018-11-30（周五）" in text
    assert "2 个单位，承担任务 150 项：本期到期 18 项（其中已完成 1 项）" in text
    assert "93 个单位尚未导入任务分解表" in text and "1 个单位未报联络员：c1-02" in text
    assert openpyxl.load_workbook(out)["按领域"]["A1"].value == "“只跑一次”改革任务推进月统筹（按领域）"
    assert run(["report", str(project), "--cadence", "monthly", "-o", str(out)]) == 2
    assert "已存在" in capsys.readouterr().out


def test_cli_roster_import_list_and_template(project, tmp_path, capsys):
    bad = make_workbook(tmp_path / "bad.xlsx", {"联络信息表": stacked(leaders=LEADERS[:2])})
    assert run(["roster", str(project), str(bad), "--unit", "c1-02"]) == 1
    out = capsys.readouterr().out
    assert "roster-liaison-missing" in out and "未导入任何内容" in out
    assert not (project / "ledger" / "roster" / "c1-02.xlsx").exists()
    assert run(["roster", str(project)]) == 0
    out = capsys.readouterr().out
    assert "c1-01 市编办" in out and "    联络员  张丽 科长" in out
    blank = tmp_path / "blank.xlsx"
    assert run(["template-roster", str(project), "--unit", "c1-02", "-o", str(blank)]) == 0
    assert openpyxl.load_workbook(blank).active["A5"].value == "单位（公章）：市政府办公厅"
    assert run(["template-roster", str(project), "--unit", "nope", "-o", str(tmp_path / "x.xlsx")]) == 2


def test_evalkit_ledger_report_through_the_main_command_line(project, tmp_path, capsys):
    out = tmp_path / "d.xlsx"
    assert main(["ledger", "report", str(project), "--cadence", "daily", "--date", "2018-10-31", "--unit", "c1-01",
                 "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["start"], data["end"], data["date"]) == ("2018-10-31", "2018-10-31", "2018-10-31")
    assert data["totals"] == {"applicable": 75, "due": 14, "due_done": 0, "done_in_period": 0, "done": 1,
                              "overdue_open": 43, "done_late": 0, "undated": 1}
    assert main(["ledger", "report", str(project), "--cadence", "weekly", "--unit", "c9-99", "-o",
                 str(tmp_path / "e.xlsx")]) == 1
    assert not (tmp_path / "e.xlsx").exists()
