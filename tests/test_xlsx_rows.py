"""The evidence workbook's large sheets are rendered in blocks (``evalkit.io.xlsx_rows.add_rows``): the file must
be byte for byte the one ``Sheet.add`` writes cell by cell, which stays as the reference (and still writes the
small sheets with coloured cells)."""

from __future__ import annotations

import datetime as dt
import random

import openpyxl
import pytest

from evalkit.io.xlsx import cell_text
from evalkit.io.xlsx_rows import BLOCK, add_columns, add_rows
from evalkit.io.xlsx_stream import Sheet, stream_workbook

HEADERS = ["记录编号", "单位编号", "调查工具", "字段", "行", "内容", "数值", "日期"]
WIDTHS = [34, 10, 20, 26, 5, 80, 9, 11]
ANSWERS = ["无", "态度很好，一次办成。", "窗口人员说“材料不全”，让我 <下次> 再来 & 补交", "=HYPERLINK(\"http://x\")",
           "+86 138 1234 5678", "-3 分", "@某人", "\t以制表符开头", "第一行\r\n第二行\r第三行", "含\x0c换页符与\x00空字符",
           "非字符\ufffe与\U0010ffff", "Ünïcödé ascii mixed 长长的文字" * 6, "😀 表情与 CJK 扩展 B 𠀀𠀁", "",
           "  ", "&amp; 已经转义的 &lt;", "a" * 40, "词" * 300]


def _rows(n: int, seed: int = 19) -> list[list]:
    """Rows like the 文字记录 sheet's, with every kind of value a cell can get."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        record = f"{rng.randrange(16 ** 8):08x}" * 4
        answer = rng.choice(ANSWERS) if rng.random() < 0.7 else f"第 {i} 条：{rng.choice(ANSWERS)[:30]}{i % 97}"
        number = rng.choice([None, 0, 1, -2, 3.5, 1e-7, 12345678901234, float("nan"), float("inf"), True, False, 1.0])
        date = rng.choice([None, "", dt.date(2018, 11, 20), dt.datetime(2018, 11, 20, 9, 30), "2018-11-21"])
        rows.append([record, f"c{i % 7}-0{i % 3}", rng.choice(["服务对象抽查（citizen_check）", "电话征询（hotline_test）"]),
                     rng.choice(["意见（comment）", "备注（note）", "=说明（note）"]), rng.choice([None, 1, 2, 12]),
                     answer, number, date])
    for i in range(5, n, 9973):  # a few answers past Excel's 32,767 characters: cut, with a mark
        rows[i][5] = "超长" * 17000
    return rows


def _one_by_one(sheet, rows) -> None:
    for r in rows:
        sheet.add(r)


def _write(path, rows, add=add_rows, *, name="文字记录", heading="测试 & 证据", wrap=frozenset({2, 3, 5}),
           **options) -> bytes:
    """The bytes of a workbook of one sheet whose ``rows`` are given by ``add(sheet, rows)`` (:func:`_one_by_one`:
    ``Sheet.add`` per row, the reference)."""
    def sheets(wb):
        sheet = Sheet(wb, name, HEADERS, WIDTHS, heading=heading, wrap=set(wrap), **options)
        add(sheet, rows)
        sheet.finish()
        yield sheet
    return stream_workbook(path, sheets).read_bytes()


def test_a_large_sheet_in_blocks_has_the_bytes_of_one_cell_at_a_time(tmp_path):
    rows = _rows(50_000)
    reference = _write(tmp_path / "one-by-one.xlsx", rows, _one_by_one, numbers={6: "0.00"})
    assert _write(tmp_path / "blocks.xlsx", rows, numbers={6: "0.00"}) == reference
    wb = openpyxl.load_workbook(tmp_path / "blocks.xlsx", read_only=True)
    got = list(wb["文字记录"].iter_rows(min_row=2))
    wb.close()
    assert len(got) == 50_000
    assert not [c.coordinate for r in got for c in r if c.data_type == "f"]  # no cell is ever a formula
    for row, back in zip(rows, got):
        assert [c.value for c in back[:2]] == row[:2] and back[4].value == row[4]
        assert back[5].value == (cell_text(row[5]) or None)  # the text, cleaned and cut where too long


@pytest.mark.parametrize("shape", ["short", "ragged", "new-style-late", "every-row"])
def test_blocks_fall_back_to_rows_in_order_where_needed(tmp_path, shape):
    """Rows of different lengths, a style first needed deep into the sheet, every row with its height."""
    rows = _rows(BLOCK * 2 + 17, seed=7)
    if shape == "short":
        rows = rows[:3]
    elif shape == "ragged":
        rows = [r[: 3 + i % 6] for i, r in enumerate(rows)]
    elif shape == "new-style-late":
        rows = [[r[0], r[1], r[2], r[3], r[4], "普通文字", 1, None] for r in rows]
        rows[BLOCK + 5][5] = "=1+1"       # the quote-prefix style appears only in the second block
        rows[BLOCK + 9][6] = "不是数字"
    options = {"name": "表", "heading": "h", "wrap": {5}, "every_row": shape == "every-row"}
    assert (_write(tmp_path / "b.xlsx", rows, lambda sheet, rows: add_rows(sheet, iter(rows)), **options)
            == _write(tmp_path / "a.xlsx", rows, _one_by_one, **options))


def test_rows_given_column_by_column_have_the_bytes_of_one_cell_at_a_time(tmp_path):
    """``add_columns``: blocks of any size (the 文字记录 sheet's end where a record ends), each as its columns."""
    rows = _rows(9_000, seed=3)
    reference = _write(tmp_path / "one-by-one.xlsx", rows, _one_by_one, numbers={6: "0.00"})
    sizes = [1, 2500, 1999, 7, 3000]  # ragged blocks, one past BLOCK, the rest
    blocks, at = [], 0
    for size in sizes + [len(rows)]:
        part = rows[at:at + size]
        if part:
            blocks.append([list(c) for c in zip(*part)])
        at += size
    assert _write(tmp_path / "columns.xlsx", rows, lambda sheet, _: add_columns(sheet, iter(blocks)),
                  numbers={6: "0.00"}) == reference
    with pytest.raises(ValueError, match="differ in length"):
        def bad(wb):
            sheet = Sheet(wb, "表", HEADERS, WIDTHS, heading="h")
            add_columns(sheet, [[["a", "b"], ["c"]]])
            yield sheet
        stream_workbook(tmp_path / "bad.xlsx", bad)


@pytest.mark.parametrize("every", [False, True])
def test_row_heights_come_from_the_wrapped_columns_that_need_more_than_one_line(tmp_path, every):
    """Blocks where no wrapped column has a cell of two lines, where one of three has, where several have (a row is
    as high as its highest cell): the heights of ``Sheet.add``, with and without a height on every row."""
    rng = random.Random(11)
    short, long = ["无", "一次办成", "=说明", "x" * 10], ["很长的意见" * 12, "第一行\n第二行", "w" * 200]
    rows = []
    for i in range(BLOCK * 5):
        # block 0 (written row by row: it makes the styles): anything; 1: all short; 2: only the text column tall
        # (two lines at most); 3: every wrapped column; 4: mixed
        kind = i // BLOCK
        tall = [kind == 3 or (kind in (0, 4) and rng.random() < 0.1), kind == 3 or (kind == 0 and rng.random() < 0.5),
                kind in (2, 3) or (kind == 0 and rng.random() < 0.5)]
        rows.append([f"r{i}", "u", rng.choice(long if tall[0] else short), rng.choice(long if tall[1] else short),
                     i % 5, rng.choice((long[:2] if kind == 2 else long) if tall[2] else short), None, None])

    def in_blocks(sheet, rows):
        add_columns(sheet, ([list(c) for c in zip(*rows[at:at + BLOCK])] for at in range(0, len(rows), BLOCK)))
    options = {"name": "表", "heading": "h", "every_row": every}
    assert _write(tmp_path / "b.xlsx", rows, in_blocks, **options) == _write(tmp_path / "a.xlsx", rows, _one_by_one, **options)
