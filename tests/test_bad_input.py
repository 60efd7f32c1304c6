"""Malformed framework and unit-list files: a problem naming file, sheet, row and column,
never a traceback, and the user's file is left exactly as it was."""

from __future__ import annotations

import pytest
from conftest import sha256

from evalkit.config import is_safe_id, read_units
from evalkit.framework import read_framework
from evalkit.problems import Report

HEADER = ["编码", "名称", "分值", "类型", "上限", "评分依据", "评分规则"]
GOOD = [HEADER, ["1", "制度", 4, "计分", None, None, None], ["1.1", "政策", 4, None, None, "文件梳理", "人工"]]
META = [["设置", "值"], ["总分", 4]]


def flat(problems, *keys):
    return Report(problems).flatten(keys)


def test_good_workbook_reads_clean(workbook):
    fw, problems = read_framework(workbook({"指标": GOOD, "框架": META}))
    assert problems == [] and fw.total == 4


def test_missing_sheet_suggests_the_right_name(workbook):
    path = workbook({"指 标": GOOD})
    fw, problems = read_framework(path)
    assert fw is None
    assert flat(problems, "code", "file", "sheet") == [["sheet-missing", str(path), "指标"]]
    assert "指 标" in problems[0].message


def test_misspelled_column_is_missing_with_did_you_mean(workbook):
    rows = [["编码", "名称", "分数值"] + HEADER[3:]] + GOOD[1:]
    path = workbook({"指标": rows, "框架": META})
    fw, problems = read_framework(path)
    assert fw is None
    assert ["column-missing", str(path), "指标", 1, "分值"] in flat(problems, "code", "file", "sheet", "row", "column")
    assert "分数值" in problems[0].message


def test_text_in_points_cell(workbook):
    rows = GOOD[:2] + [["1.1", "政策", "四", None, None, "文件梳理", "人工"]]
    path = workbook({"指标": rows, "框架": META})
    _, problems = read_framework(path)
    assert ["points-not-number", str(path), "指标", 3, "分值", "1.1"] in flat(
        problems, "code", "file", "sheet", "row", "column", "indicator")


def test_code_with_double_dot(workbook):
    rows = GOOD + [["1..2", "坏", 1, None, None, "文件梳理", "人工"]]
    path = workbook({"指标": rows, "框架": META})
    _, problems = read_framework(path)
    assert ["code-malformed", "指标", 4, "编码"] in flat(problems, "code", "sheet", "row", "column")


def test_numeric_code_cell_is_a_warning(workbook):
    rows = [HEADER, [1, "制度", 4, None, None, None, None], [1.1, "政策", 4, None, None, "文件梳理", "人工"]]
    _, problems = read_framework(workbook({"指标": rows, "框架": META}))
    assert flat(problems, "code", "row") == [["code-numeric", 2], ["code-numeric", 3]]


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    fw, problems = read_framework(path)
    assert fw is None and flat(problems, "code", "file") == [["file-empty", str(path)]]


def test_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是工作簿", encoding="utf-8")
    fw, problems = read_framework(path)
    assert fw is None and flat(problems, "code", "file") == [["file-not-workbook", str(path)]]


def test_sheet_without_rows(workbook):
    path = workbook({"指标": [HEADER], "框架": META})
    _, problems = read_framework(path)
    assert ["sheet-empty", "指标"] in flat(problems, "code", "sheet")


def test_bad_meta_value(workbook):
    path = workbook({"指标": GOOD, "框架": [["设置", "值"], ["总分", "一百"], ["分值方式", "随便"]]})
    _, problems = read_framework(path)
    assert flat(problems, "code", "sheet", "row") == [
        ["meta-bad-value", "框架", 2], ["meta-bad-value", "框架", 3], ["total-missing", "指标", None]]


def test_reading_never_changes_the_file(workbook):
    rows = GOOD + [["1..2", "坏", "x", "未知", None, "文件疏理", None]]
    path = workbook({"指标": rows, "框架": META})
    before = sha256(path)
    read_framework(path)
    assert sha256(path) == before


UNIT_HEADER = ["编号", "名称", "类别", "类型", "上级地区"]
CATS = [["编号", "名称", "绩效权重", "仅通报", "说明"], ["1", "第一类", 1, "否", ""], ["2", "第二类", 0.7, "否", ""]]


def test_unit_list_checks(workbook):
    rows = [UNIT_HEADER,
            ["c1-01", "市编办", "1", "部门", None],
            ["c1-01", "市政府办公厅", "1", "部门", None],
            ["../../x", "越界", "1", "部门", None],
            ["c3-01", "市教育局", "3", "部门", None],
            ["c2-01", "永吉县", "2", "县", "jilin"]]
    path = workbook({"单位": rows, "类别": CATS})
    units, problems = read_units(path)
    assert flat(problems, "code", "sheet", "row", "column") == [
        ["unit-id-duplicate", "单位", 3, "编号"],
        ["unit-id-unsafe", "单位", 4, "编号"],
        ["unit-category-unknown", "单位", 5, "类别"],
        ["unit-kind-unknown", "单位", 6, "类型"],
        ["unit-parent-unknown", "单位", 6, "上级地区"],
    ]
    assert [u.id for u in units.units] == ["c1-01", "../../x", "c3-01", "c2-01"]


def test_bad_category_weight_and_flag(workbook):
    cats = CATS[:1] + [["1", "第一类", 1.5, "也许", ""]]
    path = workbook({"单位": [UNIT_HEADER, ["a", "甲", "1", "部门", None]], "类别": cats})
    _, problems = read_units(path)
    assert flat(problems, "code", "row") == [["category-bad-weight", 2], ["category-bad-flag", 2]]


@pytest.mark.parametrize("value,ok", [
    ("c1-01", True), ("jl.city_2", True), ("../../x", False), ("a/b", False), ("a b", False),
    ("CON", False), ("nul.txt", False), ("市编办", False), ("", False), ("-x", False), ("x" * 65, False),
])
def test_safe_ids(value, ok):
    assert is_safe_id(value) is ok
