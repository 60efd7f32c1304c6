"""Sampling frames: Chinese / English headers, csv and xlsx, and every frame check with its location."""

from __future__ import annotations

import hashlib

from evalkit.config import Category, Unit, UnitList
from evalkit.problems import Report
from evalkit.sampling import column_problems, file_sha256, read_frame, size_problems

ITEMS = [["事项编号", "事项名称", "单位", "类型", "网上可办"],
         ["S001", "身份证换领", "c1-04", "即办件", "是"],
         ["S002", "建设工程规划许可", "c1-05", "承诺件", "否"],
         ["S003", "出生登记", "市公安局", "即办件", "是"]]
CASES = [["办件编号", "事项", "单位", "日期", "联系电话", "办件量"],
         ["B1", "身份证换领", "c1-04", "2024-03-01", "043188881234", 12],
         ["B2", "出生登记", "c1-04", "2024-03-02", "043188885678", 3]]
UNITS = UnitList((Unit("c1-04", "市公安局", "1"), Unit("c1-05", "市国土局", "1")), (Category("1", "一类"),))


def flat(problems, *keys):
    return Report(list(problems)).flatten(keys)


def test_item_frame_with_chinese_headers(workbook):
    frame, problems = read_frame(workbook({"事项清单": ITEMS}), units=UNITS)
    assert problems == []
    assert frame.kind == "items" and frame.sheet == "事项清单"
    assert [r.id for r in frame.rows] == ["S001", "S002", "S003"]
    assert [r.row for r in frame.rows] == [2, 3, 4]
    assert frame.stratum(frame.rows[1], "类型") == "承诺件" == frame.stratum(frame.rows[1], "type")
    assert frame.stratum(frame.rows[2], "unit") == "市公安局"  # cells are kept as written


def test_case_frame_detected_and_english_aliases(workbook):
    rows = [["case_id", "item", "unit", "date", "phone", "volume"]] + CASES[1:]
    frame, problems = read_frame(workbook({"Sheet1": rows}))
    assert problems == [] and frame.kind == "cases"
    assert frame.value(frame.rows[0], "办件量") == 12 and frame.header("size") == "volume"


def test_csv_frame_and_sha256(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in CASES), encoding="utf-8-sig")
    frame, problems = read_frame(path)
    assert problems == [] and frame.kind == "cases" and len(frame.rows) == 2
    assert frame.sha256 == file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert frame.value(frame.rows[0], "联系电话") == "043188881234"


def test_extra_columns_are_kept_not_reported(workbook):
    rows = [ITEMS[0] + ["区域"], ITEMS[1] + ["船营区"]]
    frame, problems = read_frame(workbook({"事项清单": rows}))
    assert problems == [] and frame.stratum(frame.rows[0], "区域") == "船营区"


def test_duplicate_and_missing_ids_are_located(workbook):
    rows = ITEMS + [["S002", "重复", "c1-05", "即办件", "否"], [None, "无编号", "c1-05", "即办件", "否"]]
    path = workbook({"事项清单": rows})
    frame, problems = read_frame(path)
    assert flat(problems, "code", "file", "sheet", "row", "column", "record") == [
        ["frame-id-duplicate", str(path), "事项清单", 5, "事项编号", "S002"],
        ["frame-id-missing", str(path), "事项清单", 6, "事项编号", None]]
    assert "第 3 行已出现" in problems[0].message
    assert [r.id for r in frame.rows] == ["S001", "S002", "S003"]


def test_unknown_unit_with_did_you_mean(workbook):
    rows = ITEMS[:2] + [["S009", "某事项", "c1-4", "即办件", "是"]]
    path = workbook({"事项清单": rows})
    _, problems = read_frame(path, units=UNITS)
    assert flat(problems, "code", "sheet", "row", "column") == [["frame-unit-unknown", "事项清单", 3, "单位"]]
    assert "c1-04" in problems[0].message


def test_empty_frame(workbook):
    path = workbook({"事项清单": ITEMS[:1]})
    frame, problems = read_frame(path)
    assert flat(problems, "code", "file", "sheet") == [["frame-empty", str(path), "事项清单"]]
    assert frame.rows == ()


def test_missing_id_column_and_missing_file(workbook, tmp_path):
    path = workbook({"事项清单": [["名称", "单位"], ["x", "c1-04"]]})
    frame, problems = read_frame(path)
    assert frame is None and flat(problems, "code", "row", "column") == [["column-missing", 1, "事项编号"]]
    frame, problems = read_frame(tmp_path / "nope.xlsx")
    assert frame is None and problems[0].code == "file-missing"


def test_columns_a_design_needs(workbook):
    frame, _ = read_frame(workbook({"事项清单": ITEMS}))
    assert column_problems(frame, "类型", "分层需要") == []
    found = column_problems(frame, "size", "PPS 需要规模。")
    assert flat(found, "code", "column") == [["frame-column-needed", "size"]]
    found = column_problems(frame, "区域", "分层需要。")
    assert found[0].code == "frame-column-needed" and "区域" in found[0].message


def test_bad_pps_sizes_are_located(workbook):
    rows = CASES + [["B3", "x", "c1-04", "2024-03-03", "", 0], ["B4", "x", "c1-04", "", "", -2],
                    ["B5", "x", "c1-04", "", "", "很多"], ["B6", "x", "c1-04", "", "", None]]
    path = workbook({"办件记录": rows})
    frame, problems = read_frame(path)
    assert problems == []
    found = size_problems(frame, "办件量")
    assert flat(found, "code", "file", "sheet", "row", "column", "record") == [
        ["frame-size-invalid", str(path), "办件记录", r, "办件量", rid] for r, rid in
        ((4, "B3"), (5, "B4"), (6, "B5"), (7, "B6"))]
    assert "「很多」" in found[2].message
