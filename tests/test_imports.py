"""Imports of ODK Central / KoboToolbox exports and of questionnaire tables (issue 8 items 2–3).

Each test asserts the exact records (answers incl. repeat rows, review state, times) or the
exact problems (code, row, column, field) and that nothing is written when there are errors.
Fixtures: ``tests/data/imports/`` (ODK csv files as Central writes them, a questionnaire table
as an online survey service exports it, its column mapping); the Kobo workbooks are built here
with the sheet and column layout KoboToolbox's XLS export uses (see docs/imports.md).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, make_workbook
from openpyxl import load_workbook

from evalkit.cli.main import main
from evalkit.forms import load_instrument
from evalkit.interop import import_table, import_xform, stable_id, write_template
from evalkit.project import init_project, open_project
from evalkit.store import Store

DATA = Path(__file__).parent / "data" / "imports"
ODK_UUIDS = [f"5b0e1f52-0c1e-4d0e-9a51-00000000000{n}" for n in (1, 2, 3)]


@pytest.fixture(scope="module")
def instruments():
    return {name: load_instrument(ROOT / "instruments" / f"{name}.xlsx")[0]
            for name in ("hotline_test", "service_user_check", "questionnaire")}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    init_project(root, "province-2018")
    return root


def units_of(project: Path):
    """The project's unit list, as the command line passes it to an import."""
    return open_project(project).units


def raw_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "raw").rglob("*") if p.is_file())


def odk_zip(tmp_path: Path, main: str | None = None, calls: str | None = None) -> Path:
    src = DATA / "odk_hotline"
    path = tmp_path / "hotline_test.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hotline_test.csv", main if main is not None else (src / "hotline_test.csv").read_text("utf-8"))
        z.writestr("hotline_test-calls.csv",
                   calls if calls is not None else (src / "hotline_test-calls.csv").read_text("utf-8"))
    return path


def codes(result):
    return [(p.code, p.severity, p.sheet, p.row, p.column, p.field) for p in result.problems]


# ---------------------------------------------------------------- ODK Central

HOTLINE_1 = {
    "unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20", "hotline_number": "0432-62345678",
    "number_source": "guide",
    "calls": [
        {"call_time": "09:30", "item_asked": "企业开办", "calls_made": 2, "calls_connected": 1,
         "no_answer_reason": "busy", "answer_seconds": 35, "answer_correct": "correct",
         "told_all_materials": "yes", "attitude": "good", "answer_summary": "材料清单一次说清"},
        {"call_time": "10:05", "item_asked": "不动产登记", "calls_made": 1, "calls_connected": 0,
         "no_answer_reason": "no_answer"},
    ],
}
HOTLINE_2 = {
    "unit": "c1-02", "assessor": "李四", "visit_date": "2018-11-21", "hotline_number": "12345",
    "number_source": "website",
    "calls": [{"call_time": "14:20", "item_asked": "社保卡补办", "calls_made": 3, "calls_connected": 3,
               "answer_seconds": 120, "answer_correct": "partial", "told_all_materials": "no", "attitude": "fair"}],
    "notes": "第二通电话转了两次才接通，\"请稍等\"",
}


def test_odk_export_with_repeat_group_imports_exact_records_and_twice_adds_nothing(project, tmp_path, instruments):
    export = odk_zip(tmp_path)
    result = import_xform(project, export, "odk", instruments["hotline_test"], units=units_of(project))
    ids = [stable_id("xform", "hotline_test", u) for u in ODK_UUIDS]
    assert codes(result) == []
    assert result.added == ids and result.reviewed == ids[:2] and result.written
    store = Store(project)
    one, two, three = (store.get(i) for i in ids)
    assert one.answers == HOTLINE_1 and two.answers == HOTLINE_2
    assert three.answers["calls"] == [{"call_time": "08:50", "item_asked": "户口迁移", "calls_made": 1,
                                       "calls_connected": 1, "answer_seconds": 10, "answer_correct": "deflected",
                                       "told_all_materials": "no", "attitude": "poor", "answer_summary": "让去窗口问"}]
    assert (one.state, two.state, three.state) == ("approved", "has_issues", "received")
    assert (one.unit, one.assessor, one.instrument_id, one.instrument_version) == \
        ("c1-01", "张三", "hotline_test", "2018.1")
    assert (one.started, one.ended) == ("2018-11-20T03:10:00+00:00", "2018-11-20T03:10:00+00:00")
    history = store.history(ids[0])
    assert [(r.kind, r.who, r.when) for r in history] == [
        ("submission", "张三", "2018-11-20T03:10:00+00:00"), ("review", "ODK Central", "2018-11-20T03:10:00+00:00")]
    assert history[1].comment == "ODK Central 中的审核状态：approved（导入）"
    before = raw_files(project)
    again = import_xform(project, export, "odk", instruments["hotline_test"], units=units_of(project))
    assert again.added == [] and again.reviewed == [] and again.already == ids
    assert codes(again) == [("import-already-imported", "info", None, None, None, None)]
    assert raw_files(project) == before


def test_odk_main_csv_alone_and_a_changed_review_state_in_a_newer_export(project, tmp_path, instruments):
    main = (DATA / "odk_hotline" / "hotline_test.csv").read_text("utf-8")
    first = tmp_path / "hotline_test.csv"
    first.write_text(main, "utf-8")
    result = import_xform(project, first, "odk", instruments["hotline_test"], units=units_of(project))
    assert [c for c in codes(result)] == [("import-repeat-table-missing", "warning", None, None, None, "calls")]
    assert len(result.added) == 3
    # the lead evaluator approves record 3 in ODK Central later: the next export adds that review, nothing else
    newer = tmp_path / "newer.csv"
    newer.write_text(main.replace("collect:A1,0,2018.1\n", "collect:A1,0,2018.1\n").replace(
        "0,0,,,collect:A1", "0,0,,rejected,collect:A1"), "utf-8")
    again = import_xform(project, newer, "odk", instruments["hotline_test"], units=units_of(project))
    third = stable_id("xform", "hotline_test", ODK_UUIDS[2])
    assert again.added == [] and again.reviewed == [third]
    assert Store(project).get(third).state == "rejected"
    # once the lead evaluator has reviewed in evalkit, the source's state no longer overrides it
    Store(project).review(third, state="approved", who="组长", comment="核对录音后通过")
    newest = tmp_path / "newest.csv"
    newest.write_text(main.replace("0,0,,,collect:A1", "0,0,,hasIssues,collect:A1"), "utf-8")
    kept = import_xform(project, newest, "odk", instruments["hotline_test"], units=units_of(project))
    assert [(p.code, p.row, p.record) for p in kept.problems if p.code == "import-review-kept"] == [
        ("import-review-kept", 4, third)]
    assert Store(project).get(third).state == "approved"


def test_odk_invalid_values_are_reported_with_row_column_field_and_nothing_is_written(project, tmp_path, instruments):
    calls = (DATA / "odk_hotline" / "hotline_test-calls.csv").read_text("utf-8")
    calls = calls.replace("14:20:00.000+08:00,社保卡补办,3,3", "14:20:00.000+08:00,社保卡补办,3,4")  # connected > made
    main = (DATA / "odk_hotline" / "hotline_test.csv").read_text("utf-8").replace(",c1-03,", ",c9-99,")
    export = odk_zip(tmp_path, main=main, calls=calls)
    result = import_xform(project, export, "odk", instruments["hotline_test"], units=units_of(project))
    zip_name = str(export)
    assert [(p.code, p.file, p.row, p.column, p.field) for p in result.problems] == [
        ("import-value-invalid", f"{zip_name}:hotline_test-calls.csv", 4, "calls_connected",
         "calls[1].calls_connected"),
        ("import-unit-unknown", f"{zip_name}:hotline_test.csv", 4, "unit", "unit"),
    ]
    assert result.problems[0].message == (
        f"{zip_name}:hotline_test-calls.csv 第 4 行 「calls_connected」列（字段 calls[1].calls_connected）："
        "接通次数不能超过拨打次数，也不能为负数。请在 ODK Central 中更正该提交后重新导出，"
        "或加 --skip-invalid 只导入没有问题的记录。")
    assert result.added == [] and not result.written and raw_files(project) == []
    skipped = import_xform(project, export, "odk", instruments["hotline_test"], units=units_of(project),
                           skip_invalid=True)
    assert skipped.added == [stable_id("xform", "hotline_test", ODK_UUIDS[0])] and skipped.invalid == [3, 4]
    assert [p.severity for p in skipped.problems if p.code != "import-skipped-invalid"] == ["warning", "warning"]
    assert [p.message for p in skipped.problems if p.code == "import-skipped-invalid"] == [
        f"{zip_name} 中有 2 条记录有错误，因 --skip-invalid 未导入：第 3 行、第 4 行。其余记录已导入。"]


def test_odk_orphan_repeat_rows_and_duplicate_instance_ids(project, tmp_path, instruments):
    calls = (DATA / "odk_hotline" / "hotline_test-calls.csv").read_text("utf-8") + \
        "11:00,婚姻登记,1,1,,5,correct,yes,good,,uuid:ffff,uuid:ffff/calls[1]\n"
    main = (DATA / "odk_hotline" / "hotline_test.csv").read_text("utf-8")
    main += main.splitlines()[1] + "\n"
    result = import_xform(project, odk_zip(tmp_path, main=main, calls=calls), "odk", instruments["hotline_test"],
                          units=units_of(project))
    assert [(p.code, p.row, p.column) for p in result.problems] == [
        ("import-id-duplicate", 5, "KEY"), ("import-repeat-orphan", 6, "PARENT_KEY")]
    assert raw_files(project) == []


# ---------------------------------------------------------------- KoboToolbox

KOBO_MAIN_HEADERS = ["start", "end", "unit", "assessor", "visit_date", "check_mode", "notes", "__version__", "_id",
                     "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "_tags",
                     "_index"]
KOBO_CITIZEN_FIELDS = ["user_type", "item_name", "case_id", "case_kind", "trips", "trip_reason", "trip_reason_other",
                       "instant_done", "promised_days", "promise_status", "actual_days", "done_status",
                       "not_done_reason", "online_use", "progress_visible", "satisfaction", "comment",
                       "callback_phone"]
KOBO_CITIZEN_HEADERS = [f"citizens/{f}" for f in KOBO_CITIZEN_FIELDS] + [
    "_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
    "_submission__submission_time", "_submission__validation_status", "_submission__notes", "_submission__status",
    "_submission__submitted_by", "_submission___version__", "_submission__tags"]
KOBO_UUIDS = ["0f4e8a1c-7d2b-4c55-9e1a-3b6d2f8c9a01", "0f4e8a1c-7d2b-4c55-9e1a-3b6d2f8c9a02",
              "0f4e8a1c-7d2b-4c55-9e1a-3b6d2f8c9a03", "0f4e8a1c-7d2b-4c55-9e1a-3b6d2f8c9a04"]
MAIN_SHEET = "服务对象抽查"


def kobo_main():
    meta = ["", "", "", "", "", ""]
    return [
        ["2018-11-22T09:00:00.000+08:00", "2018-11-22T09:40:00.000+08:00", "c1-01", "王五", "2018-11-22", "in_hall",
         "", "2018.1", 101, KOBO_UUIDS[0], "2018-11-22T01:45:00", "validation_status_approved", *meta[:4], 1],
        ["2018-11-23T14:00:00.000+08:00", "2018-11-23T14:20:00.000+08:00", "c1-02", "王五", "2018-11-23", "callback",
         "电话回访", "2018.1", 102, KOBO_UUIDS[1], "2018-11-23T06:25:00", "validation_status_not_approved",
         *meta[:4], 2],
        ["2018-11-24T10:00:00.000+08:00", "2018-11-24T10:30:00.000+08:00", "c1-03", "赵六", "2018-11-24", "in_hall",
         "", "2018.1", 103, KOBO_UUIDS[2], "2018-11-24T02:35:00", "On Hold", *meta[:4], 3],
        ["2018-11-25T10:00:00.000+08:00", "2018-11-25T10:30:00.000+08:00", "c1-03", "赵六", "2018-11-25", "in_hall",
         "", "2018.1", 104, KOBO_UUIDS[3], "2018-11-25T02:35:00", "", *meta[:4], 4],
    ]


def citizen(parent: int, index: int, values: dict):
    sub = [100 + parent, KOBO_UUIDS[parent - 1], "", "", "", "", "", "2018.1", ""]
    return [values.get(f, "") for f in KOBO_CITIZEN_FIELDS] + [index, MAIN_SHEET, parent, *sub]


def kobo_citizens():
    return [
        citizen(1, 1, {"user_type": "person", "item_name": "营业执照", "case_id": "A001", "case_kind": "instant",
                       "trips": 1, "instant_done": "yes", "done_status": "done", "online_use": "none",
                       "progress_visible": "yes", "satisfaction": 5}),
        citizen(1, 2, {"user_type": "enterprise", "item_name": "税务登记", "case_kind": "promised", "trips": 3,
                       "trip_reason": "notice other", "trip_reason_other": "系统升级", "promised_days": 5,
                       "promise_status": "yes", "actual_days": 3, "done_status": "done", "online_use": "partly",
                       "progress_visible": "no", "satisfaction": "一般", "callback_phone": "13812345678"}),
        citizen(2, 3, {"user_type": "person", "item_name": "社保卡", "case_kind": "unknown", "trips": 2,
                       "trip_reason": "queue", "done_status": "not_done", "not_done_reason": "系统故障",
                       "online_use": "unavailable", "progress_visible": "no", "satisfaction": 2}),
        citizen(3, 4, {"user_type": "organisation", "item_name": "社团登记", "case_kind": "instant", "trips": 1,
                       "instant_done": "no", "done_status": "in_progress", "online_use": "none",
                       "progress_visible": "yes", "satisfaction": "na"}),
    ]


def kobo_workbook(tmp_path, main=None, citizens=None, main_headers=None, citizen_headers=None, name="kobo.xlsx"):
    return make_workbook(tmp_path / name, {
        MAIN_SHEET: [main_headers or KOBO_MAIN_HEADERS, *(main if main is not None else kobo_main())],
        "citizens": [citizen_headers or KOBO_CITIZEN_HEADERS, *(citizens if citizens is not None else kobo_citizens())],
    })


def test_kobo_xlsx_with_repeat_sheet_and_validation_statuses(project, tmp_path, instruments):
    path = kobo_workbook(tmp_path)
    result = import_xform(project, path, "kobo", instruments["service_user_check"], units=units_of(project))
    ids = [stable_id("xform", "service_user_check", u) for u in KOBO_UUIDS]
    assert codes(result) == [("import-label-mapped", "info", None, None, "citizens/satisfaction", None)]
    assert result.added == ids and result.reviewed == ids[:3]
    store = Store(project)
    views = [store.get(i) for i in ids]
    assert [v.state for v in views] == ["approved", "rejected", "has_issues", "received"]
    assert views[0].answers == {
        "unit": "c1-01", "assessor": "王五", "visit_date": "2018-11-22", "check_mode": "in_hall",
        "citizens": [
            {"user_type": "person", "item_name": "营业执照", "case_id": "A001", "case_kind": "instant", "trips": 1,
             "instant_done": "yes", "done_status": "done", "online_use": "none", "progress_visible": "yes",
             "satisfaction": "5"},
            {"user_type": "enterprise", "item_name": "税务登记", "case_kind": "promised", "trips": 3,
             "trip_reason": ["notice", "other"], "trip_reason_other": "系统升级", "promised_days": 5,
             "promise_status": "yes", "actual_days": 3, "done_status": "done", "online_use": "partly",
             "progress_visible": "no", "satisfaction": "3", "callback_phone": "13812345678"},
        ]}
    assert views[1].answers["citizens"] == [
        {"user_type": "person", "item_name": "社保卡", "case_kind": "unknown", "trips": 2, "trip_reason": ["queue"],
         "done_status": "not_done", "not_done_reason": "系统故障", "online_use": "unavailable",
         "progress_visible": "no", "satisfaction": "2"}]
    assert "citizens" not in views[3].answers
    # Kobo's _submission_time is UTC; start / end carry their own zone
    assert (views[0].started, views[0].ended) == ("2018-11-22T09:00:00+08:00", "2018-11-22T09:40:00+08:00")
    assert store.history(ids[0])[0].when == "2018-11-22T01:45:00+00:00"
    assert store.history(ids[2])[1].comment == "KoboToolbox 中的审核状态：On Hold（导入）"
    again = import_xform(project, path, "kobo", instruments["service_user_check"], units=units_of(project))
    assert again.added == [] and again.already == ids


def test_kobo_export_of_a_different_form_version_names_the_columns(project, tmp_path, instruments):
    main_headers = [h for h in KOBO_MAIN_HEADERS if h != "check_mode"]
    main = [[c for h, c in zip(KOBO_MAIN_HEADERS, row, strict=True) if h != "check_mode"] for row in kobo_main()]
    for row in main:
        row[main_headers.index("__version__")] = "2019.2"
    citizen_headers = KOBO_CITIZEN_HEADERS[:5] + ["citizens/wait_minutes"] + KOBO_CITIZEN_HEADERS[5:]
    citizens = [row[:5] + [12] + row[5:] for row in kobo_citizens()]
    path = kobo_workbook(tmp_path, main, citizens, main_headers, citizen_headers)
    result = import_xform(project, path, "kobo", instruments["service_user_check"], units=units_of(project))
    assert [(p.code, p.sheet, p.row, p.column, p.field) for p in result.problems if p.severity != "info"] == [
        ("import-column-missing", MAIN_SHEET, 1, "check_mode", "check_mode"),
        ("import-version-differs", MAIN_SHEET, 2, "__version__", None),
        ("import-column-unknown", "citizens", 1, "citizens/wait_minutes", None),
    ]
    messages = [p.message for p in result.problems]
    assert messages[2] == (
        f"{path} 工作表「citizens」 第 1 行 「citizens/wait_minutes」列在调查工具 service_user_check（版本 2018.1）中"
        "没有对应的字段。导出很可能来自另一版本的表单：请用与项目中相同版本的表单导出，或把项目中的调查工具换成采集时用的版本。")
    assert any("「2019.2」（4 条记录）" in m and "版本「2018.1」" in m for m in messages)
    assert result.added == [] and raw_files(project) == []
    # --any-version only forgives the version, not the columns
    forgiving = import_xform(project, path, "kobo", instruments["service_user_check"], units=units_of(project),
                             any_version=True)
    assert "import-version-accepted" in [p.code for p in forgiving.problems] and forgiving.errors
    assert raw_files(project) == []


def test_kobo_csv_with_semicolons_gbk_and_an_assessor_column(project, tmp_path, instruments):
    headers = ["unit", "assessor", "visit_date", "check_mode", "notes", "_id", "_uuid", "_submission_time",
               "_validation_status", "_submitted_by", "__version__", "_index"]
    rows = [["c1-04", "", "2018/11/26", "大厅现场拦访", "备注；含分号", "201", "aa-1", "2018-11-26T03:00:00", "",
             "孙七", "2018.1", "1"]]
    text = "\n".join(";".join(f'"{c}"' if ";" in c else c for c in r) for r in [headers, *rows]) + "\n"
    path = tmp_path / "kobo.csv"
    path.write_bytes(text.encode("gbk"))
    result = import_xform(project, path, "kobo", instruments["service_user_check"], units=units_of(project),
                          assessor_column="_submitted_by")
    assert [p.code for p in result.problems] == ["import-repeat-table-missing", "import-label-mapped"]
    record = Store(project).get(stable_id("xform", "service_user_check", "aa-1"))
    assert record.answers == {"unit": "c1-04", "assessor": "孙七", "visit_date": "2018-11-26",
                              "check_mode": "in_hall", "notes": "备注；含分号"}
    assert record.assessor == "孙七"


# ---------------------------------------------------------------- questionnaire tables

Q_ROW2 = {"unit": "c1-01", "assessor": "赵六", "visit_date": "2018-11-20", "questionnaire_no": "Q-001",
          "respondent_type": "person", "visits_last_year": 3, "last_item": "营业执照", "last_trips": 1,
          "q_guide": "4", "q_one_window": "5", "q_waiting": "3", "q_promise": "4", "q_phone": "na", "q_online": "4",
          "q_progress": "4", "q_complaint": "3", "q_staff": "5", "q_overall": "4",
          "suggestions": "希望延长午间办公时间", "respondent_phone": "13912345678"}


def test_questionnaire_table_with_labels_and_an_invalid_value(project, instruments):
    table, mapping = DATA / "questionnaire" / "responses.csv", str(DATA / "questionnaire" / "mapping.csv")
    result = import_table(project, table, instruments["questionnaire"], mapping, units=units_of(project))
    errors = [(p.code, p.row, p.column, p.field) for p in result.problems if p.is_error]
    assert errors == [("import-value-invalid", 4, "最近一次跑了几次", "last_trips")]
    assert result.problems[-1].message == (
        f"{table} 第 4 行 「最近一次跑了几次」列（字段 last_trips）：跑动次数应在 0 到 20 之间。"
        "请在原表格中更正，或加 --skip-invalid 只导入没有问题的记录。")
    labels = [(p.code, p.column) for p in result.problems if p.severity == "info"]
    assert labels[0] == ("import-label-mapped", "您的身份") and len(labels) == 11
    assert raw_files(project) == []
    done = import_table(project, table, instruments["questionnaire"], mapping, units=units_of(project),
                        skip_invalid=True)
    digest = __import__("hashlib").sha256(table.read_bytes()).hexdigest()
    ids = [stable_id("table", "questionnaire", digest, str(row)) for row in (2, 3)]
    assert done.added == ids and done.invalid == [4]
    first = Store(project).get(ids[0])
    assert first.answers == Q_ROW2
    assert (first.started, first.ended, first.state) == ("2018-11-20T10:31:05+08:00", "2018-11-20T10:31:05+08:00",
                                                         "received")
    again = import_table(project, table, instruments["questionnaire"], mapping, units=units_of(project),
                         skip_invalid=True)
    assert again.added == [] and again.already == ids


def test_questionnaire_mapping_problems_come_before_any_row(project, instruments):
    table = DATA / "questionnaire" / "responses.csv"
    lines = (DATA / "questionnaire" / "mapping.csv").read_text("utf-8").splitlines()
    lines = [ln for ln in lines if not ln.startswith(("来源IP", "调查员"))]
    lines = [ln.replace("办事指南,q_guide", "办事指南,q_guid")
               .replace("问卷编号,questionnaire_no", "问卷号,questionnaire_no") for ln in lines]
    mapping = project.parent / "mapping.csv"
    mapping.write_text("\n".join(lines) + "\n", "utf-8")
    result = import_table(project, table, instruments["questionnaire"], str(mapping), units=units_of(project))
    assert [(p.code, p.row, p.column, p.field) for p in result.problems] == [
        ("import-map-column-absent", 6, "问卷号", None),
        ("import-map-field-unknown", 11, "办事指南", "q_guid"),
        ("import-map-column-unmapped", 1, "来源IP", None),
        ("import-map-column-unmapped", 1, "调查员", None),
        ("import-map-column-unmapped", 1, "问卷编号", None),
        ("import-map-required-missing", None, None, "assessor"),
        ("import-map-required-missing", None, None, "questionnaire_no"),
        ("import-map-required-missing", None, None, "q_guide"),
    ]
    assert "是否应为「q_guide」" in result.problems[1].message
    assert "是否应对应字段 questionnaire_no「问卷编号」" in result.problems[4].message
    assert raw_files(project) == []


def test_questionnaire_inline_mapping_xlsx_table_and_template(project, tmp_path, instruments):
    path = make_workbook(tmp_path / "survey.xlsx", {"答卷": [
        ["单位", "日期", "编号", "身份", "次数", "指南", "一窗", "等候", "承诺", "电话", "网上", "进度", "投诉",
         "态度", "总体"],
        ["c2-01", __import__("datetime").datetime(2018, 11, 27), 7, "企业", 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, "非常满意"],
    ]})
    spec = ("单位=unit,日期=visit_date,编号=questionnaire_no,身份=respondent_type,次数=visits_last_year,指南=q_guide,"
            "一窗=q_one_window,等候=q_waiting,承诺=q_promise,电话=q_phone,网上=q_online,进度=q_progress,"
            "投诉=q_complaint,态度=q_staff,总体=对\"只跑一次\"改革的总体满意度")
    result = import_table(project, path, instruments["questionnaire"], spec, units=units_of(project), assessor="问卷星")
    assert [(p.code, p.field) for p in result.problems] == [
        ("import-map-conditional-missing", "last_trips"), ("import-label-mapped", None), ("import-label-mapped", None)]
    record = Store(project).get(result.added[0])
    assert record.answers["questionnaire_no"] == "7" and record.answers["visit_date"] == "2018-11-27"
    assert record.answers["respondent_type"] == "enterprise" and record.answers["q_overall"] == "5"
    assert record.assessor == "问卷星" and record.ended == "2018-11-27T00:00:00+08:00"
    out, problems = write_template(instruments["questionnaire"], tmp_path / "map.xlsx")
    assert problems == []
    rows = list(load_workbook(out)["对照表"].iter_rows(values_only=True))
    assert rows[0][:5] == ("列", "字段", "题目", "类型", "必填")
    assert [r[1] for r in rows[1:5]] == ["unit", "assessor", "visit_date", "questionnaire_no"]
    assert rows[5][5] == "person=个人；enterprise=企业；organisation=其他组织"
    assert write_template(instruments["questionnaire"], out)[0] is None
    # the template filled in (列 for the fields the table has, the rest left empty) is a working mapping
    wb = load_workbook(out)
    ws = wb["对照表"]
    columns = dict(pair.split("=") for pair in spec.split(","))
    by_field = {v: k for k, v in columns.items()}
    by_field["q_overall"] = "总体"
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 1).value = by_field.get(ws.cell(r, 2).value)
    wb.save(tmp_path / "filled.xlsx")
    other = make_workbook(tmp_path / "survey2.xlsx", {"答卷": [
        ["单位", "日期", "编号", "身份", "次数", "指南", "一窗", "等候", "承诺", "电话", "网上", "进度", "投诉",
         "态度", "总体"],
        ["c2-01", "2018-11-28", "8", "个人", "1", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4"]]})
    filled = import_table(project, other, instruments["questionnaire"], str(tmp_path / "filled.xlsx"),
                          units=units_of(project),
                          assessor="问卷星")
    assert [p.code for p in filled.errors] == ["import-value-invalid"]  # last_trips is required when visits > 0
    assert [(p.row, p.column, p.field) for p in filled.errors] == [(2, None, "last_trips")]


# ---------------------------------------------------------------- command line

def test_cli_import_odk_dry_run_then_import_then_again(project, tmp_path, capsys):
    export = odk_zip(tmp_path)
    args = ["import", str(project), str(export), "--from", "odk", "--instrument", "hotline_test"]
    assert main(args + ["--dry-run"]) == 0
    assert "将新增 3 条记录，将写入 2 条审核状态。（--dry-run：没有写入任何文件）" in capsys.readouterr().out
    assert raw_files(project) == []
    assert main(args) == 0
    assert "新增 3 条记录，写入 2 条审核状态。" in capsys.readouterr().out
    assert main(args + ["--json"]) == 0
    data = __import__("json").loads(capsys.readouterr().out)
    assert data["added"] == [] and len(data["already_imported"]) == 3


def test_cli_import_errors_exit_1_and_usage_mistakes_exit_2(project, tmp_path, capsys):
    table = DATA / "questionnaire" / "responses.csv"
    assert main(["import", str(project), str(table), "--from", "table", "--instrument", "questionnaire",
                 "--map", str(DATA / "questionnaire" / "mapping.csv")]) == 1
    out = capsys.readouterr().out
    assert "import-value-invalid" in out and "有错误，没有导入任何记录" in out
    assert main(["import", str(project), str(table), "--from", "table", "--instrument", "questionaire",
                 "--map", "a=b"]) == 1
    assert "是否应为「questionnaire」" in capsys.readouterr().out
    assert main(["import", str(project), str(table), "--from", "table", "--instrument", "questionnaire"]) == 2
    assert main(["import", str(tmp_path), str(table), "--from", "odk", "--instrument", "hotline_test"]) == 2
    template = tmp_path / "对照表.xlsx"
    assert main(["import", str(project), str(template), "--from", "table", "--instrument", "questionnaire",
                 "--template"]) == 0
    assert template.is_file() and raw_files(project) == []


def test_odk_group_paths_and_select_multiple_columns(project, tmp_path, instruments):
    """ODK writes group fields as ``group-field`` and adds 0/1 ``field/code`` columns for select_multiple."""
    likert = ["q_guide", "q_one_window", "q_waiting", "q_promise", "q_phone", "q_online", "q_progress", "q_complaint",
              "q_staff", "q_overall"]
    headers = (["SubmissionDate", "unit", "assessor", "visit_date", "questionnaire_no", "respondent_type",
                "visits_last_year", "last_item", "last_trips"] + [f"likert_items-{q}" for q in likert]
               + ["suggestions", "respondent_phone", "meta-instanceID", "KEY", "ReviewState", "FormVersion"])
    row = (["2018-11-20T02:00:00.000Z", "c1-05", "赵六", "2018-11-20", "Q-77", "organisation", "2", "", "1"]
           + ["5"] * 9 + ["na"] + ["", "", "uuid:q-77", "uuid:q-77", "rejected", "2018.1"])
    path = tmp_path / "questionnaire.csv"
    path.write_text(",".join(headers) + "\n" + ",".join(row) + "\n", "utf-8-sig")
    result = import_xform(project, path, "odk", instruments["questionnaire"], units=units_of(project))
    assert codes(result) == []
    record = Store(project).get(stable_id("xform", "questionnaire", "q-77"))
    assert record.answers == {"unit": "c1-05", "assessor": "赵六", "visit_date": "2018-11-20",
                              "questionnaire_no": "Q-77",
                              "respondent_type": "organisation", "visits_last_year": 2, "last_trips": 1,
                              **{q: "5" for q in likert[:-1]}, "q_overall": "na"}
    assert record.state == "rejected"
    citizens = ("user_type,item_name,case_id,case_kind,trips,trip_reason,trip_reason/notice,trip_reason/other,"
                "trip_reason_other,instant_done,promised_days,promise_status,actual_days,done_status,not_done_reason,"
                "online_use,progress_visible,satisfaction,comment,callback_phone,PARENT_KEY,KEY\n"
                "person,户籍,,unknown,2,notice other,1,1,窗口说法不一,,,,,done,,none,yes,4,,,"
                "uuid:s-1,uuid:s-1/citizens[1]\n")
    main = ("SubmissionDate,unit,assessor,visit_date,check_mode,notes,meta-instanceID,KEY,ReviewState\n"
            "2018-11-21T02:00:00.000Z,c1-06,赵六,2018-11-21,in_hall,,uuid:s-1,uuid:s-1,\n")
    export = tmp_path / "service_user_check.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("service_user_check.csv", main)
        z.writestr("service_user_check-citizens.csv", citizens)
    result = import_xform(project, export, "odk", instruments["service_user_check"], units=units_of(project))
    assert codes(result) == []
    record = Store(project).get(stable_id("xform", "service_user_check", "s-1"))
    assert record.answers["citizens"] == [{
        "user_type": "person", "item_name": "户籍", "case_kind": "unknown", "trips": 2,
        "trip_reason": ["notice", "other"], "trip_reason_other": "窗口说法不一", "done_status": "done",
        "online_use": "none", "progress_visible": "yes", "satisfaction": "4"}]
