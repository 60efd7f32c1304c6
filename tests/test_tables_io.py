"""evalkit.io.tables read as a person reads: headers without white space, merged cells filled,
near column names taken with a note; and evalkit.io.sniff naming what a non-workbook file is."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from conftest import make_workbook

from evalkit.io import tables
from evalkit.io.sniff import what_it_seems

SPEC = {"no": ("序号",), "title": ("三级指标",), "deadline": ("完成时限",), "note": ("备注",)}


def test_headers_match_without_any_white_space():
    assert tables.header_key("序　号") == tables.header_key("序 号") == tables.header_key("序号") == "序号"
    assert tables.header_key("完成\n时限") == "完成时限" and tables.header_key("Ｅ－ｍａｉｌ") == "e-mail"
    table = tables.Table("f", "s", 3, ("序　号", "三 级 指 标", "完成\n时限", " 备注\u3000"), ())
    cols, problems = tables.map_columns(table, SPEC, ("no", "title", "note"))
    assert problems == [] and cols.index == {"no": 0, "title": 1, "deadline": 2, "note": 3}
    assert cols.header["deadline"] == "完成\n时限"          # messages name the column as the sheet writes it


def test_a_near_name_is_taken_only_when_asked_and_unambiguous():
    table = tables.Table("f", "s", 3, ("序号", "三级指标", "完成时间", "备注"), ())
    _, problems = tables.map_columns(table, SPEC, ("no", "deadline"))
    assert [p.code for p in problems] == ["column-missing", "column-unknown"]
    cols, problems = tables.map_columns(table, SPEC, ("no", "deadline"), near=True)
    assert cols.index["deadline"] == 2 and [(p.code, p.severity, p.row, p.column) for p in problems] == [
        ("column-near-name", "warning", 3, "完成时间")]
    two = tables.Table("f", "s", 1, ("序号", "完成时间", "完成时刻"), ())
    _, problems = tables.map_columns(two, SPEC, ("deadline",), near=True)
    assert [p.code for p in problems][:1] == ["column-missing"]


def test_merged_cells_are_filled_and_remembered(tmp_path):
    path = make_workbook(tmp_path / "m.xlsx", {"表": [
        ["标题"], ["序号", "三级指标", "完成时限", "备注"], [1, "a", "2018年9月30日", "不涉及"], [2, "b", None, None],
        [3, "c", "2018年10月31日", None], ["注：本表由各单位填写", None, None, None]]},
        merges={"表": ["A1:D1", "C3:C4", "D3:D5", "A6:D6"]})
    ws = openpyxl.load_workbook(path)["表"]
    plain = tables.sheet_table(ws, str(path), ("序号",))
    assert plain.rows[1] == (4, (2, "b", "", "")) and plain.merged == {}
    filled = tables.sheet_table(ws, str(path), ("序号",), fill_merged=True)
    assert [cells for _, cells in filled.rows][:3] == [
        (1, "a", "2018年9月30日", "不涉及"), (2, "b", "2018年9月30日", "不涉及"), (3, "c", "2018年10月31日", "不涉及")]
    assert filled.merged[(4, 2)] == (3, 2) and filled.merged[(5, 3)] == (3, 3) and filled.merged[(6, 3)] == (6, 0)
    assert (1, 1) not in filled.merged                      # the title above the header is left alone


@pytest.mark.parametrize("content, seems", [
    (lambda p: p.write_bytes(b"%PDF-1.4"), "PDF"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n"), "图片（PNG）"),
    (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0"), "图片（JPEG）"),
    (lambda p: p.write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8"), "网页"),
    (lambda p: p.write_text("序号\t名称\n1\t甲\n", encoding="gb18030"), "制表符分隔"),
    (lambda p: p.write_text("本表已作废。", encoding="utf-8"), "纯文本"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le")), "密码"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le")), "Word 97–2003"),
    (lambda p: _zip(p, {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "x"}), ".ods"),
    (lambda p: _zip(p, {"a.xlsx": "x", "b.xlsx": "y"}), "zip 压缩包（含 2 个文件"),
    (lambda p: _zip(p, {"xl/workbook.xml": "<broken", "[Content_Types].xml": "<x/>"}), "已损坏"),
    (lambda p: p.write_bytes(b"PK\x03\x04truncated"), "不完整或已损坏"),
    (lambda p: p.write_bytes(bytes([0, 1, 2, 3, 250])), "开头的字节为 00 01 02 03"),
])
def test_a_non_workbook_is_named_for_what_it_seems(tmp_path, content, seems):
    path = tmp_path / "交回的表.xlsx"
    content(path)
    assert seems in what_it_seems(path)
    wb, problems = tables.open_workbook(path)
    assert wb is None and [p.code for p in problems] == ["file-not-workbook"] and seems in problems[0].message


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)


def test_a_csv_with_bare_carriage_returns_is_read_not_a_traceback(tmp_path):
    """Old Mac line ends (a bare \\r) are line ends; the fuzz test found b'\\r\\x01' raising csv.Error."""
    path = tmp_path / "units.csv"
    path.write_bytes("编号,名称\r c1-01,市编办\r".encode())
    table, problems = tables.csv_table(path)
    assert problems == [] and table.headers == ("编号", "名称") and table.rows == ((2, ("c1-01", "市编办")),)
    path.write_bytes(b"\r\x01")
    table, problems = tables.csv_table(path)
    assert problems == [] and table.headers == ()
