"""Reading tabular input (xlsx sheets, csv files, markdown tables) into one shape.

Every reader gives a :class:`Table`: the header texts and the data rows, each
row carrying the row number the user sees in Excel (header = row 1 unless the
header sits lower).  Column headers are matched to canonical keys through
aliases (Chinese and English) as a person reads them: without any white space
(「序　号」, 「完成\n时限」 and 「序号」 are one header) and with full-width
letters read as half-width; a column with a near name can be accepted with a
note, and "did you mean" hints name misspellings.  A sheet can be read with
its merged cells filled in (a merged cell's value belongs to every cell it
spans), remembering where each filled value came from.  Readers never raise
for a user's mistake: they return problems; a file that is no workbook is named
for what it seems to be (:mod:`evalkit.io.sniff`).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from evalkit.io.sniff import what_it_seems
from evalkit.problems import (
    COLUMN_MISSING,
    COLUMN_NEAR,
    COLUMN_UNKNOWN,
    FILE_EMPTY,
    FILE_MISSING,
    FILE_NOT_WORKBOOK,
    FILE_UNREADABLE,
    SHEET_EMPTY,
    SHEET_MISSING,
    Problem,
    did_you_mean,
    problem,
)


@dataclass(frozen=True)
class Table:
    """Header texts and data rows of one sheet; ``rows`` are (row number, cells).

    ``merged`` (only when read with ``fill_merged``): (row number, column index) of every cell that
    was filled from a merged cell → (row number, column index) of the merged cell's top-left cell."""

    file: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    merged: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Columns:
    """Canonical key → column index, and key → the header text the user wrote."""

    index: Mapping[str, int]
    header: Mapping[str, str]

    def get(self, cells: tuple[object, ...], key: str) -> object:
        i = self.index.get(key)
        return cells[i] if i is not None and i < len(cells) else None


def clean(value: object) -> object:
    """Strip strings, turn None into "" and whole floats into ints."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def header_key(value: object) -> str:
    """A header as it is compared: full-width letters half-width (NFKC), no white space at all
    (ASCII, full-width spaces, line breaks), lower case — 「序　号」, 「完成\n时限」 → 「序号」, 「完成时限」."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


def text(value: object) -> str:
    """A cell as text (dates as ISO)."""
    value = clean(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def open_workbook(path: Path, *, data_only: bool = True):
    """Open an xlsx workbook, or return (None, problems) naming why it cannot be read."""

    file = str(path)
    if not path.exists():
        return None, [problem(FILE_MISSING, file=file)]
    if path.is_dir():
        return None, [problem(FILE_NOT_WORKBOOK, file=file, detail="这是一个文件夹：请给出其中 .xlsx 文件的路径")]
    if path.stat().st_size == 0:
        return None, [problem(FILE_EMPTY, file=file)]
    try:
        return openpyxl.load_workbook(path, data_only=data_only), []
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, AttributeError,
            EOFError, zipfile.LargeZipFile, UnicodeDecodeError, SyntaxError):
        # SyntaxError: xml.etree's ParseError on a damaged part of the package
        return None, [problem(FILE_NOT_WORKBOOK, file=file, detail=what_it_seems(path))]
    except OSError as exc:
        if exc.errno is None:  # openpyxl's "File contains no valid workbook part" is an OSError without errno
            return None, [problem(FILE_NOT_WORKBOOK, file=file, detail=what_it_seems(path))]
        return None, [problem(FILE_UNREADABLE, file=file, detail=exc.strerror or str(exc))]


def find_sheet(wb, file: str, names: Iterable[str], *, required: bool = True):
    """The first sheet whose name matches one of ``names`` (case-insensitive)."""
    names = list(names)
    wanted = {n.lower() for n in names}
    for ws in wb.worksheets:
        if ws.title.strip().lower() in wanted:
            return ws, []
    if not required:
        return None, []
    found = "、".join(f"「{ws.title}」" for ws in wb.worksheets) or "（无）"
    hint = did_you_mean(names[0], [ws.title for ws in wb.worksheets])
    return None, [problem(SHEET_MISSING, file=file, sheet=names[0], hint=hint, found=found)]


def sheet_table(ws, file: str, header_hint: Iterable[str] = (), scan: int = 10, *,
                fill_merged: bool = False) -> Table:
    """Read a worksheet; the header is the first row (within ``scan``) holding a hint word
    (compared as :func:`header_key`).  With ``fill_merged`` every cell of a merged range below the
    header holds the range's value, and :attr:`Table.merged` says where each such value came from."""
    hints = {header_key(h) for h in header_hint}
    all_rows = [[clean(c) for c in row] for row in ws.iter_rows(values_only=True)]
    header_at = 0
    for i, row in enumerate(all_rows[:scan]):
        if hints and any(isinstance(c, str) and header_key(c) in hints for c in row):
            header_at = i
            break
    merged = _fill_merged(ws, all_rows, header_at + 1) if fill_merged else {}
    headers = tuple(text(c) for c in all_rows[header_at]) if all_rows else ()
    rows = tuple(
        (i + 1, tuple(row)) for i, row in enumerate(all_rows)
        if i > header_at and any(c != "" for c in row)
    )
    return Table(file=file, sheet=ws.title, header_row=header_at + 1, headers=headers, rows=rows, merged=merged)


def _fill_merged(ws, grid: list[list[object]], after: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Copy each merged range's top-left value into its other cells (rows below row ``after``);
    returns filled (row number, column index) → origin (row number, column index)."""
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    width = max((len(row) for row in grid), default=0)
    for rng in ws.merged_cells.ranges:
        if rng.max_row <= after or rng.min_row > len(grid) or rng.min_col > width:
            continue
        top = (rng.min_row, rng.min_col - 1)
        value = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_col - 1 < len(grid[rng.min_row - 1]) else ""
        for r in range(max(rng.min_row, after + 1), min(rng.max_row, len(grid)) + 1):
            row = grid[r - 1]
            for c in range(rng.min_col - 1, min(rng.max_col, width)):   # a merge over whole columns stays in the sheet
                if (r, c) == top:
                    continue
                while len(row) <= c:
                    row.append("")
                row[c] = value
                origins[(r, c)] = top
    return origins


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A text file as UTF-8 (BOM or not) or, failing that, GB18030 (what Chinese Excel saves as "CSV")."""
    file = str(path)
    if not path.exists():
        return None, [problem(FILE_MISSING, file=file)]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [problem(FILE_UNREADABLE, file=file, detail=f"{type(exc).__name__}")]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    return None, [problem(FILE_UNREADABLE, file=file, detail="编码无法识别，请保存为 UTF-8 编码")]


def csv_table(path: Path) -> tuple[Table | None, list[Problem]]:
    """Read a csv file: UTF-8 (optionally with BOM) or GB18030/GBK."""
    file = str(path)
    data, problems = read_text(path)
    if data is None:
        return None, problems
    if "\x00" in data:
        return None, [problem(FILE_UNREADABLE, file=file, detail="文件含有空字符，不是文本表格")]
    if not data.strip():
        return None, [problem(FILE_EMPTY, file=file)]
    # newline="" as the csv module asks: a bare \r (an old Mac line end) is a line end, not an error
    rows = [tuple(clean(c) for c in r) for r in csv.reader(io.StringIO(data, newline=""))]
    body = tuple((i + 1, r) for i, r in enumerate(rows) if i > 0 and any(c != "" for c in r))
    return Table(file=file, sheet=None, header_row=1, headers=tuple(text(c) for c in rows[0]), rows=body), []


def markdown_table(source: str, file: str = "<markdown>") -> Table:
    """Parse a pipe table (``| a | b |`` lines); the separator line is skipped.

    Row numbers count table lines as a spreadsheet would: header = 1, first data row = 2.
    Cells stay text, as in a csv file.
    """
    lines = [ln.strip() for ln in source.strip().splitlines() if ln.strip().startswith("|")]
    cells = [[clean(c) for c in ln.strip("|").split("|")] for ln in lines]
    cells = [r for r in cells if not all(set(str(c)) <= set("-: ") and c != "" for c in r)]
    headers = tuple(text(c) for c in cells[0]) if cells else ()
    rows = tuple((i + 2, tuple(r)) for i, r in enumerate(cells[1:]) if any(c != "" for c in r))
    return Table(file=file, sheet=None, header_row=1, headers=headers, rows=rows)


def map_columns(table: Table, spec: Mapping[str, tuple[str, ...]], required: Iterable[str], *,
                near: bool = False) -> tuple[Columns, list[Problem]]:
    """Match headers to canonical keys (compared as :func:`header_key`); report missing required
    columns and unknown ones.  With ``near``, a required column that is missing is taken from the one
    unknown header whose name is close to it (「完成时间」 for 「完成时限」), with a ``column-near-name``
    warning saying so."""
    lookup = {header_key(alias): key for key, aliases in spec.items() for alias in (key, *aliases)}
    index: dict[str, int] = {}
    header: dict[str, str] = {}
    unknown: list[tuple[int, str]] = []
    for i, h in enumerate(table.headers):
        key = lookup.get(header_key(h))
        if key and key not in index:
            index[key], header[key] = i, h
        elif h.strip():
            unknown.append((i, h))
    problems: list[Problem] = []
    all_names = [alias for key, aliases in spec.items() for alias in aliases[:1] or (key,)]
    for key in required:
        if key in index:
            continue
        zh = spec[key][0] if spec[key] else key
        taken = _near_column(zh, unknown, [k for k in spec if k not in index and k != key], spec) if near else None
        if taken is not None:
            unknown.remove(taken)
            index[key], header[key] = taken
            problems.append(problem(COLUMN_NEAR, file=table.file, sheet=table.sheet or "", column=taken[1],
                                    row=table.header_row, expected=zh))
            continue
        problems.append(problem(COLUMN_MISSING, file=table.file, sheet=table.sheet or "", column=zh,
                                row=table.header_row, hint=did_you_mean(zh, [h for _, h in unknown])))
    for _, h in unknown:
        problems.append(problem(COLUMN_UNKNOWN, file=table.file, sheet=table.sheet or "", column=h,
                                row=table.header_row, hint=did_you_mean(h, all_names)))
    return Columns(index=index, header=header), problems


def _near_column(name: str, unknown: list[tuple[int, str]], others: list[str],
                 spec: Mapping[str, tuple[str, ...]]) -> tuple[int, str] | None:
    """The one unknown header close to ``name`` (and not closer to another missing column's name)."""
    keyed = {header_key(h): (i, h) for i, h in unknown}
    close = difflib.get_close_matches(header_key(name), list(keyed), n=2, cutoff=0.6)
    if len(close) != 1:
        return None
    rivals = [header_key(spec[k][0] if spec[k] else k) for k in others]
    if difflib.get_close_matches(close[0], rivals, n=1, cutoff=_ratio(close[0], header_key(name)) + 1e-9):
        return None
    return keyed[close[0]]


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def empty_sheet_problem(table: Table) -> list[Problem]:
    return [] if table.rows else [problem(SHEET_EMPTY, file=table.file, sheet=table.sheet or "")]
