"""Government tables as offices really fill them in (issue 18): a Jilin City office's 76-task
任务分解表, a seed-000 liaison roster and the province index table in its published layout — each
read as its author meant it, every assumption said aloud, and no traceback.

The inputs are built by :mod:`office_tables` the way the offices write them (title, 填报单位 line
with 「（盖章）」, the header on row 3 with 「序　号」「完成\\n时限」, merged 一级/二级 and merged 备注 /
完成时限 spans, free-text deadlines and ranges, 不涉及 / 不适用, full-width digits, a 注 footnote
and 填报人 / 审核人 rows), never by evalkit's own templates.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pytest
from conftest import SHIPPED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from office_tables import (
    DEADLINE_SPAN,
    ROSTER_HEADER,
    write_office_roster,
    write_office_table,
    write_province_table,
)

from evalkit.cli.main import main
from evalkit.framework import import_government_table, parse_cell, read_framework
from evalkit.ledger import (
    import_roster,
    import_table,
    liaison_for,
    load_ledger,
    parse_deadline,
    progress_report,
    read_roster,
    task_numbers,
    write_report_xlsx,
    written_unit,
)
from evalkit.project import evaluate, init_project, open_project

FAITHFUL = SHIPPED / "province-2018-faithful.xlsx"

D = dt.date
AS_OF = D(2018, 11, 20)


def rendered(problems) -> list:
    """Every message has its placeholders filled: no 「{…}」 left and no empty 「」."""
    bad = [p.message for p in problems if "{" in p.message or "「」" in p.message]
    assert bad == []
    return list(problems)


def codes(problems, *severities) -> list[tuple]:
    return [(p.code, p.row, p.column) for p in problems if not severities or p.severity in severities]


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "jl"
    init_project(root, "jilin-city-2018", as_of=AS_OF)
    return root


def pieces(root):
    p = open_project(root)
    return p.root, p.config, p.framework, p.units


def imported(project, tmp_path, unit="c1-03", **kw):
    table = write_office_table(tmp_path / "发改委任务分解表.xlsx", **kw)
    target, problems = import_table(*pieces(project), table.path, unit)
    return table, target, rendered(problems)


# ---------------------------------------------------------------- the 任务分解表

def test_the_office_table_imports_as_its_author_meant_it(project, tmp_path):
    table, target, problems = imported(project, tmp_path)
    assert target is not None and [p for p in problems if p.is_error] == []
    assert table.header_row == 3
    # spaced headers are the published columns: nothing missing, nothing unknown
    assert not [p for p in problems if p.code.startswith("column-")]
    # the footnote, the signature row and the 单位负责人 line end the table: info, not errors
    notes = [(p.row, p.severity) for p in problems if p.code == "ledger-note-row"]
    assert notes == [(r, "info") for r in table.footer_rows]
    ledger, _ = load_ledger(*pieces(project))
    tasks = {t.task_no: t for t in ledger.unit_tasks("c1-03")}
    assert sorted(tasks) == list(range(1, 77))                   # full-width 序号 ３１–３３ too
    assert tasks[31].row == table.rows[31] and tasks[33].applicable


def test_a_merged_cell_belongs_to_every_row_it_spans(project, tmp_path):
    table, _, problems = imported(project, tmp_path)
    ledger, _ = load_ledger(*pieces(project))
    tasks = {t.task_no: t for t in ledger.unit_tasks("c1-03")}
    # 「不涉及」 merged over 31–32 and 36–39: every one of them is out, with 0 points and never overdue
    out = [n for n, t in tasks.items() if not t.applicable]
    assert out == [31, 32, 36, 37, 38, 39, 47, 60]
    assert all(tasks[n].points == 0 and not ledger.is_overdue(tasks[n], AS_OF) for n in out)
    # 「2018年9月30日」 merged over 40–44 is each one's deadline, from the table (no false 请补填)
    first, last, text = DEADLINE_SPAN
    assert {(tasks[n].deadline, tasks[n].deadline_source) for n in range(first, last + 1)} == {(D(2018, 9, 30), "表格")}
    assert "ledger-deadline-empty" not in {p.code for p in problems}
    spans = [(p.row, p.column, p.severity, p.message.split("已按序号 ")[1].split(" ")[0])
             for p in problems if p.code == "ledger-merged-span"]
    assert spans == [(table.rows[31], "备　注", "info", "31、32"), (table.rows[36], "备　注", "info", "36–39"),
                     (table.rows[40], "完成\n时限", "info", "40–44")]


def test_deadlines_are_read_with_their_reading_said(project, tmp_path):
    _, _, problems = imported(project, tmp_path)
    ledger, _ = load_ledger(*pieces(project))
    t = {t.task_no: t for t in ledger.unit_tasks("c1-03")}
    assert {n: t[n].deadline for n in (1, 2, 4, 6, 7, 8, 9, 10, 11, 12)} == {
        1: D(2018, 3, 15), 2: D(2018, 5, 31), 4: D(2018, 6, 30), 6: D(2018, 6, 30), 7: D(2018, 8, 31),
        8: D(2018, 6, 30), 9: D(2018, 6, 30), 10: D(2018, 12, 31), 11: None, 12: D(2018, 9, 30)}
    assert t[1].deadline_note == t[2].deadline_note == t[4].deadline_note == t[9].deadline_note == ""
    assert t[6].deadline_note == "「上半年」取 6月30日"
    assert t[7].deadline_note == "时间段「2018年3月—8月」取结束日期 8月31日"
    assert t[12].deadline_note == "第三季度取季末 9月30日"
    assert t[8].deadline_note == "没有写年份，按评估年度 2018 年计，评估年度取自项目设置 evalkit.toml 的 year"
    assert "暂不判断逾期" in t[11].deadline_note
    year = [p for p in problems if p.code == "ledger-deadline-year-assumed"]
    assert [(p.row, p.severity, p.record) for p in year] == [(11, "warning", "c1-03")]
    assert "「6月底前」按 2018-06-30 计" in year[0].message


def test_the_evaluation_year_is_the_same_at_import_and_at_scoring(tmp_path):
    """A fresh project without a cut-off date reads 「6月底前」 in the framework's year, and setting
    the cut-off date later (even in January of the next year) changes nothing."""
    root = tmp_path / "fresh"
    init_project(root, "jilin-city-2018")
    toml = root / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("year = 2018\n", ""), encoding="utf-8")
    table = write_office_table(tmp_path / "t.xlsx")
    target, problems = import_table(*pieces(root), table.path, "c1-03")
    assert target is not None
    assert "ledger-deadline-unreadable" not in {p.code for p in problems if p.row == table.rows[8]}
    before = load_ledger(*pieces(root))[0].task("c1-03", 8)
    toml.write_text(toml.read_text(encoding="utf-8").replace('as_of = ""', 'as_of = "2019-01-10"'), encoding="utf-8")
    after = load_ledger(*pieces(root))[0].task("c1-03", 8)
    assert before.deadline == after.deadline == D(2018, 6, 30)
    assert before.deadline_note == after.deadline_note and "框架 jilin-city-2018 的版本 2018" in after.deadline_note


def test_the_unit_is_recognised_by_its_full_name_with_the_seal_mark_removed(project, tmp_path):
    for line in ("填报单位：吉林市发展和改革委员会（盖章）", "填报单位（盖章）：吉林市发展和改革委员会",
                 "填报单位（公章）：吉林市发改委　　　", "单位：市发改委(盖章)"):
        _, target, problems = imported(project, tmp_path, unit_line=line)
        assert target is not None and "ledger-unit-mismatch" not in {p.code for p in problems}, line
        (project / "ledger" / "tasks" / "c1-03.xlsx").unlink()


def test_a_table_of_another_unit_or_of_an_unknown_name_is_a_warning(project, tmp_path):
    _, _, problems = imported(project, tmp_path, unit="c1-05")
    (mismatch,) = [p for p in problems if p.code == "ledger-unit-mismatch"]
    assert (mismatch.row, mismatch.severity) == (2, "warning")
    assert "「吉林市发展和改革委员会」是单位名单中的 c1-03（市发改委）" in mismatch.message
    (project / "ledger" / "tasks" / "c1-05.xlsx").unlink()
    _, _, problems = imported(project, tmp_path, unit_line="填报单位（盖章）：吉林市营商环境建设局")
    (mismatch,) = [p for p in problems if p.code == "ledger-unit-mismatch"]
    assert "请在单位名单的「全称」或「别名」列中补上" in mismatch.message


def test_a_task_over_two_rows_headings_and_near_headers_read_as_meant(project, tmp_path):
    table = write_office_table(tmp_path / "t.xlsx", continued={5: "同时做好开发区权力下放后的承接评估。"},
                               headings={6: "二、把权力放在该放的层面（续）"},
                               header=("序号", "一级指标", "二级指标", "三级指标", "工作措施", "完成时限要求", "备注"))
    target, problems = import_table(*pieces(project), table.path, "c1-03")
    rendered(problems)
    assert target is not None and not [p for p in problems if p.is_error]
    r = table.rows[5]
    assert ("column-near-name", table.header_row, "完成时限要求") in codes(problems, "warning")
    assert ("ledger-task-continued", r + 1, "序号") in codes(problems, "info")
    assert ("ledger-note-row", r + 2, None) in codes(problems, "info")
    assert not [p for p in problems if p.code in ("ledger-title-differs", "ledger-deadline-empty")]
    task = load_ledger(*pieces(project))[0].task("c1-03", 5)
    assert task.measures.endswith("；同时做好开发区权力下放后的承接评估。") and task.row == r


def test_not_applicable_written_in_another_column_is_taken_with_a_warning(project, tmp_path):
    _, target, problems = imported(project, tmp_path, deadlines={14: "不涉及"})
    assert target is not None
    assert [(p.code, p.severity) for p in problems if p.code == "ledger-not-applicable-elsewhere"] == [
        ("ledger-not-applicable-elsewhere", "warning")]
    assert not load_ledger(*pieces(project))[0].task("c1-03", 14).applicable


# ---------------------------------------------------------------- the assumptions in every output

def test_the_readings_show_in_status_report_and_score_trace(project, tmp_path, capsys):
    imported(project, tmp_path)
    assert main(["ledger", "status", str(project), "--unit", "c1-03", "--set", "7=已完成", "--date", "2018-09-15"]) == 0
    out = capsys.readouterr().out
    assert "时限说明：时间段「2018年3月—8月」取结束日期 8月31日" in out
    assert "时限说明：没有写年份，按评估年度 2018 年计" in out
    assert "不涉及（备注「不适用」）" in out and "不涉及（备注「本单位无此职能」）" in out
    main(["ledger", "status", str(project), "--unit", "c1-03", "--json"])
    data = json.loads(capsys.readouterr().out)
    t7 = next(t for t in data["tasks"] if t["task_no"] == 7)
    assert (t7["deadline"], t7["deadline_note"], data["year"]) == ("2018-08-31", "时间段「2018年3月—8月」取结束日期 8月31日",
                                                                  2018)
    p = open_project(project)
    report, _ = progress_report(p.root, p.config, p.framework, p.units, "monthly", D(2018, 9, 20))
    ws = openpyxl.load_workbook(write_report_xlsx(report, tmp_path / "月统筹.xlsx"))["任务明细"]
    header = [c.value for c in ws[5]]
    rows = {r[2]: dict(zip(header, r)) for r in ws.iter_rows(min_row=6, values_only=True) if r[2]}
    assert rows[7]["时限说明"] == "时间段「2018年3月—8月」取结束日期 8月31日"
    assert rows[8]["时限说明"].startswith("没有写年份")
    evaluation, _ = evaluate(open_project(project), draws=0)
    unit = evaluation.unit("c1-03")
    leaf7 = unit.leaf("2.3.2")
    assert leaf7.score == leaf7.points and "时间段「2018年3月—8月」取结束日期 8月31日" in leaf7.figures
    late = {e.id: e for e in unit.events}
    assert "overdue-c1-03-31" not in late and "overdue-c1-03-41" in late
    assert "「上半年」取 6月30日" in late["overdue-c1-03-6"].evidence
    assert repr(unit.total) == repr(round(unit.total, 2))


def test_status_set_of_an_unknown_task_renders_its_message(project, tmp_path, capsys):
    imported(project, tmp_path)
    assert main(["ledger", "status", str(project), "--unit", "c1-03", "--set", "77=已完成", "--date", "2018-05-01"]) == 1
    out = capsys.readouterr().out
    assert "登记完成情况（单位 c1-03）：序号 77 不在任务分解表中（共 76 项）" in out
    assert "{" not in out and "「」" not in out


def test_import_prints_how_the_table_was_read(project, tmp_path, capsys):
    table = write_office_table(tmp_path / "t.xlsx")
    assert main(["ledger", "import", str(project), str(table.path), "--unit", "c1-03"]) == 0
    out = capsys.readouterr().out
    assert "读取情况：共 76 项任务，其中不涉及 8 项" in out and "合并单元格 3 处按所跨各项读取" in out
    assert "表注、签字栏等 3 行略过" in out


# ---------------------------------------------------------------- the liaison roster

def test_the_office_roster_reads_with_placeholders_and_routes_by_number(project, tmp_path):
    imported(project, tmp_path)
    path = write_office_roster(tmp_path / "联络信息表.xlsx")
    target, problems = import_roster(project, open_project(project).units, path, "c1-03")
    rendered(problems)
    assert target is not None and not [p for p in problems if p.is_error]
    assert "roster-unit-mismatch" not in {p.code for p in problems}
    assert [(p.code, p.severity) for p in problems if p.code == "roster-note-row"] == [("roster-note-row", "info")]
    roster, _ = read_roster(target, "c1-03")
    lead = roster.leadership
    assert [(m.role, m.fax, m.mobile) for m in lead.members] == [
        ("组长", "", "13904320001"), ("副组长", "", ""), ("联络员", "0432-62015567", "139 4320 0003")]
    ledger, _ = load_ledger(*pieces(project))
    assert liaison_for(roster, ledger.task("c1-03", 23)).name == "赵磊"
    assert liaison_for(roster, ledger.task("c1-03", 22)).name == "王丽"


def test_roster_messages_use_the_sheets_own_header(tmp_path):
    path = write_office_roster(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(7, 4).value = "1390432"                                      # 组长's 办公电话: not a number
    ws.cell(9, 6).value = "无"                                           # the liaison: no mobile
    wb.save(path)
    _, problems = read_roster(path, "c1-03", "市发改委")
    rendered(problems)
    phone = [p for p in problems if p.code == "roster-phone-invalid"]
    assert [(p.row, p.column) for p in phone] == [(7, ROSTER_HEADER[3])] and "的办公电话「1390432」" in phone[0].message
    assert [(p.code, p.column) for p in problems if p.code == "roster-mobile-missing"] == [
        ("roster-mobile-missing", "手　机")]


# ---------------------------------------------------------------- files that are no workbook

@pytest.mark.parametrize("name, make, seems", [
    ("renamed.xlsx", lambda p: _docx(p), "Word 文档"),
    ("saved-as.xlsx", lambda p: p.write_text("序号,一级指标,三级指标\n1,改革任务目标,x\n", encoding="gb18030"), "csv"),
    ("old.xlsx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le")),
     "Excel 97–2003"),
    ("scan.xlsx", lambda p: p.write_bytes(b"%PDF-1.7\n"), "PDF"),
])
def test_a_file_that_is_no_workbook_is_named_in_chinese(project, tmp_path, capsys, name, make, seems):
    path = tmp_path / name
    make(path)
    for argv in (["ledger", "import", str(project), str(path), "--unit", "c1-03"],
                 ["ledger", "roster", str(project), str(path), "--unit", "c1-03"],
                 ["framework", "import", str(path), "-o", str(tmp_path / "out.xlsx")]):
        assert main(argv) == 1
        out = capsys.readouterr().out
        assert "file-not-workbook" in out and seems in out
        assert "BadZipFile" not in out and "workbook part" not in out and "Traceback" not in out


def _docx(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


# ---------------------------------------------------------------- the province index table (004 附件)

def _tree(fw):
    return [(i.code, i.points, i.kind, i.cap, i.methods) for i in fw.indicators]


def test_code_only_fourth_level_cells_are_nodes_whose_name_is_missing(tmp_path):
    fw, problems = import_government_table(write_province_table(tmp_path / "附件.xlsx"))
    rendered(problems)
    faithful, _ = read_framework(FAITHFUL)
    assert len(fw.indicators) == 42 and _tree(fw) == _tree(faithful)
    missing = [p for p in problems if p.code == "gov-name-missing"]
    assert [p.indicator for p in missing] == ["1.3.1.1", "1.3.1.2", "1.3.2.1", "1.3.2.2", "2.1.1.1", "2.1.1.2",
                                              "2.1.2.1", "2.1.2.2"]
    assert {p.severity for p in missing} == {"warning"}
    assert fw.get("1.3.1.1").name == "文件梳理、内部访谈" and "只写了编码「1.3.1.1」" in fw.get("1.3.1.1").resolution
    # the source's own gaps are still found, and nothing else
    errors = {(p.code, p.indicator) for p in problems if p.is_error}
    assert ("points-sum-mismatch", "1.3") in errors and ("gov-code-conflict", "1.3.1") not in errors


@pytest.mark.parametrize("layout", [{"points_columns": True}, {"code_against_name": True}])
def test_points_beside_each_level_and_codes_against_names(tmp_path, layout):
    fw, problems = import_government_table(write_province_table(tmp_path / "附件.xlsx", **layout))
    rendered(problems)
    faithful, _ = read_framework(FAITHFUL)
    assert _tree(fw) == _tree(faithful)
    assert [i.name for i in fw.indicators if i.level < 4] == [i.name for i in faithful.indicators if i.level < 4]
    no_points = [p for p in problems if p.code == "gov-points-from-name"]
    assert [p.indicator for p in no_points] == ["2.4.2"]                      # the one the source leaves blank
    if layout.get("points_columns"):
        assert "「分值」列也没有填写" in no_points[0].message


def test_a_table_with_headers_and_no_rows_is_an_error(tmp_path, capsys):
    path = write_province_table(tmp_path / "附件.xlsx", with_rows=False)
    assert main(["framework", "import", str(path), "-o", str(tmp_path / "out.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "gov-table-empty" in out and "第 4 行是表头" in out and not (tmp_path / "out.xlsx").exists()


# ---------------------------------------------------------------- no traceback, whatever is written

OFFICE_TEXT = st.one_of(
    st.text(alphabet="0123456789０１２３４５６７８９〇零○一二三四五六七八九十年月日号底末上中下旬半季度第前至到—-~./（）()："
                     "次翌内初份盖章公填报单位序号任务、，；注说明人 ", max_size=24),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=24),
    st.sampled_from(["0000年6月", "9999-12-31", "2018年2月29日", "2018年11月—2月", "十十十月", "第五季度", "序号0",
                     "填报单位（盖章）：", "单位（公章）：(c1-01)", "1.3.1.1", "1.1改革（十二分）", "０.０.０"]),
)


@settings(max_examples=300, deadline=None)
@given(OFFICE_TEXT)
def test_text_readers_never_raise(text):
    for year in (None, 2018):
        found = parse_deadline(text, year, "评估年度")
        assert found.date is None or 1900 <= found.date.year <= 2101
        assert found.kind in ("exact", "from_text", "unreadable", "invalid", "empty")
    task_numbers(text)
    parse_cell(text)
    written_unit([text, text])


CELLS = st.one_of(st.none(), OFFICE_TEXT, st.integers(-3, 90), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=7, max_size=9), min_size=1, max_size=12),
       merges=st.lists(st.tuples(st.integers(4, 14), st.integers(1, 7), st.integers(0, 3), st.integers(0, 2)),
                       max_size=4))
def test_readers_of_office_tables_never_raise(tmp_path_factory, project, rows, merges):
    """Whatever an office writes under the published headers, with whatever merged cells: problems, never a
    traceback — for the task table, the roster and the province table alike."""
    folder = tmp_path_factory.mktemp("fuzz")
    headers = {"task.xlsx": ["序　号", "一级指标", "二级指标", "三级指标", "工作措施", "完成\n时限", "备注"],
               "roster.xlsx": list(ROSTER_HEADER),
               "gov.xlsx": ["一级指标", "分值", "二级指标", "分值", "三级指标", "评分依据"]}
    for name, header in headers.items():
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["填报单位（盖章）：吉林市发展和改革委员会"])
        ws.append([])
        ws.append(header)
        for row in rows:
            ws.append(row)
        taken: set[tuple[int, int]] = set()
        for r, c, down, right in merges:
            cells = {(r + i, c + j) for i in range(down + 1) for j in range(right + 1)}
            if (down or right) and not cells & taken:
                taken |= cells
                ws.merge_cells(start_row=r, start_column=c, end_row=r + down, end_column=c + right)
        wb.save(folder / name)
    target, problems = import_table(*pieces(project), folder / "task.xlsx", "c1-03", replace_existing=True)
    assert target is not None or any(p.is_error for p in problems)
    read_roster(folder / "roster.xlsx", "c1-03", "市发改委")
    fw, problems = import_government_table(folder / "gov.xlsx")
    assert fw is not None or any(p.is_error for p in problems)


def test_a_signature_right_under_the_last_task_is_no_continuation(project, tmp_path):
    table = write_office_table(tmp_path / "t.xlsx", footer=False)
    wb = openpyxl.load_workbook(table.path)
    ws = wb.active
    below = table.rows[76] + 1
    ws.cell(below, 5).value = "审核人：李明　　填报日期：2018年3月12日"
    ws.cell(below + 1, 3).value = "填报单位（盖章）：吉林市发展和改革委员会"
    wb.save(table.path)
    target, problems = import_table(*pieces(project), table.path, "c1-03")
    assert target is not None and not [p for p in rendered(problems) if p.is_error]
    assert [(p.code, p.row) for p in problems if p.row in (below, below + 1)] == [
        ("ledger-note-row", below), ("ledger-note-row", below + 1)]
    assert "审核人" not in load_ledger(*pieces(project))[0].task("c1-03", 76).measures
