"""Reading an XLSForm workbook twice: cell by cell, and through pyxform.

pyxform's parsed JSON (``pyxform.xls2json.parse_file_to_json``) is the model's
source, but it keeps no survey-sheet row numbers and it stops at its first
error.  So :func:`read_form` also reads the sheets with openpyxl, keeping each
row's number as Excel shows it (header = row 1), which lets evalkit's own
checks name every mistake at once with its row, and lets the model carry row
numbers.  :func:`run_pyxform` parses and converts with pyxform (pure Python,
no ODK Validate) and :func:`pyxform_problem` turns its exception into a
problem that names the file and, when pyxform says so, the row and column.

Never raises for a user's mistake: readers return problems.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert

from evalkit.forms.problems import PYXFORM_ERROR
from evalkit.io.durable import user_cache_dir
from evalkit.io.tables import find_sheet, open_workbook, sheet_table, text
from evalkit.problems import Problem, problem

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"

# canonical key -> header spellings pyxform accepts (lower case)
ALIASES: dict[str, tuple[str, ...]] = {
    "type": ("type",), "name": ("name",), "required": ("required",),
    "constraint": ("constraint",), "relevant": ("relevant", "relevance"),
    "calculation": ("calculation", "calculate"), "default": ("default",),
    "indicator": ("evalkit::indicator",), "role": ("evalkit::role",), "max_mb": ("evalkit::max_mb",),
    "min_repeats": ("evalkit::min_repeats",), "repeat_count": ("repeat_count", "jr:count"),
    "list_name": ("list_name",), "form_id": ("form_id",), "version": ("version",), "form_title": ("form_title",),
}
EXPRESSION_COLUMNS = ("constraint", "relevant", "calculation", "default", "repeat_count")

def normalise_header(header: str) -> str:
    """Header as pyxform compares it: stripped, inner whitespace collapsed, lower case."""
    return re.sub(r"\s+", " ", header.strip()).lower()


@dataclass(frozen=True)
class RawRow:
    """One non-empty sheet row: its Excel row number and text per normalised header."""

    row: int
    cells: Mapping[str, str]

    def get(self, key: str) -> str:
        """The cell for a canonical key (any accepted alias), or ""."""
        for alias in ALIASES.get(key, (key,)):
            if self.cells.get(alias):
                return self.cells[alias]
        return ""

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """Cells whose header starts with ``prefix`` (e.g. every ``label::…`` column)."""
        return {k: v for k, v in self.cells.items() if k.startswith(prefix) and v}


@dataclass(frozen=True)
class RawSheet:
    """A sheet as read cell by cell; ``headers`` maps normalised → as written."""

    name: str
    headers: Mapping[str, str]
    rows: tuple[RawRow, ...]

    def column(self, key: str) -> str:
        """The header text the user wrote for a canonical key (the key if absent)."""
        for alias in ALIASES.get(key, (key,)):
            if alias in self.headers:
                return self.headers[alias]
        return ALIASES.get(key, (key,))[0]


@dataclass(frozen=True)
class RawForm:
    """The three XLSForm sheets of one workbook; ``choices``/``settings`` may be None."""

    file: str
    survey: RawSheet
    choices: RawSheet | None
    settings: RawSheet | None

    def setting(self, key: str) -> str:
        """First data row's value for a settings column, or ""."""
        if self.settings is None or not self.settings.rows:
            return ""
        return self.settings.rows[0].get(key)


def _raw_sheet(ws, file: str) -> RawSheet:
    """A worksheet as :class:`RawSheet`; the header is row 1, as pyxform reads it."""
    table = sheet_table(ws, file)
    keys = [normalise_header(h) for h in table.headers]
    rows = tuple(
        RawRow(number, {k: text(c) for k, c in zip(keys, cells, strict=False) if k and text(c)})
        for number, cells in table.rows
    )
    return RawSheet(ws.title, {k: h for k, h in zip(keys, table.headers, strict=True) if k}, rows)


def read_form(path: str | Path) -> tuple[RawForm | None, list[Problem]]:
    """Read survey (required), choices and settings; problems if the file or survey is unusable."""
    path = Path(path)
    file = str(path)
    wb, problems = open_workbook(path)
    if wb is None:
        return None, problems
    ws, problems = find_sheet(wb, file, [SURVEY])
    if ws is None:
        return None, problems
    others = {}
    for name in (CHOICES, SETTINGS):
        sheet, _ = find_sheet(wb, file, [name], required=False)
        others[name] = _raw_sheet(sheet, file) if sheet is not None else None
    return RawForm(file, _raw_sheet(ws, file), others[CHOICES], others[SETTINGS]), []


def split_type(type_text: str) -> tuple[str, str]:
    """``'select_one yn'`` → ``('select_one', 'yn')``; ``'begin group'`` → ``('begin_group', '')``."""
    parts = type_text.split()
    if not parts:
        return "", ""
    head = parts[0].lower()
    if head in ("begin", "end") and len(parts) > 1:
        return f"{head}_{parts[1].lower()}", ""
    if head in ("select_one", "select_multiple"):
        return head, " ".join(parts[1:])
    return (head if len(parts) == 1 else type_text.strip()), ""


def row_paths(survey: RawSheet) -> dict[tuple[str, ...], int]:
    """Path of names (enclosing groups/repeats, then the field) → survey row number."""
    stack: list[str] = []
    paths: dict[tuple[str, ...], int] = {}
    for raw in survey.rows:
        kind, _ = split_type(raw.get("type"))
        if kind in ("end_group", "end_repeat"):
            if stack:
                stack.pop()
            continue
        name = raw.get("name")
        if name:
            paths.setdefault((*stack, name), raw.row)
        if kind in ("begin_group", "begin_repeat"):
            stack.append(name)
    return paths


def _cache_file(path: Path) -> Path | None:
    """Where pyxform's answer for this exact file content is kept (``EVALKIT_CACHE=off`` disables)."""
    root = user_cache_dir()
    if root is None:
        return None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return root / "pyxform" / f"{digest}-{metadata.version('pyxform')}.json"
    except OSError:
        return None


def run_pyxform(path: str | Path) -> tuple[dict[str, Any] | None, Exception | None]:
    """pyxform's parsed JSON, after checking that it also converts to an XForm.

    pyxform takes about half a second per workbook and every Voila page (a new kernel)
    loads every instrument, so a successful answer is kept as JSON in the user's cache,
    named by the file's sha256 and pyxform's version: the same bytes give the same
    answer, and any change to the file is a different name.  JSON, never pickle: a cache
    file cannot run code.  A cache that cannot be read or written is simply not used.
    """
    path = Path(path)
    cache = _cache_file(path)
    if cache is not None and cache.exists():
        try:
            return json.loads(cache.read_text(encoding="utf-8")), None
        except (OSError, ValueError):
            pass
    try:
        data = parse_file_to_json(str(path), warnings=[])
        convert(xlsform=str(path), validate=False, warnings=[])
    except Exception as exc:  # noqa: BLE001 - pyxform raises more than PyXFormError
        return None, exc
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, cache)
        except (OSError, TypeError, ValueError):
            pass
    return data, None


_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_COLUMN = re.compile(r"the '([^']+)' (?:value|column)")
_SHEET = re.compile(r"On the '([^']+)' sheet")


def pyxform_problem(form: RawForm, exc: Exception) -> Problem:
    """An ``instrument-pyxform-error`` naming the file and, if pyxform says, the row."""
    message = str(exc) if isinstance(exc, PyXFormError) else f"{type(exc).__name__}: {exc}"
    context = getattr(exc, "context", {}) or {}
    found = _ROW.search(message)
    row = context.get("row") or (int(found.group(1)) if found else None) or _row_named(form, message)
    sheet = _SHEET.search(message)
    sheet_name = sheet.group(1) if sheet else (SURVEY if row else None)
    column = _COLUMN.search(message)
    field = None
    if row and sheet_name == SURVEY:
        field = next((r.get("name") or None for r in form.survey.rows if r.row == int(row)), None)
    where = f"（工作表「{sheet_name}」第 {row} 行）" if row else ""
    return problem(PYXFORM_ERROR, file=form.file, sheet=sheet_name, row=row,
                   column=column.group(1) if column else None, field=field,
                   where=where, detail=_ROW.sub("", message).strip().rstrip(".。"))


def _row_named(form: RawForm, message: str) -> int | None:
    """When pyxform gives no row, the survey row whose type is the value it quotes."""
    quoted = set(re.findall(r"'([^']+)'", message))
    return next((r.row for r in form.survey.rows if r.get("type") in quoted), None)
