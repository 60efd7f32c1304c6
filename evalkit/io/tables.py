"""Reading tabular input (xlsx sheets, csv files, markdown tables) into one shape.

Every reader gives a :class:`Table`: the header texts and the data rows, each
row carrying the row number the user sees in Excel (header = row 1 unless the
header sits lower).  Column headers are matched to canonical keys through
aliases (Chinese and English), with "did you mean" hints for misspellings.
Readers never raise for a user's mistake: they return problems.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from evalkit.problems import (
    COLUMN_MISSING,
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
    """Header texts and data rows of one sheet; ``rows`` are (row number, cells)."""

    file: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]


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
        return None, [problem(FILE_NOT_WORKBOOK, file=file, detail="这是一个文件夹")]
    if path.stat().st_size == 0:
        return None, [problem(FILE_EMPTY, file=file)]
    try:
        return openpyxl.load_workbook(path, data_only=data_only), []
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return None, [problem(FILE_NOT_WORKBOOK, file=file, detail=type(exc).__name__)]
    except OSError as exc:
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


def sheet_table(ws, file: str, header_hint: Iterable[str] = (), scan: int = 10) -> Table:
    """Read a worksheet; the header is the first row (within ``scan``) holding a hint word."""
    hints = {h.lower() for h in header_hint}
    all_rows = [tuple(clean(c) for c in row) for row in ws.iter_rows(values_only=True)]
    header_at = 0
    for i, row in enumerate(all_rows[:scan]):
        if hints and any(isinstance(c, str) and c.lower() in hints for c in row):
            header_at = i
            break
    headers = tuple(text(c) for c in all_rows[header_at]) if all_rows else ()
    rows = tuple(
        (i + 1, row) for i, row in enumerate(all_rows)
        if i > header_at and any(c != "" for c in row)
    )
    return Table(file=file, sheet=ws.title, header_row=header_at + 1, headers=headers, rows=rows)


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
    rows = [tuple(clean(c) for c in r) for r in csv.reader(io.StringIO(data))]
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


def map_columns(table: Table, spec: Mapping[str, tuple[str, ...]], required: Iterable[str]) -> tuple[Columns, list[Problem]]:
    """Match headers to canonical keys; report missing required columns and unknown ones."""
    lookup = {alias.lower(): key for key, aliases in spec.items() for alias in (key, *aliases)}
    index: dict[str, int] = {}
    header: dict[str, str] = {}
    unknown: list[tuple[int, str]] = []
    for i, h in enumerate(table.headers):
        key = lookup.get(h.strip().lower())
        if key and key not in index:
            index[key], header[key] = i, h
        elif h.strip():
            unknown.append((i, h))
    problems: list[Problem] = []
    all_names = [alias for key, aliases in spec.items() for alias in aliases[:1] or (key,)]
    for key in required:
        if key not in index:
            zh = spec[key][0] if spec[key] else key
            near = [h for _, h in unknown]
            problems.append(problem(COLUMN_MISSING, file=table.file, sheet=table.sheet or "", column=zh,
                                    row=table.header_row, hint=did_you_mean(zh, near)))
    for _, h in unknown:
        problems.append(problem(COLUMN_UNKNOWN, file=table.file, sheet=table.sheet or "", column=h,
                                row=table.header_row, hint=did_you_mean(h, all_names)))
    return Columns(index=index, header=header), problems


def empty_sheet_problem(table: Table) -> list[Problem]:
    return [] if table.rows else [problem(SHEET_EMPTY, file=table.file, sheet=table.sheet or "")]
