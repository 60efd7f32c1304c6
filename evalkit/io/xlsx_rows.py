"""Many rows of a streamed sheet rendered in one pass: :func:`add_rows` (or :func:`add_columns`, for rows made a
block at a time as their columns), the same bytes as :meth:`evalkit.io.xlsx_stream.Sheet.add` row after row.

A province's evidence workbook has 1.7 million rows (文字记录: every free-text answer), and
:meth:`~evalkit.io.xlsx_stream.Sheet.add` makes each cell in Python: its reference, its
style, the text cleaned, escaped and measured.  Here rows come in blocks of
:data:`BLOCK` and are turned column by column: each column keeps the XML of the values it
has seen (a record id, a title, a label, a row number — up to :data:`CACHED_TEXT` characters)
after the cell's reference, as UTF-8 and followed by what comes after the cell in the row (the next
cell's opening or the row's end), with the lines the text takes when the column wraps, so a row is
its references joined to those tails; the block's XML is one ``bytes`` joined at C speed (a province's
sheet is a gigabyte of XML: no string of it is made and then encoded).  The plain texts new to a block
(printable, not taken for a formula: most free-text answers) are escaped and encoded together, joined by
NUL, which no printable text holds; a column of mostly new texts (``distinct``: the answers) is escaped so
as a whole, without looking its values up.  A column whose values come in runs (a record's id beside each
of its answers) can be given as :class:`Runs`: each run's cell is made once.

The style ids depend on the order in which cells first need them (openpyxl numbers styles
as they come), so a block whose cells need a style not made yet, or whose rows differ in
length, is written row by row in order (:func:`_add_in_order`), as
:meth:`~evalkit.io.xlsx_stream.Sheet.add` would.  Only cells without fill or bold are
written here; the sheets with coloured cells are small and use ``add``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain, compress, repeat
from operator import not_
from typing import NamedTuple

from evalkit.io.xlsx import FORMULA_STARTS
from evalkit.io.xlsx_stream import LINE_HEIGHT, MAX_ROW_HEIGHT, ROW_PADDING, SHORT_TEXT, Sheet
from evalkit.io.xlsx_text import clean_text, wrapped_lines, xml_escape

BLOCK = 2000        # rows rendered together
CACHED_TEXT = 120   # a column keeps the XML of its texts up to this length (ids, titles, labels, short answers)
CACHE_SIZE = 50000  # values a column keeps before it starts again
_CACHEABLE = {str, int, type(None)}  # no two of their values are equal across types (True == 1, 1.0 == 1 are not here)
_TEXT = {str}
_FORMULA_AFTER_NUL = ["\x00" + c for c in FORMULA_STARTS]  # a text taken for a formula, after the NUL before it


def add_rows(sheet: Sheet, rows: Iterable[Sequence[object]]) -> None:
    """Append ``rows`` to ``sheet`` (cells without fill or bold): the bytes :meth:`Sheet.add` gives row after row."""
    caches: dict[int, list] = {}
    block: list[Sequence[object]] = []
    for values in rows:
        block.append(values)
        if len(block) == BLOCK:
            _add_block(sheet, block, caches)
            block = []
    if block:
        _add_block(sheet, block, caches)


class Runs(NamedTuple):
    """A column of a block whose values come in runs: ``values[k]`` in ``counts[k]`` rows one after the other (a
    record's id beside each of its answers) — each value's cell is made once for its run."""

    values: Sequence[object]
    counts: Sequence[int]

    def __len__(self) -> int:
        return sum(self.counts)

    def expanded(self) -> list:
        """The column with each value repeated for its run."""
        return list(chain.from_iterable(map(repeat, self.values, self.counts)))


def add_columns(sheet: Sheet, blocks: Iterable[Sequence[Sequence[object] | Runs]], *,
                distinct: Iterable[int] = ()) -> None:
    """Append rows given a block at a time column by column — each block a sequence of columns of equal
    length, made that way without a list per row (the 文字记录 sheet's free-text answers), a column either its
    values or their :class:`Runs`: the bytes :func:`add_rows` (and :meth:`Sheet.add`) give the same rows.
    ``distinct``: the columns whose values are mostly new texts (the answers), escaped together block by block
    rather than looked up one by one (:func:`_plain_column`)."""
    caches: dict[int, list] = {}
    distinct = frozenset(distinct)
    for columns in blocks:
        lengths = list(map(len, columns))
        n = lengths[0] if columns else 0
        if lengths.count(n) != len(lengths):
            raise ValueError(f"add_columns: columns of one block differ in length ({lengths})")
        if n and not _add_columns(sheet, columns, n, caches, distinct):
            _add_in_order(sheet, list(zip(*(c.expanded() if type(c) is Runs else c for c in columns))))


def cell_tail(sheet: Sheet, i: int, v: object, *, create: bool = True) -> tuple[str, int] | None:
    """A cell of column ``i`` holding ``v`` as :meth:`Sheet.add` writes it without fill or bold, from after its
    reference (``A7``) to its end, and the lines its text takes in a wrapped column; ``None`` when its style
    is not made yet and not ``create``."""
    if isinstance(v, str) and v:
        text = v if v.isprintable() and len(v) <= SHORT_TEXT else clean_text(v)
        sid = sheet.style(i, text, create=create)
        if sid is None:
            return None
        usable = sheet.usable_at.get(i)
        lines = 1
        if usable is not None and (2 * len(v) > usable or "\n" in v or "\t" in v):
            lines = wrapped_lines(v, usable)
        return f'" s="{sid}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(text)}</t></is></c>', lines
    if isinstance(v, float) and not math.isfinite(v):
        v = None
    if isinstance(v, bool) or v is None or v == "":
        sid = sheet.style(i, "", create=create)
        return None if sid is None else (f'" s="{sid}"/>', 1)
    if isinstance(v, (int, float)):
        sid = sheet.style(i, 0, create=create)
        return None if sid is None else (f'" s="{sid}" t="n"><v>{v!r}</v></c>', 1)
    text = clean_text(str(v))
    sid = sheet.style(i, text, create=create)
    return None if sid is None else (f'" s="{sid}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(text)}</t>'
                                     f'</is></c>', 1)


def _row_start(sheet: Sheet, lines: int) -> bytes:
    """What follows ``<row r="N`` for a row whose text takes ``lines`` lines, up to its first cell."""
    if lines > 1 or sheet.every_row:
        return f'" ht="{min(LINE_HEIGHT * lines + ROW_PADDING, MAX_ROW_HEIGHT):g}" customHeight="1">'.encode("ascii")
    return b'">'


def _column(sheet: Sheet, i: int, column: Sequence[object], seen: tuple[dict, ...], after: bytes) -> tuple | None:
    """The tails (:func:`cell_tail`, each followed by ``after``: the next cell's opening or the row's end) of one column
    of a block and, when the column wraps, the lines of each; ``None`` when a cell needs a style not made yet.
    ``seen`` keeps the column's values: tail, lines."""
    wraps = i in sheet.usable_at
    if not set(map(type, column)) <= _CACHEABLE:
        return _column_one_by_one(sheet, i, column, wraps, after)
    tails_seen, lines_seen = seen[:2]
    tails = list(map(tails_seen.get, column))
    lines = list(map(lines_seen.get, column)) if wraps else None
    if None not in tails:
        return tails, lines
    fresh = _fresh_tails(sheet, i, dict.fromkeys(compress(column, map(not_, tails))), after)  # new ones, once each
    if fresh is None:
        return None
    fresh_tails, fresh_lines = fresh
    tails = list(map(fresh_tails.get, column, tails))
    if wraps:
        lines = list(map(fresh_lines.get, column, lines))
    if len(tails_seen) + len(fresh_tails) > CACHE_SIZE:
        tails_seen.clear()
        lines_seen.clear()
    for v, tail in fresh_tails.items():
        if type(v) is not str or len(v) <= CACHED_TEXT:
            tails_seen[v], lines_seen[v] = tail, fresh_lines[v]
    return tails, lines


def _fresh_tails(sheet: Sheet, i: int, values: Iterable[object], after: bytes) -> tuple[dict, dict] | None:
    """The tails and lines of distinct values of column ``i`` (:func:`cell_tail`); ``None`` when one needs a style
    not made yet.  Plain text — printable, not too long, not taken for a formula, the most of a free-text sheet — is
    escaped and encoded for all of them at once (joined by NUL, which no printable text holds), the rest one by one."""
    tails: dict[object, bytes] = {}
    lines: dict[object, int] = {}
    sid = sheet.style(i, "text", create=False)
    plain = [] if sid is None else [v for v in values if type(v) is str and v and v.isprintable()
                                    and len(v) <= SHORT_TEXT and not v.startswith(FORMULA_STARTS)]
    if plain:
        tails.update(zip(plain, _plain_tails(sid, "\x00".join(plain), after)))
        lines.update(dict.fromkeys(plain, 1))
        usable = sheet.usable_at.get(i)
        if usable is not None:  # printable text has no line break or tab: only a long one may wrap
            for v in compress(plain, map((usable / 2).__lt__, map(len, plain))):
                lines[v] = wrapped_lines(v, usable)
    for v in values:
        if v not in tails:
            made = cell_tail(sheet, i, v, create=False)
            if made is None:
                return None
            tails[v], lines[v] = made[0].encode("utf-8") + after, made[1]
    return tails, lines


def _plain_tails(sid: int, joined: str, after: bytes) -> list[bytes]:
    """The tails of plain texts (printable: no NUL) given joined by NUL, style ``sid``, each followed by ``after``:
    escaped and encoded all at once, then split at the NULs."""
    head = f'" s="{sid}" t="inlineStr"><is><t xml:space="preserve">'
    end = "</t></is></c>" + after.decode("ascii")
    return (head + xml_escape(joined).replace("\x00", end + "\x00" + head) + end).encode("utf-8").split(b"\x00")


def _plain_column(sheet: Sheet, i: int, column: Sequence[object], lines_seen: dict, after: bytes) -> tuple | None:
    """:func:`_column` for a column of plain texts (printable, not empty, not too long, not taken for a formula —
    most free-text answers): escaped and encoded all together, joined by NUL (which no printable text holds), and
    split; the lines of its long texts measured once each (``lines_seen``).  ``None`` when one is not plain text."""
    sid = sheet.style(i, "text", create=False)
    if sid is None or not column or set(map(type, column)) != _TEXT:
        return None
    joined = "\x00".join(column)
    longest = max(map(len, column))
    if not (longest <= SHORT_TEXT and all(column) and "".join(column).isprintable()
            and not joined.startswith(FORMULA_STARTS) and not any(map(joined.__contains__, _FORMULA_AFTER_NUL))):
        return None
    tails = _plain_tails(sid, joined, after)
    usable = sheet.usable_at.get(i)
    if usable is None or 2 * longest <= usable:  # printable text has no line break or tab: only a long one may wrap
        return tails, None
    lines = [1] * len(column)
    for k in compress(range(len(column)), map((usable / 2).__lt__, map(len, column))):
        v = column[k]
        found = lines_seen.get(v)
        if found is None:
            if len(lines_seen) >= CACHE_SIZE:
                lines_seen.clear()
            found = lines_seen[v] = wrapped_lines(v, usable)
        lines[k] = found
    return tails, lines


def _column_one_by_one(sheet: Sheet, i: int, column: Sequence[object], wraps: bool, after: bytes) -> tuple | None:
    """:func:`_column` for a column with values of other types (a float, a date): each cell made, none kept."""
    tails, lines = [], []
    for v in column:
        made = cell_tail(sheet, i, v, create=False)
        if made is None:
            return None
        tails.append(made[0].encode("utf-8") + after)
        lines.append(made[1])
    return tails, lines if wraps else None


def _add_block(sheet: Sheet, block: list[Sequence[object]], caches: dict[int, list]) -> None:
    width = len(block[0])
    if not (width <= len(sheet.letters) and all(len(v) == width for v in block)
            and _add_columns(sheet, list(zip(*block)), len(block), caches)):
        _add_in_order(sheet, block)


def _add_columns(sheet: Sheet, columns: Sequence[Sequence[object]], n: int, caches: dict[int, list],
                 distinct: frozenset[int] = frozenset()) -> bool:
    """``n`` rows given as their columns, joined as sheet XML; ``False`` (nothing written) when a cell needs a style not
    made yet or there are more columns than the sheet has.  ``caches``: each column's values seen, by the number of
    columns (a cell's tail holds what follows it in the row)."""
    width = len(columns)
    if width > len(sheet.letters):
        return False
    seen = caches.get(width)
    if seen is None:
        seen = caches[width] = [({}, {}, {}) for _ in columns]  # tails, lines; the lines of _plain_column's texts
    opening = [f'<c r="{letter}'.encode("ascii") for letter in sheet.letters[:width]] + [b"</row>"]
    found = []
    for i, column in enumerate(columns):
        runs = type(column) is Runs
        values = column.values if runs else column
        made = _plain_column(sheet, i, values, seen[i][2], opening[i + 1]) if i in distinct else None
        if made is None:
            made = _column(sheet, i, values, seen[i], opening[i + 1])
        if made is None:
            return False
        if runs:  # each run's cell made once, then repeated (a wrapped value's lines too)
            tails, lines = made
            made = (Runs(tails, column.counts).expanded(),
                    None if lines is None or max(lines) == 1 else Runs(lines, column.counts).expanded())
        found.append(made)
    first = sheet.rows + 1
    refs = list(map(b"%d".__mod__, range(first, first + n)))
    # the lines of the wrapped columns with a cell of more than one (a row is as high as its highest; every cell
    # takes one line at least, so the others change nothing)
    wrapped = [lines for _, lines in found if lines is not None and max(lines) > 1]
    if wrapped or sheet.every_row:
        lines = wrapped[0] if len(wrapped) == 1 else list(map(max, *wrapped)) if wrapped else [1] * n
        starts = {k: _row_start(sheet, k) + opening[0] for k in set(lines)}
        row_ends = list(map(starts.__getitem__, lines))
    else:
        row_ends = repeat(b'">' + opening[0])
    # a row: <row r="N  ">…<c r="A  N  …A's cell…<c r="B  N  …  N  …the last cell…</row>
    pieces = [repeat(b'<row r="'), refs, row_ends]
    for tails, _ in found:
        pieces += [refs, tails]
    sheet.add_xml(b"".join(chain.from_iterable(zip(*pieces))), n)
    return True


def _add_in_order(sheet: Sheet, block: list[Sequence[object]]) -> None:
    """Rows one by one, cells in order: the styles they need are made in the order :meth:`Sheet.add` makes them."""
    for values in block:
        sheet.add(values)
