"""Importing the index system in the government's published layout."""

from __future__ import annotations

from conftest import SHIPPED

from evalkit.framework import import_government_table, parse_cell, read_framework
from evalkit.problems import Report


def tree(fw):
    return [(i.code, i.name, i.points, i.kind, i.cap, i.methods, i.unknown_methods) for i in fw.indicators]


def test_parse_cell_takes_code_name_and_points():
    assert parse_cell("1. “只跑一次”改革的制度支撑与保障机制（40分）") == ("1", "“只跑一次”改革的制度支撑与保障机制", 40.0)
    assert parse_cell("3.1 吉林省规定改革举措外，本部门进行的创新举措。（10分）") == (
        "3.1", "吉林省规定改革举措外，本部门进行的创新举措", 10.0)
    assert parse_cell("2.4.2 各部门推进改革协调性") == ("2.4.2", "各部门推进改革协调性", None)
    assert parse_cell("2018年6月30日") is None
    assert parse_cell("文件梳理、内部访谈") is None


# The layout of the 附件 of seed 004, shortened: a title, merged level cells, points in
# the names, fourth-level items in the 评分依据 column with methods after them, 2.1 shifted
# into the 一级指标 column, and 2.4.2 without points.
GOV_ROWS = [
    ["中省直部门“只跑一次”改革客观测评内容、指标体系", None, None, None, None],
    ["一级指标", "二级指标", "三级指标", "评分依据", None],
    ["1. 制度支撑（12分）", "1.1 政策措施（4分）", "1.1.1 实施方案落实（4分）", "文件梳理、内部访谈、专家论证", None],
    [None, "1.3 保障机制（8分）", "1.3.1 一把手工程（8分）", "1.3.1.1 文件梳理、内部访谈", "文件梳理、内部访谈"],
    [None, None, None, "1.3.2.1 文件梳理、内部访谈、政务大厅调研", "文件梳理、内部访谈、专家论证"],
    ["2.1 流程（4分）", "2.1.1 规范化（4分）", None, "内部访谈、专家论证", None],
    ["2. 实施效果（8分）", "2.4 自我完善（4分）", "2.4.1 自我排查（2分）", "内部访谈、服务对象抽查", None],
    [None, None, "2.4.2 协调性", "内部访谈、服务对象抽查", None],
    ["3. 加分项（10分）", "3.1 创新举措。（10分）", None, "以事项公布情况为准", None],
]
GOV_MERGES = ["A3:A5", "B4:B5", "C4:C5", "A7:A8", "B7:B8"]


def test_government_layout_imports_with_every_assumption_reported(workbook):
    path = workbook({"附件": GOV_ROWS}, name="gov.xlsx", merges={"附件": GOV_MERGES})
    fw, problems = import_government_table(path)
    found = Report(problems).flatten(["code", "row", "column", "indicator"])
    assert ["gov-cell-shifted", 6, "一级指标", "2.1"] in found
    assert ["gov-name-is-methods", 4, "评分依据", "1.3.1.1"] in found
    assert ["gov-methods-differ", 5, "第 5 列", "1.3.2.1"] in found
    assert ["points-inferred", 8, "分值", "2.4.2"] in found
    assert ["method-unknown", 9, "评分依据", "3.1"] in found
    assert ["gov-kind-assumed", 9, None, "3"] in found
    # 1.3.2.1 is orphaned: its parent 1.3.2 is not in the table
    assert ["indicator-orphan", 5, "编码", "1.3.2.1"] in found
    assert fw.get("2.1").parent_code == "2" and fw.get("2.1").level == 2
    assert fw.get("1.3.2.1").methods == ("document_review", "internal_interview", "expert_review")
    assert fw.get("3").cap == 10 and fw.get("3.1").kind == "bonus"
    assert fw.get("3.1").unknown_methods == ("以事项公布情况为准",)
    assert "导入假设" in fw.get("2.1").resolution


def test_shipped_government_table_imports_to_the_same_tree_as_the_tidy_file():
    gov, gov_problems = import_government_table(SHIPPED / "province-2018-gov.xlsx")
    tidy, _ = read_framework(SHIPPED / "province-2018-faithful.xlsx")
    assert tree(gov) == tree(tidy)
    found = Report(gov_problems).flatten(["code", "indicator"])
    assert ["points-sum-mismatch", "1.3"] in found and ["points-inferred", "2.4.2"] in found


def test_import_then_reread_gives_the_same_tree(tmp_path):
    from evalkit.framework import write_framework

    gov, _ = import_government_table(SHIPPED / "province-2018-gov.xlsx")
    out = write_framework(gov, tmp_path / "tidy.xlsx")
    again, _ = read_framework(out)
    assert tree(again) == tree(gov)


def test_workbook_without_the_government_header(workbook):
    path = workbook({"Sheet": [["a", "b"], [1, 2]]})
    fw, problems = import_government_table(path)
    assert fw is None and Report(problems).flatten(["code", "file"]) == [["gov-header-missing", str(path)]]
