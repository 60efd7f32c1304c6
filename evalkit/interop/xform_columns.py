"""The columns of an ODK / Kobo export table: which field each one holds, and the source's own columns.

Field columns are matched by name, by group path joined with ``-`` (ODK) or ``/`` (Kobo),
case-insensitively; ``field/code`` 0/1 columns of a select_multiple and the metadata columns
of ODK, Kobo and XLSForm are ignored.  A column that is no field and a field without a
column are problems (the export is probably from another version of the form).
"""

from __future__ import annotations

from typing import Any

from evalkit.forms import base_type
from evalkit.interop.answers import iter_value_fields
from evalkit.interop.candidates import Cell, at, at_missing, close_to
from evalkit.interop.problems import IMPORT_COLUMN_MISSING, IMPORT_COLUMN_MISSING_OPTIONAL, IMPORT_COLUMN_UNKNOWN
from evalkit.io import tables
from evalkit.problems import Problem, problem

ODK_META = {"submissiondate", "key", "parent_key", "submitterid", "submittername", "attachmentspresent",
            "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion", "instanceid"}
XLSFORM_META = {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
                "audit", "start-geopoint", "background-audio", "email"}


def _is_meta(header: str) -> bool:
    low = header.strip().lower()
    return (not low or low.startswith("_") or low in ODK_META or low in XLSFORM_META
            or low.startswith(("meta-", "meta/", "formhub/")))


def _variants(full: tuple[str, ...], rel: tuple[str, ...], name: str) -> list[str]:
    out = [name]
    for path in (rel, full):
        for sep in ("-", "/"):
            out.append(sep.join((*path, name)))
    return list(dict.fromkeys(out))


def map_level(instrument, fields, table: tables.Table, full_prefix: tuple[str, ...], *, source: str,
              extra: set[str] = frozenset()) -> tuple[dict[str, int], list[Problem]]:
    """Field name -> column index for one level (main table or one repeat table), and the problems."""
    lookup: dict[str, Any] = {}
    expansions: set[str] = set()
    level_fields = []
    for rel, f in iter_value_fields(fields):
        level_fields.append((rel, f))
        for v in _variants((*full_prefix, *rel), rel, f.name):
            lookup.setdefault(v, f)
            lookup.setdefault(v.lower(), f)
            if base_type(f) == "select_multiple":
                expansions.add(v.lower() + "/")
    index: dict[str, int] = {}
    problems: list[Problem] = []
    names = [f.name for _, f in level_fields]
    for i, header in enumerate(table.headers):
        h = header.strip()
        f = lookup.get(h) or lookup.get(h.lower())
        if f is not None and base_type(f) != "repeat":
            index.setdefault(f.name, i)
            continue
        if f is not None or h in extra or _is_meta(h) or any(h.lower().startswith(e) for e in expansions):
            continue
        last = h.replace("-", "/").split("/")[-1]
        problems.append(problem(IMPORT_COLUMN_UNKNOWN, **at(Cell(table.file, table.sheet, table.header_row, h)),
                                instrument=instrument.id, version=instrument.version,
                                hint=close_to(last, names)))
    for rel, f in level_fields:
        kind = base_type(f)
        if f.name in index or kind in ("repeat", "note", "calculate") or f.name in extra:
            continue
        column = "-".join((*rel, f.name)) if source == "odk" else "/".join((*full_prefix, *rel, f.name))
        code = IMPORT_COLUMN_MISSING if f.required else IMPORT_COLUMN_MISSING_OPTIONAL
        problems.append(problem(code, **at_missing(Cell(table.file, table.sheet, table.header_row, column)),
                                field=f.name, label=f.label))
    return index, problems


def find_column(table: tables.Table, *names: str) -> int | None:
    """The index of the first of ``names`` among the headers (case-insensitive), or None."""
    lowered = [h.strip().lower() for h in table.headers]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def value_at(cells: tuple, i: int | None) -> Any:
    """The cell in column ``i`` ("" when there is no such column or the row is short)."""
    return cells[i] if i is not None and i < len(cells) else ""


def strip_uuid(value: Any) -> str:
    value = tables.text(value).strip()
    return value[5:] if value.lower().startswith("uuid:") else value
