"""Repeat groups of ODK / Kobo exports: linking the rows of each repeat table to the row they belong to.

ODK Central: a repeat row's ``PARENT_KEY`` is the ``KEY`` of its parent row
(``uuid:…/calls[2]`` for the second call).  KoboToolbox: a repeat row carries
``_parent_table_name`` and ``_parent_index`` (the parent sheet and its ``_index``) and
``_submission__uuid``.  The rows of one record are filled into its answers level by level
(:func:`fill_level`); a repeat row that belongs to no record is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evalkit.forms import base_type, is_empty, iter_fields
from evalkit.interop.answers import cell_value, iter_value_fields
from evalkit.interop.candidates import Candidate, Cell, at, at_missing
from evalkit.interop.problems import (
    IMPORT_COLUMN_MISSING,
    IMPORT_PHOTO_SKIPPED,
    IMPORT_REPEAT_ORPHAN,
    IMPORT_REPEAT_TABLE_MISSING,
)
from evalkit.interop.xform_columns import find_column, map_level, strip_uuid, value_at
from evalkit.interop.xform_files import Export
from evalkit.io import tables
from evalkit.problems import Problem, problem


@dataclass
class RepeatRows:
    """The repeat tables of one export, their rows grouped by the key of the row they belong to."""

    export: Export
    source: str
    groups: dict[str, dict[str, list]] = field(default_factory=dict)   # repeat -> parent key -> [(row, cells)]
    layouts: dict[str, tuple[dict[str, int], int | None]] = field(default_factory=dict)  # (field columns, own key)
    consumed: set[tuple[str, int]] = field(default_factory=set)        # (repeat, row) placed in a record


def _parent_column(table: tables.Table, source: str) -> int | None:
    return find_column(table, "PARENT_KEY") if source == "odk" else find_column(table, "_parent_index")


def link_repeats(export: Export, instrument, source: str) -> tuple[RepeatRows, list[Problem]]:
    """Map every repeat table's columns and group its rows by parent; a missing table is a warning."""
    problems: list[Problem] = []
    repeat_fields = {f.name: (path, f) for path, f in iter_fields(instrument) if base_type(f) == "repeat"}
    repeats = RepeatRows(export, source)
    for name, table in export.repeats.items():
        path, f = repeat_fields[name]
        idx, found = map_level(instrument, f.children, table, (*path, name), source=source)
        problems += found
        parent_col = _parent_column(table, source)
        own_col = find_column(table, "KEY") if source == "odk" else find_column(table, "_index")
        table_col = find_column(table, "_parent_table_name")
        sub_uuid = find_column(table, "_submission__uuid")
        if parent_col is None and sub_uuid is None:
            link = "PARENT_KEY" if source == "odk" else "_parent_index"
            problems.append(problem(IMPORT_COLUMN_MISSING,
                                    **at_missing(Cell(table.file, table.sheet, table.header_row, link)),
                                    field=name, label="重复组与上级记录的链接"))
            continue
        groups: dict[str, list] = {}
        for row, cells in table.rows:
            if parent_col is not None and tables.text(value_at(cells, parent_col)).strip():
                parent = tables.text(value_at(cells, parent_col)).strip()
                if source == "kobo":
                    parent_table = tables.text(value_at(cells, table_col)).strip() if table_col is not None else ""
                    parent = f"{parent_table}#{parent}" if parent_table else f"#{parent}"
            else:
                parent = "uuid#" + strip_uuid(value_at(cells, sub_uuid))
            groups.setdefault(parent, []).append((row, cells))
        repeats.groups[name] = groups
        repeats.layouts[name] = (idx, own_col)
    for name, (_, f) in repeat_fields.items():
        if name not in export.repeats:
            problems.append(problem(IMPORT_REPEAT_TABLE_MISSING, file=export.main.file, instrument=instrument.id,
                                    field=name, label=f.label))
    return repeats, problems


def main_row_keys(source: str, sheet: str | None, own: str, source_id: str) -> set[str]:
    """The keys by which repeat rows name a main-table row (``own``: its KEY / _index cell)."""
    if source == "odk":
        return {own, "uuid:" + source_id, source_id} - {""}
    keys = {f"{sheet}#{own}", f"#{own}"} if own else set()
    keys.add("uuid#" + source_id)
    return keys


@dataclass
class Filling:
    """What filling one record's answers needs besides the row: the instrument, the record, the repeat rows."""

    instrument: Any
    cand: Candidate
    repeats: RepeatRows
    labels_used: dict


def fill_level(fill: Filling, fields, table: tables.Table, index: dict[str, int], row: int, cells: tuple,
               target: dict, path: str, keys: set[str]) -> list[Problem]:
    """Put one row's values (and its repeat rows, recursively) into ``target``."""
    problems: list[Problem] = []
    for _, f in iter_value_fields(fields):
        kind = base_type(f)
        if kind == "repeat":
            problems += _fill_repeat(fill, f, target, path, keys)
            continue
        if kind in ("note", "calculate") or f.name not in index:
            continue
        i = index[f.name]
        header = table.headers[i]
        cell = Cell(table.file, table.sheet, row, header)
        raw = value_at(cells, i)
        if kind == "image":
            if not is_empty(tables.clean(raw)):
                problems.append(problem(IMPORT_PHOTO_SKIPPED, **at(cell), field=f.name,
                                        value=tables.text(raw)[:80]))
            continue
        fill.cand.cells[path + f.name] = cell
        value = cell_value(fill.instrument, f, raw, fill.labels_used, header)
        if value is None or value == []:
            continue
        target[f.name] = value
    return problems


def _fill_repeat(fill: Filling, f, target: dict, path: str, keys: set[str]) -> list[Problem]:
    """The instances of repeat ``f`` whose rows belong to the row with ``keys``, in row order."""
    groups = fill.repeats.groups.get(f.name)
    if not groups:
        return []
    rows = []
    for key in keys:
        rows += groups.get(key, [])
    rows = sorted({r: (r, c) for r, c in rows}.values(), key=lambda rc: rc[0])
    if not rows:
        return []
    sub_index, own_col = fill.repeats.layouts[f.name]
    sub_table = fill.repeats.export.repeats[f.name]
    problems: list[Problem] = []
    instances = []
    for n, (sub_row, sub_cells) in enumerate(rows, start=1):
        fill.repeats.consumed.add((f.name, sub_row))
        instance: dict = {}
        sub_path = f"{path}{f.name}[{n}]."
        fill.cand.cells[f"{path}{f.name}[{n}]"] = Cell(sub_table.file, sub_table.sheet, sub_row, None)
        own = tables.text(value_at(sub_cells, own_col)).strip() if own_col is not None else ""
        sub_keys = ({own} if fill.repeats.source == "odk" else {f"{sub_table.sheet}#{own}"}) if own else set()
        problems += fill_level(fill, f.children, sub_table, sub_index, sub_row, sub_cells, instance, sub_path,
                               sub_keys)
        instances.append(instance)
    target[f.name] = instances
    return problems


def orphan_problems(repeats: RepeatRows) -> list[Problem]:
    """Repeat rows that no record took: their parent is not in the export."""
    problems: list[Problem] = []
    for name, groups in repeats.groups.items():
        table = repeats.export.repeats[name]
        parent_col = _parent_column(table, repeats.source)
        for rows in groups.values():
            for row, cells in rows:
                if (name, row) not in repeats.consumed:
                    header = table.headers[parent_col] if parent_col is not None else "_submission__uuid"
                    problems.append(problem(IMPORT_REPEAT_ORPHAN, **at(Cell(table.file, table.sheet, row, header)),
                                            value=tables.text(value_at(cells, parent_col))
                                            if parent_col is not None else ""))
    return problems
