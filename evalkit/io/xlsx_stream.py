"""Large workbooks written as a stream: sheets whose rows go to a spool file as sheet XML, zipped file to file.

A :class:`Sheet` is set up by openpyxl (write-only mode: widths, frozen header,
filter, print titles, page setup, styles) and its rows are written as sheet XML
by :meth:`Sheet.add` into a spool file, spliced in when saving
(:func:`save_workbook`, streaming from file to file with
:func:`evalkit.io.xlsx.fixed_zip`): openpyxl needs ~10 µs per cell, and a
province-scale workbook has 1.7 million rows — held in memory, they took
gigabytes.  :func:`stream_workbook` makes the workbook, its sheets and the file
in one call.

No row is ever written as a formula: strings are inline text (those starting
with ``=`` ``+`` ``-`` ``@`` get Excel's quote prefix, like
:func:`evalkit.io.xlsx.put`), numbers are numbers, and text is fit for a cell
(:func:`evalkit.io.xlsx.cell_text`: control characters and non-characters removed,
at most 32,767 characters with a mark where it was cut).  Row heights fit the
wrapped text, measured for the report font (:data:`LINE_HEIGHT`).  The same content
gives the same bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import io
import math
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.pagebreak import Break

from evalkit.io.xlsx import FONT_NAME, FORMULA_STARTS, HEADER_FILL, fixed_zip
from evalkit.io.xlsx_deflate import DEFLATE_LEVEL, LEVEL, Deflater, Predeflated
from evalkit.io.xlsx_text import clean_text, usable_width, wrapped_lines, xml_escape

FONT = Font(name=FONT_NAME, size=10)
BOLD = Font(name=FONT_NAME, size=10, bold=True)
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
# Noto Sans CJK SC at 10 pt: ascent 1.160 em + descent 0.288 em = 14.5 pt a line (Excel and LibreOffice both
# lay out lines by these metrics; 12.75, the Calibri figure, cut the last line of long messages off)
LINE_HEIGHT = 14.5
ROW_PADDING = 4.0
MAX_ROW_HEIGHT = 409.0  # Excel's largest row height
SHORT_TEXT = 16383  # at most 32,767 UTF-16 units whatever the characters: no need to measure
SPOOL_IN_MEMORY = 8 << 20  # a sheet's rows stay in memory up to 8 MB of XML, then are deflated as they come
# where the spools go: the folder of the workbook being written (not /tmp, which may be RAM)
SPOOL_DIR: contextvars.ContextVar = contextvars.ContextVar("evalkit_report_spool", default=None)
# the sheets made for the workbook being written (:func:`stream_workbook` closes those it does not save)
_MADE: contextvars.ContextVar = contextvars.ContextVar("evalkit_report_sheets", default=None)


_STYLES: dict[tuple, object] = {}


def cell(ws, value: object, *, bold: bool = False, number: str | None = None, fill: str | PatternFill | None = None,
         wrap: bool = False, font: Font | None = None) -> WriteOnlyCell:
    """One write-only cell; strings are always text, never formulas."""
    if isinstance(value, str):
        value = clean_text(value)
    c = WriteOnlyCell(ws, value="" if value is None else value)
    quote = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if quote:
        c.data_type = "s"
    number = number if isinstance(value, (int, float)) else None
    fill_colour = fill.fgColor.rgb if isinstance(fill, PatternFill) else fill
    key = (id(ws.parent), font.b if font else None, bold, number, fill_colour or "", wrap, quote)
    cached = _STYLES.get(key)
    if cached is not None:  # setting styles one by one hashes them every time: slow for 10⁶ cells
        c._style = copy(cached)
        return c
    c.quotePrefix = quote
    c.font = font or (BOLD if bold else FONT)
    c.border = GRID
    c.alignment = WRAP if wrap else TOP
    if number:
        c.number_format = number
    if fill_colour:
        c.fill = PatternFill("solid", fgColor=fill_colour)
    _STYLES[key] = copy(c._style)
    return c


class Sheet:
    """A write-only sheet with one header row: widths, frozen header, filter, print titles, landscape.

    Rows (:meth:`add`) go as UTF-8 sheet XML into a spool — in memory while small, else a
    temporary file in the workbook's folder (:data:`SPOOL_DIR`) — and are
    spliced into the sheet when saving (:func:`save_workbook`): a province-scale workbook has
    1.7 million rows, which as Python strings took gigabytes.  Past :data:`SPOOL_IN_MEMORY`
    the sheet's XML — the part openpyxl writes before the rows (:attr:`head`), then the rows —
    is deflated in a thread as the rows come (:class:`evalkit.io.xlsx_deflate.Deflater`) and
    copied into the zip as it is.
    """

    def __init__(self, wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[float], *,
                 heading: str, wrap: Iterable[int] = (), numbers: dict[int, str] | None = None,
                 every_row: bool = False) -> None:
        self.ws = wb.create_sheet(title)
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=SPOOL_DIR.get())
        self.deflater: Deflater | Predeflated | None = None
        self.deflate_into: str | None = None  # a file to deflate the rows into, kept (xlsx_made.made_rows)
        made = _MADE.get()
        if made is not None:
            made.append(self)
        self._pending: list[str] = []
        self._style_ids: dict[tuple, int] = {}
        self.letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
        self.headers, self.wrap, self.numbers = list(headers), set(wrap), dict(numbers or {})
        self.widths = list(widths)
        self.every_row = every_row  # give one-line rows their height too (a spreadsheet then refits nothing)
        # columns whose text wraps, with their usable width in widths of "0"
        self._usable = [(i, usable_width(self.widths[i])) for i in sorted(self.wrap) if i < len(self.widths)]
        self.usable_at = dict(self._usable)
        self._lines: dict[int, dict[str, int]] = {i: {} for i in range(len(self.widths))}  # column -> text -> lines
        ws = self.ws
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddHeader.center.text = heading.replace("&", "&&")  # & starts a header code
        ws.oddHeader.center.font = FONT_NAME
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.font = FONT_NAME
        height = self._height(headers, [(i, usable_width(self.widths[i])) for i in range(len(headers))])
        if height:
            ws.row_dimensions[1].height = height
        header = [cell(ws, h, bold=True, fill=HEADER_FILL, wrap=True) for h in headers]
        outline = ws.column_dimensions.max_outline  # openpyxl sets it when it writes the columns
        ws.append(header)  # openpyxl writes the sheet's XML up to this row now
        self.rows = 1
        self.head = _head(ws, header, outline)

    def _height(self, values: Sequence[object], usable_widths=None) -> float | None:
        """Row height for wrapped text: Excel keeps a row at its default height whatever it holds, and
        LibreOffice refits a row without a height from every cell (a glyph from a fallback font makes it taller)."""
        lines = 1
        count = len(values)
        for i, usable in (self._usable if usable_widths is None else usable_widths):
            if i < count:
                value = values[i]
                if not isinstance(value, str) or not value:
                    continue
                if 2 * len(value) <= usable and "\n" not in value and "\t" not in value:
                    continue  # one line whatever the characters: no need to measure
                seen = self._lines[i]  # the same titles and labels come back row after row
                n = seen.get(value)
                if n is None:
                    if len(seen) >= 20000:
                        seen.clear()
                    n = seen[value] = wrapped_lines(value, usable)
                if n > lines:
                    lines = n
        return min(LINE_HEIGHT * lines + ROW_PADDING, MAX_ROW_HEIGHT) if lines > 1 or self.every_row else None

    def add(self, values: Sequence[object], *, fill=None, bold: bool = False,
            fills: dict[int, str] | None = None) -> None:
        """One row, written as sheet XML text and spliced in when saving (:func:`save_workbook`).

        openpyxl spends ~10 µs per cell building XML elements, and a province-scale
        evidence sheet has a million cells.  The cells are those :func:`cell`
        makes (the style ids come from cells built by it), only written directly:
        strings as inline text — never formulas — and numbers as numbers.
        """
        r = self.rows + 1
        height = self._height(values)
        parts = [f'<row r="{r}" ht="{height:g}" customHeight="1">' if height else f'<row r="{r}">']
        append = parts.append
        ids = self._style_ids
        letters = self.letters
        base = fill.fgColor.rgb if isinstance(fill, PatternFill) else (fill or "")
        colour = base
        for i, v in enumerate(values):
            ref = f"{letters[i]}{r}"
            if fills:
                f = fills.get(i) or fill
                colour = f.fgColor.rgb if isinstance(f, PatternFill) else (f or "")
            if isinstance(v, str) and v:
                text = v if v.isprintable() and len(v) <= SHORT_TEXT else clean_text(v)
                key = (i, text.startswith(FORMULA_STARTS), None, colour, bold)
                sid = ids.get(key)
                if sid is None:
                    sid = self._style(i, text, colour, bold)
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                append(f'<c r="{ref}" s="{sid}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
                continue
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            if isinstance(v, bool) or v is None or v == "":
                sid = ids.get((i, False, None, colour, bold))
                append(f'<c r="{ref}" s="{self._style(i, "", colour, bold) if sid is None else sid}"/>')
            elif isinstance(v, (int, float)):
                sid = ids.get((i, False, self.numbers.get(i), colour, bold))
                append(f'<c r="{ref}" s="{self._style(i, 0, colour, bold) if sid is None else sid}" t="n">'
                       f'<v>{v!r}</v></c>')
            else:
                text = clean_text(str(v))
                append(f'<c r="{ref}" s="{self._style(i, text, colour, bold)}" t="inlineStr"><is>'
                       f'<t xml:space="preserve">{xml_escape(text)}</t></is></c>')
        append("</row>")
        self._pending.append("".join(parts))
        self.rows += 1
        if len(self._pending) >= 2000:
            self._flush()

    def style(self, column: int, value: object, *, create: bool = True) -> int | None:
        """The style id :meth:`add` gives a cell of ``column`` without fill or bold holding ``value`` (non-empty
        text, a number, or ``""`` for an empty cell); ``None`` when it is not made yet and not ``create``."""
        quote = isinstance(value, str) and value.startswith(FORMULA_STARTS)
        key = (column, quote, self.numbers.get(column) if isinstance(value, (int, float)) else None, "", False)
        sid = self._style_ids.get(key)
        if sid is None and create:
            sid = self._style(column, value, "", False)
        return sid

    def add_xml(self, xml: bytes, rows: int) -> None:
        """``rows`` rows already written as sheet XML in UTF-8 (:func:`evalkit.io.xlsx_rows.add_rows`), numbered
        from the next row on."""
        self._flush()
        self._write(xml)
        self.rows += rows

    def _write(self, xml: bytes) -> None:
        if self.deflater is not None:
            self.deflater.write(xml)
            return
        self.spool.write(xml)
        if self.spool.tell() > SPOOL_IN_MEMORY and self.head is not None:  # from now on deflated as it comes
            self.deflater = Deflater(self.head, SPOOL_DIR.get(), into=self.deflate_into)
            self.spool.seek(0)
            self.deflater.write(self.spool.read())
            self.spool.close()

    def _flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending).encode("utf-8"))
            self._pending.clear()

    def rows_file(self):
        """Every row after the header as sheet XML (UTF-8): the spool, ready to read from the start, or the
        :class:`~evalkit.io.xlsx_deflate.Deflater` the rows went to (:func:`evalkit.io.xlsx.fixed_zip` takes both)."""
        self._flush()
        if self.deflater is not None:
            return self.deflater
        self.spool.seek(0)
        return self.spool

    def close(self) -> None:
        self._pending.clear()
        self.spool.close()
        if self.deflater is not None:
            self.deflater.close()

    def _style(self, column: int, value: object, colour: str, bold: bool) -> int:
        quote = isinstance(value, str) and value.startswith(FORMULA_STARTS)
        number = self.numbers.get(column) if isinstance(value, (int, float)) else None
        key = (column, quote, number, colour, bold)
        if key not in self._style_ids:
            self._style_ids[key] = cell(self.ws, value, number=number, wrap=column in self.wrap, fill=colour or None,
                                        bold=bold).style_id
        return self._style_ids[key]

    def page_break(self) -> None:
        """Start a new printed page after the current row."""
        if self.rows > 1:
            self.ws.row_breaks.append(Break(id=self.rows))

    def finish(self) -> None:
        if self.rows > 1:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.headers))}{self.rows}"


def _head(ws, header: list, outline: int | None) -> bytes | None:
    """The sheet's XML up to its rows as openpyxl will save it: what it wrote when the header row was appended
    (the sheet's properties, views, columns, then the header row), written again here to know it now —
    with the columns' outline level as it was then, and the sheet left as openpyxl left it.  ``None`` when
    it cannot be known (a later openpyxl); :func:`evalkit.io.xlsx.fixed_zip` checks it anyway."""
    written = ws.column_dimensions.max_outline, ws.sheet_format.outlineLevelCol, ws._hyperlinks, ws._comments
    ws.column_dimensions.max_outline = outline
    try:
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write_top()
        xf = writer.xf.send(True)
        with xf.element("sheetData"):
            writer.write_row(xf, ws._values_to_row(header, 1), 1)
        writer.xf.send(None)
        xml = writer.read()
    except Exception:  # only a speed-up: the rows are then spliced in at saving  # noqa: BLE001
        return None
    finally:
        ws.column_dimensions.max_outline, ws.sheet_format.outlineLevelCol, ws._hyperlinks, ws._comments = written
    head, end, _ = xml.partition(b"</sheetData>")
    return head if end else None


def stream_workbook(path: Path, make_sheets: Callable[[Workbook], Iterable[Sheet]], *,
                    saver: Executor | None = None, level: int = LEVEL) -> Path | Future:
    """Make a write-only workbook, its sheets (``make_sheets(wb)``, one at a time) and save it to ``path``.

    The sheets' spools go to ``path``'s folder and are closed whatever happens (a sheet's deflate
    stopped, :class:`evalkit.io.xlsx_deflate.Deflater`; on an error, openpyxl's own streams closed
    and their temporary files removed); the file is written by :func:`save_workbook`, its entries deflated at
    zlib's ``level``: the same content gives the same bytes.  With a ``saver`` (a thread pool), the sheets are made
    here and the file is saved there — mostly deflate, which lets other threads run — and a
    :class:`~concurrent.futures.Future` of the path is returned.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    _STYLES.clear()  # style ids are per workbook
    sheets: list[Sheet] = []
    made: list[Sheet] = []  # every sheet made, a sheet the error came in included
    token, made_token, level_token = SPOOL_DIR.set(str(path.parent)), _MADE.set(made), DEFLATE_LEVEL.set(level)
    try:
        for sheet in make_sheets(wb):
            sheets.append(sheet)
        if saver is not None:
            future = saver.submit(_save_and_close, wb, sheets, path, level)
            made = [s for s in made if s not in sheets]  # the saver closes them
            return future
        return save_workbook(wb, sheets, path, level)
    except BaseException:
        discard_workbook(wb)
        raise
    finally:
        SPOOL_DIR.reset(token)
        _MADE.reset(made_token)
        DEFLATE_LEVEL.reset(level_token)
        for sheet in made:
            sheet.close()


def discard_workbook(wb: Workbook) -> None:
    """A workbook left unsaved (an error; :func:`evalkit.io.xlsx_made.made_rows`): openpyxl's sheet streams closed
    and their temporary files removed (else closed when the workbook is collected, after their files, left behind)."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):  # the error being raised is the one to see
            ws.close()
        with contextlib.suppress(Exception):
            writer.cleanup()


def _save_and_close(wb: Workbook, sheets: Sequence[Sheet], path: Path, level: int) -> Path:
    try:
        return save_workbook(wb, sheets, path, level)
    finally:
        for sheet in sheets:
            sheet.close()


def save_workbook(wb: Workbook, sheets: Sequence[Sheet], path: Path, level: int = LEVEL) -> Path:
    """Save the workbook with the sheets' rows spliced in; the bytes depend on its content only; atomic.

    Like :func:`evalkit.io.xlsx.save` (whose formula pass cannot read a write-only
    workbook — here no cell is ever a formula: rows are written as inline text and
    numbers, :meth:`Sheet.add`): openpyxl saves into a temporary file next to
    ``path``, and :func:`evalkit.io.xlsx.fixed_zip` copies it entry by entry into
    ``path``'s temporary file, every entry dated 2000-01-01, ``docProps/core.xml``
    with fixed times and the rows streamed in from the sheets' spools; then the
    temporary file is renamed; entries deflated at zlib's ``level``.  Nothing workbook-sized is held in memory.
    """
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "evalkit"
    splice = {f"xl/worksheets/sheet{i}.xml": s.rows_file() for i, s in enumerate(sheets, start=1) if s.rows > 1}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tempfile.TemporaryFile(dir=path.parent) as raw:
            wb.save(raw)
            raw.seek(0)
            with open(tmp, "wb") as out:
                fixed_zip(raw, out, splice, external_attr=0o600 << 16, level=level)  # 0o600: openpyxl's own
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
