"""Formula injection (issue 9): no workbook evalkit writes ever holds a formula made from text.

``evalkit.io.xlsx.put`` stores text starting with = + - @ as text; ``evalkit.io.xlsx.save``
neutralises whatever reached a sheet another way; and every workbook in the package is
saved through ``evalkit.io.xlsx.save`` (checked below by reading the source)."""

from __future__ import annotations

import ast
from pathlib import Path

import openpyxl

from evalkit.io import xlsx

PACKAGE = Path(__file__).resolve().parent.parent / "evalkit"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "\t=1", "正常文字"]


def test_text_written_any_way_is_saved_as_text(tmp_path):
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("数据")
    ws.append(HOSTILE)                       # appended
    for c, value in enumerate(HOSTILE, start=1):
        ws.cell(row=2, column=c, value=value)  # set directly
        xlsx.put(ws, 3, c, value)              # through put
    ws.append([3, -4.5, None])                 # numbers stay numbers
    path = xlsx.save(wb, tmp_path / "x.xlsx")
    back = openpyxl.load_workbook(path)["数据"]
    for row in (1, 2, 3):
        cells = [back.cell(row=row, column=c) for c in range(1, len(HOSTILE) + 1)]
        assert [c.value for c in cells] == HOSTILE
        assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells]
        assert all(c.quotePrefix for c in cells[:-1])
    assert [back.cell(row=4, column=c).value for c in (1, 2)] == [3, -4.5]
    assert back.cell(row=4, column=1).data_type == "n"


def _workbook_saves_outside_xlsx() -> list[str]:
    """Calls ``<something>.save(...)`` on an openpyxl workbook anywhere but evalkit/xlsx.py."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "xlsx.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "save"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("wb", "workbook", "book")):
                found.append(f"{path.name}:{node.lineno}")
    return found


# evalkit.io.xlsx_stream writes the report's large sheets as a write-only workbook (rows straight to
# XML, no cell objects for neutralise() to visit); every value goes through its own text-cell writer,
# and tests/test_reports.py opens the report again and asserts that no cell anywhere is a formula.
# evalkit.io.xlsx_made saves such a workbook (made of xlsx_stream sheets) only to read what a sheet's XML has after
# its rows, in a forked child: that file is never an output, and the rows it gives are checked by the workbook that
# takes them (tests/test_rerun_ahead.py: the same bytes as one process).
WRITE_ONLY_WITH_OWN_TEST = {"xlsx_stream.py", "xlsx_made.py"}


def test_every_workbook_is_saved_through_xlsx_save():
    outside = [where for where in _workbook_saves_outside_xlsx() if where.split(":")[0] not in WRITE_ONLY_WITH_OWN_TEST]
    assert outside == []


def test_the_same_content_gives_the_same_bytes_whenever_it_is_saved(tmp_path, monkeypatch):
    import time

    def build():
        wb = xlsx.new_workbook()
        xlsx.write_table(wb.create_sheet("表"), ["编号", "名称"], [["1", "市编办"], ["2", "=1+1"]])
        return wb

    first = xlsx.save(build(), tmp_path / "a.xlsx").read_bytes()
    real = time.localtime
    monkeypatch.setattr(time, "localtime", lambda *a: real(time.time() + 86400 * 400))  # another day, another year
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)
    second = xlsx.save(build(), tmp_path / "b.xlsx").read_bytes()
    assert first == second
    assert openpyxl.load_workbook(tmp_path / "b.xlsx")["表"]["B3"].value == "=1+1"


def test_printable_text_is_left_as_it_is_because_nothing_it_holds_is_taken_out():
    """plain_text returns printable text as it is (most answers): every character the cleaning takes out or
    changes — controls, surrogates, non-characters, carriage returns — is not printable, checked over all of
    Unicode, and the cleaning leaves printable text alone."""
    taken = [chr(c) for c in range(0x110000) if xlsx.NOT_IN_CELLS.match(chr(c)) or chr(c) == "\r"]
    assert len(taken) > 2000 and not [ch for ch in taken if ch.isprintable()]
    for text in ["态度很好，一次办成。", "a < b & c", "😀 𠀀", "\u00a0不换行空格", "全角　空格", ""]:
        assert xlsx.plain_text(text) == xlsx.NOT_IN_CELLS.sub("", text) == text
