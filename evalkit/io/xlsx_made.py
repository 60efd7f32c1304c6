"""A sheet's rows made in another process and taken into the workbook being written: :func:`made_rows` there,
:func:`take_rows` here (:mod:`evalkit.reports.ahead`: the evidence workbook's 文字记录 sheet made in a forked
child while the rerun scores).

Rows are sheet XML whose cells name their style by id, and openpyxl numbers styles in the order they first
come into a workbook.  So rows made in one workbook are the rows of another only when both workbooks had the
same styles before them (:func:`style_state`) and the same sheet head: the styles the rows made are then made
again in the same order and get the same ids.  Otherwise nothing is taken and the sheet is made as usual.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from typing import NamedTuple

from openpyxl import Workbook

from evalkit.io.xlsx_deflate import LEVEL, Deflater, Predeflated
from evalkit.io.xlsx_stream import SPOOL_DIR, Sheet, discard_workbook


def style_state(wb: Workbook) -> tuple:
    """What the ids of the styles made next in ``wb`` depend on: its styles so far (openpyxl numbers a style, and
    each font, fill, border, alignment and number format in it, by the order they first came in)."""
    return (tuple(map(tuple, wb._cell_styles)),
            *(tuple(map(repr, getattr(wb, part))) for part in ("_fonts", "_fills", "_borders", "_alignments",
                                                               "_protections", "_number_formats")))


class MadeRows(NamedTuple):
    """A sheet's rows made elsewhere (:func:`made_rows`) for :func:`take_rows`: how many, the styles they made in
    order (``(key, id)``), the workbook's :func:`style_state` before them, the sheet's head, and the rows as sheet
    XML (``xml``) or, past :data:`~evalkit.io.xlsx_stream.SPOOL_IN_MEMORY`, the sheet's whole entry deflated (``deflated``: its tail, the
    file, CRC-32 and size for :class:`~evalkit.io.xlsx_deflate.Predeflated`) at zlib's ``level``."""

    rows: int
    styles: list
    state: tuple
    head: bytes | None
    xml: bytes | None
    deflated: tuple | None
    level: int = LEVEL


def made_rows(wb: Workbook, sheets: Sequence[tuple[Sheet, tuple]]) -> tuple[MadeRows, ...] | None:
    """Each of ``sheets``' rows (a sheet and the :func:`style_state` its workbook had when the sheet was made), all
    written and the sheets finished, as :class:`MadeRows` for sheets made the same way in another workbook whose
    styles were those when each was made.  A large sheet's entry is finished here: ``wb`` is saved once (its sheets'
    rows left out) for what each entry has after its rows, and the sheet's deflate ends with that, into its
    ``deflate_into``.  ``None`` when that cannot be known for one of them (no head).  ``wb`` is done with after
    this, saved or not: openpyxl's streams of its sheets are closed and their temporary files removed (a forked
    child leaves through ``os._exit``, where openpyxl's ``atexit`` would have)."""
    try:
        return _made_rows(wb, sheets)
    finally:
        discard_workbook(wb)


def _made_rows(wb: Workbook, sheets: Sequence[tuple[Sheet, tuple]]) -> tuple[MadeRows, ...] | None:
    saved: dict[str, bytes] = {}
    for sheet, _ in sheets:
        sheet._flush()   # a sheet's deflate may start here
    if any(sheet.deflater is not None for sheet, _ in sheets):
        with tempfile.TemporaryFile(dir=SPOOL_DIR.get()) as raw:
            wb.save(raw)
            raw.seek(0)
            with zipfile.ZipFile(raw) as z:
                saved = {name: z.read(name) for name in z.namelist() if name.startswith("xl/worksheets/")}
    made = []
    for sheet, state in sheets:
        styles = list(sheet._style_ids.items())
        if sheet.deflater is None:
            sheet.spool.seek(0)
            made.append(MadeRows(sheet.rows - 1, styles, state, sheet.head, sheet.spool.read(), None))
            continue
        if not isinstance(sheet.deflater, Deflater) or sheet.deflate_into is None:
            return None
        name = f"xl/worksheets/sheet{wb.worksheets.index(sheet.ws) + 1}.xml"
        head, end, tail = saved.get(name, b"").partition(b"</sheetData>")
        if head != sheet.head or not end:
            return None
        done = sheet.deflater.finish(end + tail)
        made.append(MadeRows(sheet.rows - 1, styles, state, sheet.head, None,
                             (end + tail, sheet.deflate_into, done.crc, done.size), sheet.deflater.level))
    return tuple(made)


def take_rows(sheet: Sheet, made: MadeRows) -> bool:
    """The rows ``made`` elsewhere (:func:`made_rows`, in a forked child) taken as ``sheet``'s rows, when they
    are the very rows it would write: the sheet has no rows yet, its head is the one they were
    made after, and its workbook's styles are the same as theirs were then — so the styles the rows need are
    made here in the order they were made there, and get the same ids.  False (nothing changed) otherwise."""
    if sheet.rows != 1 or made.head != sheet.head or made.state != style_state(sheet.ws.parent):
        return False
    for key, sid in made.styles:
        if _style_of(sheet, key) != sid:  # cannot be, from the same styles made in the same order
            raise RuntimeError(f"{sheet.ws.title}: style {key} made as {sheet._style_ids[key]}, not {sid}")
    if made.deflated is None:
        sheet._write(made.xml)
    else:
        sheet._flush()
        sheet.spool.close()
        sheet.deflater = Predeflated(sheet.head, *made.deflated, level=made.level)
    sheet.rows += made.rows
    return True


def _style_of(sheet: Sheet, key: tuple) -> int:
    """The style id of a style key of the sheet's (:meth:`~evalkit.io.xlsx_stream.Sheet.style`), made if it is not
    yet: a value that gives that key made into a cell's style."""
    column, quote, number, colour, bold = key
    return sheet._style(column, "=" if quote else 0 if number else "text", colour, bold)
