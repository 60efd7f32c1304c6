"""The framework model, the tidy reader and the consistency checks.

Small frameworks are written inline as markdown tables, so each test shows its input.
"""

from __future__ import annotations

from conftest import SHIPPED

from evalkit.framework import code_order, framework_from_markdown, read_framework
from evalkit.problems import ERROR, Report

CLEAN = """
| 编码 | 名称 | 分值 | 类型 | 上限 | 评分依据 | 评分规则 |
|------|------|------|------|------|----------|----------|
| 1    | 制度 | 8    |      |      |          |          |
| 1.1  | 政策 | 4    |      |      | 文件梳理 | 人工     |
| 1.2  | 清单 | 4    |      |      | 内部访谈、专家论证 | 人工 |
| 2    | 加分 | 2    | 加分 | 2    | 文件梳理 | 人工     |
"""


def codes_at(problems, *keys):
    return Report(list(problems)).flatten(keys)


def test_clean_framework_has_no_problems():
    fw, problems = framework_from_markdown(CLEAN, total=8)
    assert problems == []
    assert [i.code for i in fw.leaves()] == ["1.1", "1.2", "2"]
    assert fw.get("1.2").methods == ("internal_interview", "expert_review")
    assert fw.get("2").kind == "bonus" and fw.get("2").cap == 2
    assert fw.get("1.1").level == 2 and fw.get("1.1").parent_code == "1"


def test_children_not_adding_up_is_reported_at_the_parent_row():
    source = CLEAN.replace("| 1    | 制度 | 8 ", "| 1    | 制度 | 9 ")
    fw, problems = framework_from_markdown(source, total=9)
    # 4 + 4 = 8, not 9: row 2 is the first data row (header is row 1)
    assert codes_at(problems, "code", "row", "column", "indicator") == [["points-sum-mismatch", 2, "分值", "1"]]


def test_one_missing_child_is_inferred_and_reported():
    source = CLEAN.replace("| 1.2  | 清单 | 4 ", "| 1.2  | 清单 |   ")
    fw, problems = framework_from_markdown(source, total=8)
    assert codes_at(problems, "code", "row", "indicator", "severity") == [["points-inferred", 4, "1.2", "warning"]]
    assert fw.get("1.2").points == 4 and fw.get("1.2").points_inferred  # 8 - 4 = 4


def test_two_missing_children_cannot_be_inferred():
    source = CLEAN.replace("| 1.1  | 政策 | 4 ", "| 1.1  | 政策 |   ").replace("| 1.2  | 清单 | 4 ", "| 1.2  | 清单 |   ")
    _, problems = framework_from_markdown(source, total=8)
    assert codes_at(problems, "code", "row") == [["points-missing", 3], ["points-missing", 4]]


def test_missing_parent_points_are_inferred_from_children():
    source = CLEAN.replace("| 1    | 制度 | 8 ", "| 1    | 制度 |   ")
    fw, problems = framework_from_markdown(source, total=8)
    assert codes_at(problems, "code", "indicator") == [["points-inferred-parent", "1"]]
    assert fw.get("1").points == 8


def test_duplicate_malformed_and_orphan_codes():
    source = CLEAN + ("| 1.1 | 重复 | 4 | | | 文件梳理 | 人工 |\n| 1..2 | 坏编码 | 1 | | | 文件梳理 | 人工 |\n"
                      "| 4.1 | 孤儿 | 1 | | | 文件梳理 | 人工 |\n")
    _, problems = framework_from_markdown(source, total=8)
    found = codes_at(problems, "code", "row", "column")
    assert ["code-malformed", 7, "编码"] in found
    assert ["code-duplicate", 6, "编码"] in found
    assert ["indicator-orphan", 8, "编码"] in found


def test_text_in_points_cell_names_row_and_column():
    source = CLEAN.replace("| 1.1  | 政策 | 4 ", "| 1.1  | 政策 | 四分 ")
    _, problems = framework_from_markdown(source, total=8)
    assert ["points-not-number", 3, "分值", "1.1", ERROR] in codes_at(problems, "code", "row", "column", "indicator", "severity")


def test_points_written_with_fen_are_numbers():
    source = CLEAN.replace("| 1.1  | 政策 | 4 ", "| 1.1  | 政策 | 4分 ")
    fw, problems = framework_from_markdown(source, total=8)
    assert problems == [] and fw.get("1.1").points == 4


def test_unknown_method_suggests_the_closest():
    source = CLEAN.replace("| 文件梳理 | 人工     |\n| 1.2", "| 文件疏理 | 人工     |\n| 1.2")
    _, problems = framework_from_markdown(source, total=8)
    assert codes_at(problems, "code", "row", "column", "indicator") == [["method-unknown", 3, "评分依据", "1.1"]]
    assert "文件梳理" in problems[0].message


def test_leaf_without_methods_or_rule_and_bonus_without_cap():
    source = """
| 编码 | 名称 | 分值 | 类型 | 上限 | 评分依据 | 评分规则 |
|---|---|---|---|---|---|---|
| 1 | 制度 | 4 | | | | |
| 2 | 创新 | 5 | 加分 | | 文件梳理 | 人工 |
"""
    _, problems = framework_from_markdown(source, total=4)
    assert sorted(codes_at(problems, "code", "row")) == [
        ["bonus-cap-missing", 3], ["methods-missing", 2], ["rule-missing", 2]]


def test_level1_total_must_match_declared_total():
    _, problems = framework_from_markdown(CLEAN, total=100)
    assert codes_at(problems, "code") == [["total-mismatch"]]
    _, problems = framework_from_markdown(CLEAN, total=None)
    assert codes_at(problems, "code", "severity") == [["total-missing", "warning"]]


def test_any_depth_is_allowed():
    source = """
| 编码 | 名称 | 分值 | 评分依据 | 评分规则 |
|---|---|---|---|---|
| 1 | a | 4 | | |
| 1.1 | b | 4 | | |
| 1.1.1 | c | 4 | | |
| 1.1.1.1 | d | 2 | 文件梳理 | 人工 |
| 1.1.1.2 | e | 2 | 暗访 | 人工 |
"""
    fw, problems = framework_from_markdown(source, total=4)
    assert problems == [] and fw.get("1.1.1.2").level == 4


def test_faithful_province_transcription_reports_the_source_gaps():
    """The published table (004 附件): 1.3 declared 16 while 1.3.1 + 1.3.2 = 4 + 4 = 8;
    2.4.2 has no points and 2.4 (8) − 2.4.1 (4) = 4 can be inferred."""
    path = SHIPPED / "province-2018-faithful.xlsx"
    fw, problems = read_framework(path)
    found = codes_at(problems, "code", "file", "sheet", "row", "column", "indicator")
    assert ["points-sum-mismatch", str(path), "指标", 11, "分值", "1.3"] in found
    assert ["points-inferred", str(path), "指标", 41, "分值", "2.4.2"] in found
    assert fw.get("2.4.2").points == 4
    assert ["method-unknown", str(path), "指标", 6, "评分依据", "1.1.3"] in found


def test_shipped_province_framework_is_clean_and_its_resolutions_are_visible():
    fw, problems = read_framework(SHIPPED / "province-2018.xlsx")
    assert [p for p in problems if p.severity == ERROR] == []
    assert fw.total == 100 and sum(r.points for r in fw.roots() if r.kind == "scored") == 100
    assert fw.get("1.3").points == 16 and fw.get("1.3.1").points + fw.get("1.3.2").points == 16
    assert fw.get("2.4.2").points == 4 and not fw.get("2.4.2").points_inferred
    for code in ("1.3", "1.3.1", "1.3.2", "2.4.2", "1.1.3"):
        assert fw.get(code).resolution, f"{code} needs its resolution written down"
    assert fw.get("3").kind == "bonus" and fw.get("3").cap == 10


def test_shipped_jilin_city_framework_has_7_areas_and_76_tasks():
    fw, problems = read_framework(SHIPPED / "jilin-city-2018.xlsx")
    assert [p for p in problems if p.severity == ERROR] == []
    areas = [r for r in fw.roots() if r.kind == "scored"]
    assert len(areas) == 7
    tasks = [i for i in fw.indicators if i.task_no is not None]
    assert sorted(t.task_no for t in tasks) == list(range(1, 77))
    assert all(t.deadline for t in tasks)
    assert fw.get("8").kind == "bonus" and fw.get("8").cap == 10


def test_shipped_workbooks_match_their_csv_sources():
    """The xlsx files are built from instruments/frameworks/src/*.csv by tools/build_frameworks.py."""
    from evalkit.framework import framework_from_table
    from evalkit.io import tables

    pairs = [("province-2018", "province-2018"), ("province-2018.faithful", "province-2018-faithful"),
             ("jilin-city-2018.indicators", "jilin-city-2018")]
    for src, built in pairs:
        table, _ = tables.csv_table(SHIPPED / "src" / f"{src}.csv")
        expected, _ = framework_from_table(table)
        actual, _ = read_framework(SHIPPED / f"{built}.xlsx")
        strip = lambda fw: [(i.code, i.name, i.name_en, i.kind, i.cap, i.methods, i.unknown_methods, i.rule,  # noqa: E731
                             i.task_no, i.deadline, i.resolution) for i in fw.indicators]
        assert strip(actual) == strip(expected), f"rebuild {built}.xlsx: python tools/build_frameworks.py"


def test_shipped_units_match_their_csv_sources():
    import csv

    from evalkit.config import read_units

    units, problems = read_units(SHIPPED / "jilin-city-2018-units.xlsx")
    assert problems == []
    with open(SHIPPED / "src" / "jilin-city-2018.units.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(u.id, u.name, u.category) for u in units.units] == [(r["编号"], r["名称"], r["类别"]) for r in rows]
    assert [len(units.in_category(c)) for c in "12345"] == [12, 11, 19, 26, 27]
    assert units.category("3").weight == 0.7 and units.category("5").published_only


def test_codes_sort_by_their_numbered_parts_then_by_text() -> None:
    codes = ["2", "1.10", "A.1", "1.9", "1.01", "1.1", "1", "1.x", "10"]
    assert sorted(codes, key=code_order) == ["1", "1.01", "1.1", "1.9", "1.10", "1.x", "2", "10", "A.1"]
    # one order whatever the codes came in as
    assert sorted(reversed(codes), key=code_order) == sorted(codes, key=code_order)
