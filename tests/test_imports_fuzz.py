"""Property-based fuzzing of the import readers (issue 9 item 3 for issue 8's imports).

Whatever the export or table holds — random cells, missing or unknown columns, repeat rows
pointing nowhere, GBK / UTF-8 / BOM encodings, ``;`` separators, raw bytes — an import ends
in problems or a result, never an unhandled exception; and when there is any error nothing
is written to ``raw/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
import test_imports
from conftest import make_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_imports import KOBO_CITIZEN_HEADERS, KOBO_MAIN_HEADERS, MAIN_SHEET, kobo_citizens, kobo_main

from evalkit.config import read_units
from evalkit.forms import validate_answers
from evalkit.interop import ImportResult, import_table, import_xform
from evalkit.problems import Problem
from evalkit.store import Store

FUZZ = settings(max_examples=int(os.environ.get("EVALKIT_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOTLINE_MAIN = ["SubmissionDate", "unit", "assessor", "visit_date", "hotline_number", "number_source", "notes",
                "meta-instanceID", "KEY", "ReviewState", "FormVersion", "SubmitterName", "extra_column", "calls-x",
                "Unit", "unit", ""]
HOTLINE_CALLS = ["call_time", "item_asked", "calls_made", "calls_connected", "no_answer_reason", "answer_seconds",
                 "answer_correct", "told_all_materials", "attitude", "PARENT_KEY", "KEY", "wait"]
KOBO_MAIN = ["unit", "assessor", "visit_date", "check_mode", "notes", "_uuid", "_index", "_submission_time",
             "_validation_status", "__version__", "start", "end", "_submitted_by", "citizens/trips", "bogus"]
KOBO_CITIZENS = ["citizens/user_type", "citizens/item_name", "citizens/case_kind", "citizens/trips",
                 "citizens/trip_reason", "citizens/done_status", "citizens/online_use", "citizens/progress_visible",
                 "citizens/satisfaction", "_index", "_parent_index", "_parent_table_name", "_submission__uuid", "x"]
WORDS = st.sampled_from([
    "", " ", "c1-01", "c1-02", "c9-99", "../../x", "张三", "2018-11-20", "2018/11/20", "2018年11月20日", "2099-01-01",
    "09:30", "25:61", "09:30:00.000+08:00", "guide", "website", "大厅", "办事指南", "approved", "hasIssues",
    "rejected", "validation_status_on_hold", "On Hold", "weird", "uuid:a", "uuid:b", "a", "b", "1", "2", "0", "-1",
    "3.5", "1e309", "NaN", "yes", "no", "busy", "correct", "满意", "非常满意", "na", "notice other", "person",
    "个人", "=cmd|' /C calc'!A0", "<script>", "\u202e", "🙂", "x" * 300, "2018.1", "2019.2", "服务对象抽查",
    "2018-11-20T03:10:00.000Z", "\"", "a,b", "a;b", "\n",
])
CELL = st.one_of(WORDS, st.text(max_size=8))
XCELL = st.one_of(WORDS, st.text(max_size=8), st.none(), st.integers(-10**6, 10**6),
                  st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                  st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"])


instruments = test_imports.instruments   # the same fixtures as the import tests
project = test_imports.project


@pytest.fixture
def units(project):
    return read_units(project / "units.xlsx")[0]


OUTCOMES: list[str] = []


def raw_files(root):
    return sorted(str(p) for p in (root / "raw").rglob("*") if p.is_file())


def csv_bytes(headers, rows, encoding, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding in ("gbk", "gb18030"):
        return text.encode(encoding, errors="replace")
    return text.encode(encoding, errors="surrogatepass") if encoding == "utf-8" else text.encode(encoding, "replace")


def safe_cell(value):
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF))
    return value


def check(result, root, before):
    assert isinstance(result, ImportResult)
    assert all(isinstance(p, Problem) and p.message and p.code for p in result.problems)
    if result.errors and not result.written:
        assert raw_files(root) == before
    OUTCOMES.append("added" if result.added else "errors" if result.errors else "nothing")
    return result


def table_of(columns):
    return st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True).flatmap(
        lambda headers: st.tuples(st.just(headers), st.lists(st.lists(CELL, min_size=len(headers),
                                                                      max_size=len(headers)), max_size=6)))


@FUZZ
@given(main=table_of(HOTLINE_MAIN), calls=st.one_of(st.none(), table_of(HOTLINE_CALLS)), encoding=ENCODINGS,
       as_zip=st.booleans(), delimiter=st.sampled_from([",", ";"]))
def test_odk_exports_end_in_problems_or_a_result(project, tmp_path, instruments, units, main, calls, encoding, as_zip,
                                                  delimiter):
    before = raw_files(project)
    main_bytes = csv_bytes(*main, encoding, delimiter)
    if as_zip:
        path = tmp_path / "export.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hotline_test.csv", main_bytes)
            if calls is not None:
                z.writestr("hotline_test-calls.csv", csv_bytes(*calls, encoding, delimiter))
    else:
        path = tmp_path / "hotline_test.csv"
        path.write_bytes(main_bytes)
    check(import_xform(project, path, "odk", instruments["hotline_test"], units=units), project, before)


@FUZZ
@given(main=table_of(KOBO_MAIN), citizens=st.one_of(st.none(), table_of(KOBO_CITIZENS)),
       cells=st.lists(XCELL, min_size=40, max_size=40), skip=st.booleans(), sheet_name=st.sampled_from(
           ["服务对象抽查", "citizens", "Sheet1", "x" * 31]))
def test_kobo_workbooks_end_in_problems_or_a_result(project, tmp_path, instruments, units, main, citizens, cells, skip,
                                                    sheet_name):
    before = raw_files(project)
    headers, rows = main
    # mix typed cells (numbers, dates, floats incl. NaN / inf, booleans, None) into the text rows
    rows = [[safe_cell(cells[(i * 7 + j) % 40]) if (i + j) % 3 == 0 else c for j, c in enumerate(r)]
            for i, r in enumerate(rows)]
    rows = [[None if isinstance(c, float) and c != c else c for c in r] for r in rows]
    sheets = {sheet_name if sheet_name != "citizens" else "main": [headers, *rows]}
    if citizens is not None:
        sheets["citizens"] = [citizens[0], *[[safe_cell(c) for c in r] for r in citizens[1]]]
    path = make_workbook(tmp_path / "kobo.xlsx", {k: [[safe_cell(c) for c in r] for r in v] for k, v in sheets.items()})
    check(import_xform(project, path, "kobo", instruments["service_user_check"], units=units, skip_invalid=skip),
          project, before)


QUESTION_COLUMNS = ["单位", "调查员", "调查日期", "问卷编号", "您的身份", "过去一年办事次数", "最近一次跑了几次",
                    "办事指南", "总体满意度", "提交答卷时间", "来源IP", "序号"]
TARGETS = ["unit", "assessor", "visit_date", "questionnaire_no", "respondent_type", "visits_last_year", "last_trips",
           "q_guide", "q_overall", "_submitted", "-", "q_guid", "受访者类型", "citizens", "calls_made", ""]


@FUZZ
@given(table=table_of(QUESTION_COLUMNS),
       mapping=st.lists(st.tuples(st.sampled_from(QUESTION_COLUMNS + ["无此列"]), st.sampled_from(TARGETS)),
                        max_size=12),
       encoding=ENCODINGS, as_xlsx=st.booleans(), unit=st.sampled_from([None, "c1-01", "../x"]))
def test_questionnaire_tables_end_in_problems_or_a_result(project, tmp_path, instruments, units, table, mapping,
                                                          encoding, as_xlsx, unit):
    before = raw_files(project)
    headers, rows = table
    if as_xlsx:
        path = make_workbook(tmp_path / "survey.xlsx", {"答卷": [[safe_cell(c) for c in r] for r in [headers, *rows]]})
    else:
        path = tmp_path / "survey.csv"
        path.write_bytes(csv_bytes(headers, rows, encoding))
    spec = ",".join(f"{c}={t}" for c, t in mapping) or "单位=unit"
    check(import_table(project, path, instruments["questionnaire"], spec, unit=unit, assessor="问卷星", units=units),
          project, before)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".zip", ".xlsx", ".txt"]),
       source=st.sampled_from(["odk", "kobo", "table"]))
def test_raw_bytes_end_in_problems(project, tmp_path, instruments, units, data, suffix, source):
    before = raw_files(project)
    path = tmp_path / f"export{suffix}"
    path.write_bytes(data)
    if source == "table":
        result = import_table(project, path, instruments["questionnaire"], "单位=unit", units=units)
    else:
        result = import_xform(project, path, source, instruments["hotline_test"], units=units)
    check(result, project, before)
    assert result.added == [] or not result.errors


def test_gbk_csv_with_bom_like_bytes_and_chinese_headers(project, tmp_path, instruments, units):
    """A GBK csv as Chinese Excel saves it, and the same table as UTF-8 with a BOM, import the same answers."""
    headers = ["单位", "调查员", "调查日期", "问卷编号", "您的身份", "过去一年办事次数", "办事指南", "一窗受理",
               "等候时间", "承诺时限", "电话咨询", "网上办事", "进度查询", "投诉渠道", "服务态度", "总体满意度"]
    row = ["c1-01", "赵六", "2018-11-20", "Q-9", "企业", "0", "满意", "满意", "一般", "满意", "满意", "满意", "满意",
           "一般", "非常满意", "满意"]
    fields = ["unit", "assessor", "visit_date", "questionnaire_no", "respondent_type", "visits_last_year", "q_guide",
              "q_one_window", "q_waiting", "q_promise", "q_phone", "q_online", "q_progress", "q_complaint", "q_staff",
              "q_overall"]
    spec = ",".join(f"{h}={f}" for h, f in zip(headers, fields, strict=True))
    answers = []
    for encoding in ("gbk", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(csv_bytes(headers, [row], encoding))
        result = import_table(project, path, instruments["questionnaire"], spec, units=units)
        assert not result.errors and len(result.added) == 1
        answers.append(Store(project).get(result.added[0]).answers)
    assert answers[0] == answers[1]
    assert answers[0]["respondent_type"] == "enterprise" and answers[0]["q_staff"] == "5"


# ---------------------------------------------------------------- mutations of valid exports
# Random tables rarely get past the column checks; these start from the valid fixtures and
# change a few cells, drop a column or re-encode, so the row checks and the writing run too.

DATA = Path(__file__).parent / "data" / "imports"


def read_csv(path):
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    return rows[0], rows[1:]


def mutate(headers, rows, edits, drop):
    rows = [list(r) for r in rows]
    for i, j, value in edits:
        if rows:
            rows[i % len(rows)][j % len(headers)] = value
    if drop is not None and len(headers) > 1:
        k = drop % len(headers)
        headers = headers[:k] + headers[k + 1:]
        rows = [r[:k] + r[k + 1:] for r in rows]
    return headers, rows


EDITS = st.lists(st.tuples(st.integers(0, 10), st.integers(0, 30), CELL), max_size=4)


def assert_store_valid(root, instrument):
    for view in Store(root).records():
        assert validate_answers(instrument, view.answers, today=dt.date(2018, 12, 31)) == []


@FUZZ
@given(main_edits=EDITS, call_edits=EDITS, drop=st.one_of(st.none(), st.integers(0, 30)), encoding=ENCODINGS,
       skip=st.booleans())
def test_mutated_odk_exports(project, tmp_path, instruments, units, main_edits, call_edits, drop, encoding, skip):
    before = raw_files(project)
    main = mutate(*read_csv(DATA / "odk_hotline" / "hotline_test.csv"), main_edits, drop)
    calls = mutate(*read_csv(DATA / "odk_hotline" / "hotline_test-calls.csv"), call_edits, None)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hotline_test.csv", csv_bytes(*main, encoding))
        z.writestr("hotline_test-calls.csv", csv_bytes(*calls, encoding))
    result = check(import_xform(project, path, "odk", instruments["hotline_test"], units=units, skip_invalid=skip),
                   project, before)
    if result.errors:
        assert result.added == []
    assert_store_valid(project, instruments["hotline_test"])


@FUZZ
@given(edits=EDITS, drop=st.one_of(st.none(), st.integers(0, 30)), encoding=ENCODINGS, skip=st.booleans(),
       as_xlsx=st.booleans())
def test_mutated_questionnaire_tables(project, tmp_path, instruments, units, edits, drop, encoding, skip, as_xlsx):
    before = raw_files(project)
    headers, rows = mutate(*read_csv(DATA / "questionnaire" / "responses.csv"), edits, drop)
    if as_xlsx:
        path = make_workbook(tmp_path / "survey.xlsx", {"答卷": [[safe_cell(c) for c in r] for r in [headers, *rows]]})
    else:
        path = tmp_path / "survey.csv"
        path.write_bytes(csv_bytes(headers, rows, encoding))
    mapping = str(DATA / "questionnaire" / "mapping.csv")
    result = check(import_table(project, path, instruments["questionnaire"], mapping, units=units, skip_invalid=skip),
                   project, before)
    if result.errors:
        assert result.added == []
    assert_store_valid(project, instruments["questionnaire"])


XEDITS = st.lists(st.tuples(st.integers(0, 10), st.integers(0, 30), XCELL), max_size=4)


@FUZZ
@given(main_edits=XEDITS, citizen_edits=XEDITS, drop=st.one_of(st.none(), st.integers(0, 30)), skip=st.booleans())
def test_mutated_kobo_workbooks(project, tmp_path, instruments, units, main_edits, citizen_edits, drop, skip):
    before = raw_files(project)
    headers, rows = mutate(KOBO_MAIN_HEADERS, kobo_main(), main_edits, drop)
    c_headers, c_rows = mutate(KOBO_CITIZEN_HEADERS, kobo_citizens(), citizen_edits, None)
    clean = lambda rs: [[None if isinstance(c, float) and c != c else safe_cell(c) for c in r] for r in rs]  # noqa: E731
    path = make_workbook(tmp_path / "kobo.xlsx", {MAIN_SHEET: clean([headers, *rows]),
                                                  "citizens": clean([c_headers, *c_rows])})
    result = check(import_xform(project, path, "kobo", instruments["service_user_check"], units=units,
                                skip_invalid=skip), project, before)
    if result.errors:
        assert result.added == []
    assert_store_valid(project, instruments["service_user_check"])
