"""Property-based fuzzing of every file evalkit reads (issue 9): whatever the input, the
answer is problems or a result, never an unhandled exception, and the input is unchanged.

Each property builds a file from cells that hypothesis draws — numbers, Chinese text,
formula-looking strings, codes such as ``1..2``, dates, empty cells — in the columns the
reader expects (so the fuzz gets past the header checks and into the row logic), plus
raw bytes for the parsers that sniff file types.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import make_workbook, sha256
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.problems import Problem

STARTED = "2018-11-20T09:00:00+08:00"
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

# Text that looks like what people type into these sheets, and what breaks parsers.
WORDS = st.sampled_from([
    "", " ", "1", "1.1", "1..2", "1.1.1.1.1", "a.b", "01", "三", "计分", "加分", "扣分", "固定", "按单位",
    "文件梳理", "内部访谈、专家论证", "资料审查", "问卷", "rate(hotline_test.calls: answered = yes, full=0.9, zero=0.5)",
    "manual(max=4)", "checklist(items=[a,b])", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-3", "@x", "<script>",
    "（12分）", "4分", "１２", "NaN", "inf", "-inf", "1e309", "../../x", "CON", "c1-01", "第一类", "部门", "地区",
    "是", "否", "0.7", "2018年13月", "\x00", "\u202e", "🙂", "x" * 300,
])
CELL = st.one_of(
    st.none(), WORDS, st.text(max_size=12), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)


def rows_of(width: int, max_rows: int = 8):
    return st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=max_rows)


def safe_cell(value):
    """openpyxl refuses control characters in strings; a real workbook cannot hold them either."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)
    return value


def workbook_from(tmp_path, name, sheets):
    cleaned = {sheet: [[safe_cell(c) for c in row] for row in rows] for sheet, rows in sheets.items()}
    return make_workbook(tmp_path / name, cleaned)


def assert_problems(found) -> None:
    assert isinstance(found, list) and all(isinstance(p, Problem) for p in found)
    for p in found:
        assert p.message and p.code  # every problem renders a message


FRAMEWORK_HEADER = ["编码", "名称", "分值", "类型", "上限", "评分依据", "评分规则", "序号", "完成时限", "备注"]


@FUZZ
@given(rows=rows_of(len(FRAMEWORK_HEADER)), meta=rows_of(2, 4))
def test_framework_workbooks(tmp_path_factory, rows, meta):
    from evalkit.framework import check_framework, read_framework
    from evalkit.project import validate_path

    tmp = tmp_path_factory.mktemp("fw")
    path = workbook_from(tmp, "fw.xlsx", {"指标": [FRAMEWORK_HEADER, *rows], "框架": [["项目", "值"], *meta]})
    before = sha256(path)
    fw, found = read_framework(path)
    assert_problems(found)
    if fw is not None:
        _, more = check_framework(fw)
        assert_problems(more)
    for problems in validate_path(path).values():
        assert_problems(problems)
    assert sha256(path) == before


UNIT_HEADER = ["编号", "名称", "类别", "类型", "上级地区"]
CATEGORY_HEADER = ["编号", "名称", "绩效权重", "仅通报"]


@FUZZ
@given(units=rows_of(len(UNIT_HEADER)), categories=rows_of(len(CATEGORY_HEADER), 4))
def test_unit_lists(tmp_path_factory, units, categories):
    from evalkit.config import read_units

    tmp = tmp_path_factory.mktemp("units")
    path = workbook_from(tmp, "units.xlsx", {"单位": [UNIT_HEADER, *units], "类别": [CATEGORY_HEADER, *categories]})
    result, found = read_units(path)
    assert_problems(found)
    if result is not None:
        from evalkit.config import is_safe_id

        flagged = {p.row for p in found if p.code == "unit-id-unsafe" and p.is_error}
        assert {u.row for u in result.units if not is_safe_id(u.id)} <= flagged  # an unsafe id is always an error


FRAME_HEADERS = [["事项编码", "事项名称", "单位", "规模"], ["办件编号", "单位", "事项编码", "办结日期", "联系电话"]]


@FUZZ
@given(kind=st.sampled_from([0, 1]), rows=rows_of(5, 10), as_csv=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_frames(tmp_path_factory, kind, rows, as_csv, encoding):
    from evalkit.sampling import read_frame

    tmp = tmp_path_factory.mktemp("frame")
    header = FRAME_HEADERS[kind]
    rows = [r[: len(header)] for r in rows]
    if as_csv:
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(["" if c is None else c for c in r] for r in rows)
        path = tmp / "frame.csv"
        path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    else:
        path = workbook_from(tmp, "frame.xlsx", {"抽样框": [header, *rows]})
    frame, found = read_frame(path)
    assert_problems(found)
    if frame is not None:
        assert len({r.id for r in frame.rows}) == len(frame.rows)  # ids stay unique when accepted


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".xlsx", ".csv", ".md", ".json", ""]))
def test_arbitrary_bytes_under_any_name(tmp_path_factory, data, suffix):
    from evalkit.project import validate_path

    tmp = tmp_path_factory.mktemp("bytes")
    path = tmp / f"input{suffix}"
    path.write_bytes(data)
    for problems in validate_path(path).values():
        assert_problems(problems)
    assert path.read_bytes() == data


SURVEY_TYPES = st.sampled_from([
    "text", "integer", "decimal", "date", "time", "select_one yn", "select_multiple yn", "note", "calculate",
    "begin_group", "end_group", "begin_repeat", "end_repeat", "image", "geopoint", "select_one nope", "",
])
EXPRESSIONS = st.sampled_from([
    "", ". > 0", ". >= 0 and . <= 100", "${a} = 'yes'", "${missing} > 1", "count(${r})", "today()",
    "regex(., '[0-9]+')", "eval('x')", "(((", "1 +", "selected(${b}, 'yes')", "string-length(.) < 5",
])


@FUZZ
@given(rows=st.lists(st.tuples(SURVEY_TYPES, st.sampled_from(["a", "b", "r", "unit", "assessor", "1x", "", "a"]),
                               WORDS, EXPRESSIONS, EXPRESSIONS, st.sampled_from(["", "yes", "no", "maybe"])),
                     max_size=8))
def test_instruments(tmp_path_factory, rows):
    from evalkit.forms import load_instrument

    tmp = tmp_path_factory.mktemp("inst")
    survey = [["type", "name", "label::中文 (zh)", "constraint", "relevant", "required"],
              ["select_one unit_list", "unit", "单位", "", "", "yes"], ["text", "assessor", "评估员", "", "", "yes"],
              *[list(r) for r in rows]]
    path = workbook_from(tmp, "inst.xlsx", {
        "survey": survey,
        "choices": [["list_name", "name", "label::中文 (zh)"], ["yn", "yes", "是"], ["yn", "no", "否"],
                    ["unit_list", "c1-01", "市编办"]],
        "settings": [["form_id", "version", "default_language"], ["fuzz", "1", "中文 (zh)"]],
    })
    inst, found = load_instrument(path)
    assert_problems(found)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10)


@FUZZ
@given(payload=st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                         st.dictionaries(st.sampled_from(["instance_id", "revision_id", "parent", "instrument",
                                                          "unit", "answers", "kind", "at", "who", "state"]),
                                         JSON_VALUES, max_size=10).map(lambda v: json.dumps(v).encode())))
def test_raw_record_files(tmp_path_factory, payload):
    """Whatever sits in raw/, loading names the damaged file and keeps the good record."""
    from evalkit.store import Store

    tmp = tmp_path_factory.mktemp("raw")
    good = Store(tmp).submit(instrument_id="x", instrument_version="1", instrument_sha256="0" * 64, unit="c1-01",
                             assessor="张三", answers={"a": 1}, started=STARTED, ended=STARTED).instance_id
    bad = tmp / "raw" / "0000000000000000000000fuzz" / "0000000000000000000000fuzz.json"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(payload)
    views, found = Store(tmp).load()
    assert_problems(found)
    assert good in {v.instance_id for v in views}
    assert any("fuzz" in (p.file or "") for p in found) or payload_is_valid_revision(tmp)


def payload_is_valid_revision(root) -> bool:
    """True only when the fuzzed file happens to be a complete, valid revision (then no problem is due)."""
    return False


@pytest.mark.parametrize("text", ["| 编码 | 名称 |\n|---|---|\n| 1 | x |", "|||\n|-|\n", "no table", "| a |\n| - |\n| " + "x|" * 500])
def test_markdown_frameworks(tmp_path, text):
    from evalkit.framework import read_framework

    path = tmp_path / "fw.md"
    path.write_text(text, encoding="utf-8")
    fw, found = read_framework(path)
    assert_problems(found)


EVENT_HEADER = ["编号", "单位", "类型", "依据", "分值", "任务", "说明"]
MANUAL_HEADER = ["单位", "指标", "分数", "理由", "评分人"]


@FUZZ
@given(events=rows_of(len(EVENT_HEADER), 6), manual=rows_of(len(MANUAL_HEADER), 6))
def test_adjustment_workbooks(tmp_path_factory, events, manual):
    from evalkit.scoring import read_adjustments

    tmp = tmp_path_factory.mktemp("adj")
    workbook_from(tmp, "adjustments.xlsx", {"加减分事项": [EVENT_HEADER, *events], "人工评分": [MANUAL_HEADER, *manual]})
    found_events, found_manual, found = read_adjustments(tmp)
    assert_problems(found)
    assert len(found_events) <= len(events) and len(found_manual) <= len(manual)


@FUZZ
@given(rows=rows_of(3, 8))
def test_assessor_lists(tmp_path_factory, rows):
    from evalkit.sampling import read_assessors

    tmp = tmp_path_factory.mktemp("assessors")
    path = workbook_from(tmp, "assessors.xlsx", {"评估员": [["编号", "姓名", "关联单位"], *rows]})
    assessors, found = read_assessors(path)
    assert_problems(found)
    if assessors is not None:
        assert len({a.id for a in assessors}) == len(assessors)


@FUZZ
@given(payload=st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode())),
       toml=st.one_of(st.text(max_size=80), st.sampled_from([
           '[evaluation]\nas_of = "2018-13-01"\n', '[evaluation]\nframework = "../../etc/passwd"\n',
           '[evaluation]\nperiod_start = 3\n', "[scoring]\nseed = 'x'\ndraws = -1\n", "\x00"])))
def test_draw_files_and_project_settings(tmp_path_factory, payload, toml):
    """A damaged draw record or evalkit.toml is a problem of that file, never a crash of validate."""
    from evalkit.project import init_project, validate_project
    from evalkit.sampling import SamplingError, read_draw

    tmp = tmp_path_factory.mktemp("proj") / "p"
    init_project(tmp, "province-2018")
    (tmp / "draws" / "srs-n1-s1-deadbeef.json").write_bytes(payload)
    (tmp / "evalkit.toml").write_text(toml, encoding="utf-8", errors="replace")
    with pytest.raises(SamplingError):
        read_draw(tmp, "srs-n1-s1-deadbeef")
    for problems in validate_project(tmp).values():
        assert_problems(problems)
