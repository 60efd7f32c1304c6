"""Liaison rosters (seed 000 附件 联络信息表): reading both published layouts, validation, import, template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import make_workbook

from evalkit.ledger import (
    Liaison,
    Task,
    import_roster,
    liaison_for,
    load_rosters,
    read_roster,
    roster_path,
    task_matches,
    valid_email,
    valid_mobile,
    valid_phone,
    write_roster_template,
)
from evalkit.project import init_project, open_project, validate_project

HEADER = ["小组职务", "姓名", "职务", "电话", "传真", "手机", "邮箱"]
LEADERS = [["组 长", "王强", "主任", "0431—88904981", "0431-88904982", "13904310001", "wq@jl.gov.cn"],
           ["副组长", "李明", "副主任", "88904983", "", "13904310002", "lm@jl.gov.cn"],
           ["联络员", "张丽", "科长", "0431-88904984", "", "139 0431 0003", "zl@jl.gov.cn"]]
GROUP = [["组 长", "赵刚", "副主任", "", "", "13904310004", ""],
         ["副组长", "", "", "", "", "", ""],
         ["联络员", "孙悦", "科员", "", "", "13904310005", "sy@jl.gov.cn"]]


def stacked(leaders=LEADERS, group=GROUP, task="推行“多证合一”改革") -> list[list]:
    """Both tables on one sheet as published: title lines, blank rows, 单位（公章）, 任务名称."""
    return [["附件"], ["“只跑一次”改革联络信息表"], [],
            ["表一：“只跑一次”改革领导小组成员联络信息表"], ["单位（公章）：市编办"], HEADER, *leaders, [], [],
            ["表二：“只跑一次”改革任务推进组成员联络信息表"], ["单位（公章）：市编办"], ["任务名称", task],
            HEADER, *group]


def units_of(root: Path):
    """The unit list of the project at ``root`` (what importing a roster checks the unit against)."""
    return open_project(root).units


def write(path: Path, rows: list[list]) -> Path:
    return make_workbook(path, {"联络信息表": rows})


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "jl"
    init_project(root, "jilin-city-2018")
    return root


def codes(problems) -> list[tuple]:
    return [(p.code, p.sheet, p.row, p.column) for p in problems]


# ---------------------------------------------------------------- reading

def test_stacked_layout_reads_both_tables_with_rows(tmp_path):
    roster, problems = read_roster(write(tmp_path / "r.xlsx", stacked()), "c1-01", "市编办")
    assert problems == []
    assert roster.written_unit == "市编办"
    lead = roster.leadership
    assert [(m.role, m.name, m.row) for m in lead.members] == [("组长", "王强", 7), ("副组长", "李明", 8),
                                                               ("联络员", "张丽", 9)]
    assert lead.members[0].phone == "0431—88904981"
    (group,) = roster.task_groups
    assert group.task == "推行“多证合一”改革" and group.header_row == 15
    assert [(m.role, m.name) for m in group.members] == [("组长", "赵刚"), ("副组长", ""), ("联络员", "孙悦")]
    assert roster.liaison.name == "张丽"
    assert liaison_for(roster) == Liaison("张丽", "13904310003", "领导小组")


def test_one_sheet_per_table_layout(tmp_path):
    path = make_workbook(tmp_path / "two.xlsx", {
        "表一": [["“只跑一次”改革领导小组成员联络信息表"], ["单位（公章）：", "市编办"], [], HEADER, *LEADERS],
        "表二": [["单位（公章）：市编办"], ["任务名称：序号12"], HEADER, *GROUP,
                 [], ["任务名称", "推进政务服务标准化"], HEADER, *GROUP]})
    roster, problems = read_roster(path, "c1-01", "市编办")
    assert problems == []
    assert roster.written_unit == "市编办"
    assert [(g.kind, g.task, g.sheet, g.header_row) for g in roster.groups] == [
        ("领导小组", "", "表一", 4), ("任务推进组", "序号12", "表二", 3),
        ("任务推进组", "推进政务服务标准化", "表二", 9)]


def test_blank_table_two_as_published_is_no_problem(tmp_path):
    blank = [["组 长"] + [""] * 6, ["副组长"] + [""] * 6, ["联络员"] + [""] * 6]
    roster, problems = read_roster(write(tmp_path / "r.xlsx", stacked(group=blank, task="")))
    assert problems == [] and roster.task_groups[0].members[0].name == ""


# ---------------------------------------------------------------- bad input

def test_roster_without_liaison_is_an_error_at_its_row(tmp_path):
    leaders = LEADERS[:2] + [["联络员", "", "", "", "", "", ""]]
    _, problems = read_roster(write(tmp_path / "r.xlsx", stacked(leaders=leaders)))
    assert codes(problems) == [("roster-liaison-missing", "联络信息表", 9, "姓名")]
    assert "表一（领导小组）没有联络员" in problems[0].message


def test_deleted_role_rows_are_missing_roles_at_the_header(tmp_path):
    _, problems = read_roster(write(tmp_path / "r.xlsx", stacked(leaders=LEADERS[:1], group=GROUP[:2])))
    assert codes(problems) == [("roster-role-missing", "联络信息表", 6, "小组职务"),
                               ("roster-liaison-missing", "联络信息表", 6, "小组职务"),
                               ("roster-liaison-missing", "联络信息表", 13, "小组职务")]
    assert "副组长" in problems[0].message and "至少有 3 人" in problems[0].message
    assert "推进组「推行“多证合一”改革」" in problems[2].message


def test_malformed_numbers_and_addresses_name_their_cells(tmp_path):
    leaders = [["组 长", "王强", "主任", "0431/8890", "043188904982", "1390431000", "wq＠jl.gov.cn"],
               ["副组长", "李明", "副主任", "13904310002", "", "0431-88904983", "lm.jl.gov.cn"],
               ["联络员", "张丽", "科长", "", "", "", ""]]
    _, problems = read_roster(write(tmp_path / "r.xlsx", stacked(leaders=leaders)))
    assert codes(problems) == [
        ("roster-phone-invalid", "联络信息表", 7, "电话"), ("roster-mobile-invalid", "联络信息表", 7, "手机"),
        ("roster-email-invalid", "联络信息表", 7, "邮箱"),
        ("roster-phone-invalid", "联络信息表", 8, "电话"), ("roster-mobile-invalid", "联络信息表", 8, "手机"),
        ("roster-email-invalid", "联络信息表", 8, "邮箱"),
        ("roster-mobile-missing", "联络信息表", 9, "手机")]
    by = {(p.row, p.column): p.message for p in problems}
    assert "（有 10 位数字）" in by[(7, "手机")]
    assert "全角" in by[(7, "邮箱")] and "缺少 @" in by[(8, "邮箱")]
    assert "请填在「手机」列" in by[(8, "电话")] and "请填在「电话」列" in by[(8, "手机")]
    assert [p.severity for p in problems][-1] == "warning"


def test_name_missing_unknown_role_task_name_missing(tmp_path):
    leaders = LEADERS[:2] + [["联络员", "", "科长", "", "", "13904310003", ""], ["组员", "钱七", "", "", "", "", ""]]
    _, problems = read_roster(write(tmp_path / "r.xlsx", stacked(leaders=leaders, task="")))
    assert codes(problems) == [("roster-role-unknown", "联络信息表", 10, "小组职务"),
                               ("roster-task-name-missing", "联络信息表", 16, None),
                               ("roster-name-missing", "联络信息表", 9, "姓名")]


def test_no_table_one_and_missing_columns(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx", {"Sheet": [["序号", "名称"], [1, "a"]]})
    roster, problems = read_roster(path)
    assert roster is None and [p.code for p in problems] == ["roster-table-missing"]
    path = write(tmp_path / "y.xlsx", [["小组职务", "姓名", "职务", "电话", "传真", "手机"], *LEADERS])
    roster, problems = read_roster(path)
    assert roster is None
    assert [(p.code, p.row, p.column) for p in problems] == [("column-missing", 1, "邮箱"),
                                                             ("roster-table-missing", None, None)]


@pytest.mark.parametrize("text, ok", [("0431—88904981", True), ("0431-88904981", True), ("88904981", True),
                                      ("（0431）88904981", True), ("0431－88904981", True), ("8890498", True),
                                      ("0431-88904981转8001", True), ("88904981、88904982", True),
                                      ("0431-889049", False), ("12345678", False), ("电话", False)])
def test_phone_forms(text, ok):
    assert valid_phone(text) is ok


@pytest.mark.parametrize("text, ok", [("13904310001", True), ("139-0431-0001", True), ("+86 139 0431 0001", True),
                                      ("12904310001", False), ("1390431000", False), ("139043100012", False)])
def test_mobile_forms(text, ok):
    assert valid_mobile(text) is ok


@pytest.mark.parametrize("text, ok", [("a.b@jl.gov.cn", True), ("x_y+1@qq.com", True), ("a@b", False),
                                      ("a＠b.cn", False), ("a@b..cn", False), ("@b.cn", False)])
def test_email_forms(text, ok):
    assert valid_email(text) is ok


# ---------------------------------------------------------------- import into the project

def test_import_stores_validated_copy_and_never_overwrites(project, tmp_path):
    source = write(tmp_path / "r.xlsx", stacked())
    target, problems = import_roster(project, units_of(project), source, "c1-01")
    assert target == roster_path(project, "c1-01") and target.read_bytes() == source.read_bytes()
    assert problems == []
    other = write(tmp_path / "r2.xlsx", stacked(leaders=[LEADERS[0], LEADERS[1], ["联络员", "周八"] + [""] * 5]))
    target, problems = import_roster(project, units_of(project), other, "c1-01")
    assert target is None and [p.code for p in problems] == ["roster-mobile-missing", "roster-exists"]
    assert roster_path(project, "c1-01").read_bytes() == source.read_bytes()
    target, problems = import_roster(project, units_of(project), other, "c1-01", replace_existing=True)
    assert target.read_bytes() == other.read_bytes()
    assert [p.code for p in problems] == ["roster-mobile-missing"]
    assert len(list((project / "ledger" / "roster" / "history" / "c1-01").glob("*.xlsx"))) == 1
    rosters, problems = load_rosters(project)
    assert list(rosters) == ["c1-01"] and rosters["c1-01"].liaison.name == "周八"


def test_bad_roster_and_unknown_unit_import_nothing(project, tmp_path):
    bad = write(tmp_path / "bad.xlsx", stacked(leaders=LEADERS[:2]))
    target, problems = import_roster(project, units_of(project), bad, "c1-01")
    assert target is None and [p.code for p in problems] == ["roster-liaison-missing"]
    target, problems = import_roster(project, units_of(project), write(tmp_path / "ok.xlsx", stacked()), "c1-1")
    assert target is None and [(p.code, p.record) for p in problems] == [("roster-unit-unknown", "c1-1")]
    assert "c1-01" in problems[0].message
    assert not (project / "ledger" / "roster").exists()


def test_unit_name_mismatch_is_a_warning(project, tmp_path):
    rows = stacked()
    rows[4] = ["单位（公章）：市公安局"]
    target, problems = import_roster(project, units_of(project), write(tmp_path / "r.xlsx", rows), "c1-01")
    assert target is not None and [(p.code, p.row) for p in problems] == [("roster-unit-mismatch", 5)]


def test_validate_project_includes_rosters(project, tmp_path):
    import_roster(project, units_of(project), write(tmp_path / "r.xlsx", stacked()), "c1-01")
    # damage the stored copy: validate names it
    path = roster_path(project, "c1-01")
    path.chmod(0o644)
    write(path, stacked(leaders=LEADERS[:2]))
    results = validate_project(project)
    found = results[str(project / "ledger" / "roster")]
    assert [(p.code, p.file) for p in found] == [("roster-damaged", str(path))]


# ---------------------------------------------------------------- liaison per task

def task(no: int, title: str, group: str = "组") -> Task:
    return Task("c1-01", no, f"1.1.{no}", "区", group, title, "", dt.date(2018, 6, 30), "", "表格", True, 1.0)


def test_task_group_liaison_by_number_title_or_group(tmp_path):
    path = make_workbook(tmp_path / "two.xlsx", {
        "表一": [HEADER, *LEADERS],
        "表二": [["任务名称", "序号12"], HEADER, *GROUP,
                 ["任务名称", "推进政务服务标准化"], HEADER, GROUP[0],
                 ["联络员", "吴九", "", "", "", "13904310009", ""]]})
    roster, problems = read_roster(path)
    assert problems == []
    assert liaison_for(roster, task(12, "x")).name == "孙悦"
    assert liaison_for(roster, task(13, "推进政务服务标准化建设工作")).name == "吴九"
    assert liaison_for(roster, task(14, "其他", group="推进政务服务标准化")).name == "吴九"
    assert liaison_for(roster, task(15, "其他")) == Liaison("张丽", "13904310003", "领导小组")
    assert liaison_for(None, task(15, "其他")).text == "未报联络员"
    assert task_matches("第12项", task(12, "x")) and not task_matches("序号 120", task(12, "x"))


# ---------------------------------------------------------------- the blank form

def test_template_is_the_published_form_and_reads_back_blank(tmp_path):
    path = write_roster_template(tmp_path / "t.xlsx", "c1-01", "市编办")
    ws = openpyxl.load_workbook(path)["联络信息表"]
    values = [[c for c in row if c not in (None, "")] for row in ws.iter_rows(values_only=True)]
    assert values == [["附件"], ["“只跑一次”改革联络信息表"], [],
                      ["表一：“只跑一次”改革领导小组成员联络信息表"], ["单位（公章）：市编办"], HEADER,
                      ["组 长"], ["副组长"], ["联络员"], [],
                      ["表二：“只跑一次”改革任务推进组成员联络信息表"], ["单位（公章）：市编办"], ["任务名称"], HEADER,
                      ["组 长"], ["副组长"], ["联络员"]]
    roster, problems = read_roster(path)
    assert [(p.code, p.row) for p in problems] == [("roster-role-missing", 7), ("roster-role-missing", 8),
                                                   ("roster-liaison-missing", 9)]
    again = write_roster_template(tmp_path / "t2.xlsx", "c1-01", "市编办")
    assert again.read_bytes() == path.read_bytes()


def test_template_filled_in_round_trips_through_import(project, tmp_path):
    path = write_roster_template(tmp_path / "t.xlsx", "c1-01", "市编办")
    wb = openpyxl.load_workbook(path)
    ws = wb["联络信息表"]
    for r, row in zip((7, 8, 9), LEADERS, strict=True):
        for c, value in enumerate(row[1:], start=2):
            ws.cell(r, c).value = value
    ws.cell(13, 2).value = "序号24"
    for r, row in zip((15, 16, 17), GROUP, strict=True):
        for c, value in enumerate(row[1:], start=2):
            ws.cell(r, c).value = value
    wb.save(path)
    target, problems = import_roster(project, units_of(project), path, "c1-01")
    assert target is not None and problems == []
    roster = load_rosters(project)[0]["c1-01"]
    assert [(g.kind, g.task, g.liaison.name) for g in roster.groups] == [("领导小组", "", "张丽"),
                                                                        ("任务推进组", "序号24", "孙悦")]
