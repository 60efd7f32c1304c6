"""Writing workbooks safely and readably.

Every cell evalkit writes goes through :func:`put`, so text from users or
from the field never becomes a formula: a string starting with ``=``, ``+``,
``-`` or ``@`` is stored as a text cell (and shown with Excel's quote
prefix).  Text is made fit for a cell first (:func:`cell_text`): control
characters and non-characters that XML cannot hold (a pasted form feed,
U+FFFE) are removed — one of them would make the whole file unreadable — and
text longer than Excel's 32,767-character cell limit is cut, with a mark
saying how long it was.  Sheets get a Chinese font, a bold frozen header,
column widths that fit CJK text and print titles.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from evalkit.io.xlsx_deflate import LEVEL, Deflater, Predeflated, at_level, copies_as_is, write_deflated

FONT_NAME = "Noto Sans CJK SC"
CELL_LIMIT = 32767  # Excel's most characters (UTF-16 code units) in one cell
CUT_MARK = "…［已截断：原文共 {length} 字，超出 Excel 单元格 32767 字的上限］"
# C0 controls but tab and newline, C1 controls, lone surrogates, and the non-characters (U+FDD0–U+FDEF and
# U+xFFFE / U+xFFFF of every plane): XML 1.0 cannot hold most of them and none belongs in a report
NOT_IN_CELLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                          + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
                                    for plane in range(17)) + "]")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def display_width(value: object) -> int:
    """Width of a value in monospace cells: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _units(text: str) -> int:
    """Length in UTF-16 code units (what Excel counts): a character outside the BMP counts two."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def plain_text(value: str) -> str:
    """Text without control characters and non-characters (\\r\\n and \\r become \\n; tab and newline stay)."""
    if value.isprintable():  # none of them (they are all of Unicode's categories Cc, Cs and Cn), nor \r: most text
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return NOT_IN_CELLS.sub("", value)


def cell_text(value: str) -> str:
    """Text fit for a cell: :func:`plain_text`, and text above :data:`CELL_LIMIT` cut with :data:`CUT_MARK`
    (the cut keeps whole characters)."""
    value = plain_text(value)
    length = _units(value)
    if length <= CELL_LIMIT:
        return value
    mark = CUT_MARK.format(length=len(value))
    room = CELL_LIMIT - _units(mark)
    head = value[:room]
    while _units(head) > room:
        head = head[:-max(1, (_units(head) - room) // 2)]
    return head + mark


def put(ws, row: int, column: int, value: object, *, text: bool = False, bold: bool = False):
    """Write one cell; strings are always text, never formulas, and fit for a cell (:func:`cell_text`)."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        value = ""
    if isinstance(value, str):
        value = cell_text(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    if text:
        cell.number_format = "@"
    cell.font = Font(name=FONT_NAME, bold=bold)
    return cell


def write_table(ws, headers: Sequence[str], rows: Iterable[Sequence[object]], *,
                text_columns: Iterable[int] = (), wrap_columns: Iterable[int] = (), max_width: int = 60) -> None:
    """Header row plus data rows, with widths, frozen header, filter and print titles."""
    text_columns, wrap_columns = set(text_columns), set(wrap_columns)
    widths = [display_width(h) + 2 for h in headers]
    for c, h in enumerate(headers, start=1):
        cell = put(ws, 1, c, h, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    r = 1
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = put(ws, r, c, value, text=(c - 1) in text_columns)
            if (c - 1) in wrap_columns:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[c - 1] = max(widths[c - 1], min(display_width(value) + 2, max_width))
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(w, max_width)
    ws.freeze_panes = "A2"
    if r > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{r}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def neutralise(wb: Workbook) -> int:
    """Turn any cell openpyxl would write as a formula into text; returns how many there were.

    evalkit never writes formulas on purpose.  :func:`put` already stores text starting with
    ``= + - @`` as text; this pass at save time is the net under every other way a cell can
    get a value (``ws.append``, ``ws.cell(value=…)``), so field text can never become a
    formula such as ``=HYPERLINK(…)`` in any workbook evalkit writes.
    """
    count = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)
                                             and not cell.quotePrefix):
                    value = cell.value if isinstance(cell.value, str) else str(cell.value)
                    cell.value = value
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    count += 1
    return count


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes that depend on its content only.

    openpyxl stamps the save time into docProps/core.xml and into every zip entry; both
    are fixed here (2000-01-01), so the same content gives the same bytes (reruns compare
    output hashes).  Formulas are neutralised first (:func:`neutralise`).
    """
    raw = io.BytesIO()
    _save_raw(wb, raw)
    raw.seek(0)
    out = io.BytesIO()
    fixed_zip(raw, out)
    return out.getvalue()


def _save_raw(wb: Workbook, target) -> None:
    """openpyxl's own save, formulas neutralised and the document properties fixed first."""
    neutralise(wb)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "evalkit"
    wb.save(target)


def fixed_zip(src, dst, splice: dict | None = None, *, external_attr: int | None = None, level: int = LEVEL) -> None:
    """Copy the .xlsx zip ``src`` into ``dst`` (paths or binary files), entry by entry, dated 2000-01-01.

    openpyxl stamps the time of saving into every zip entry and into ``dcterms:modified`` of
    docProps/core.xml; both are fixed here.  Entries are streamed (1 MB at a time), so a
    large workbook never has to be held in memory.  ``splice`` maps an entry name (a sheet,
    ``xl/worksheets/sheet3.xml``) to a binary file whose bytes go in just before the entry's
    ``</sheetData>`` (rows written as sheet XML elsewhere: :mod:`evalkit.io.xlsx_stream`).
    The bytes are those of ``ZipFile.writestr`` with the whole entry: deflate gives the same
    output however its input is cut, and the entry's size is set before it is written so
    the zip64 choice is the same.  A spliced entry may also be a :class:`~evalkit.io.xlsx_deflate.Deflater`
    that deflated the entry's first part and its rows already: when that first part is the entry's own up to
    ``</sheetData>``, the rest is added and the entry copied as it is (:func:`~evalkit.io.xlsx_deflate.write_deflated`:
    the same bytes); else its rows are decompressed and spliced in as above.  Or a
    :class:`~evalkit.io.xlsx_deflate.Predeflated` entry, deflated whole elsewhere: copied as it is when both its first
    and its last part are the entry's own, else its rows spliced in decompressed.
    ``external_attr`` replaces the entries' own (file mode bits); every entry is deflated at zlib's ``level``.
    """
    splice = splice or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            at_level(entry, level)
            entry.external_attr = info.external_attr if external_attr is None else external_attr
            rows = splice.get(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock at save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z",
                              zin.read(info.filename))
                zout.writestr(entry, data)
            elif rows is not None:
                head, end, tail = zin.read(info.filename).partition(b"</sheetData>")
                if not end:
                    raise RuntimeError(f"{info.filename}: no sheetData to extend")
                if isinstance(rows, (Deflater, Predeflated)):
                    if rows.head == head and rows.ends_with(end + tail) and rows.level == level and copies_as_is(level):
                        write_deflated(zout, entry, rows.finish(end + tail))
                        continue
                    with rows.rows_file() as decompressed:
                        _write_spliced(zout, entry, head, decompressed, end + tail)
                    continue
                _write_spliced(zout, entry, head, rows, end + tail)
            else:
                entry.file_size = info.file_size
                with zin.open(info) as fin, zout.open(entry, "w") as out:
                    shutil.copyfileobj(fin, out, 1 << 20)


def _write_spliced(zout: zipfile.ZipFile, entry: zipfile.ZipInfo, head: bytes, rows, tail: bytes) -> None:
    """``head``, the binary file ``rows`` from its start, then ``tail``, as ``entry`` (its size set first)."""
    size = rows.seek(0, 2)
    rows.seek(0)
    entry.file_size = len(head) + size + len(tail)
    with zout.open(entry, "w") as out:
        out.write(head)
        shutil.copyfileobj(rows, out, 1 << 20)
        out.write(tail)


def save(wb: Workbook, path):
    """Save reproducibly (:func:`workbook_bytes`) to a path (atomically) or a file object; never a formula.

    To a path, the workbook goes through a temporary file next to it and is re-dated from
    file to file (:func:`fixed_zip`): the same bytes as :func:`workbook_bytes`, without
    holding them in memory.
    """
    if not isinstance(path, (str, Path)):  # a file object (e.g. BytesIO for a download)
        path.write(workbook_bytes(wb))
        return path
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tempfile.TemporaryFile(dir=path.parent) as raw:
            _save_raw(wb, raw)
            raw.seek(0)
            with open(tmp, "wb") as out:
                fixed_zip(raw, out)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
