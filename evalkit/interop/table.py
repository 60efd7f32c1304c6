"""Questionnaires collected elsewhere: a table (one row per respondent) plus a column mapping.

The mapping (:mod:`evalkit.interop.table_mapping`) says which table column holds which
instrument field, and is checked before anything is read as answers.  Answers given as
option labels (「满意」) become their codes (``4``) when exactly one option has that label.
Then every row is checked like any form entry and the rows are imported as records with
stable ids (sha256 of the file + row number), so a re-import of the same file adds nothing.
:func:`write_template` writes a mapping template listing the instrument's fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from evalkit.forms import base_type
from evalkit.interop.answers import cell_value, iter_value_fields, mapped_label_problems, parse_time, role_field
from evalkit.interop.candidates import Candidate, Cell, stable_id, where
from evalkit.interop.import_writing import ImportResult, run_import
from evalkit.interop.problems import IMPORT_FORMAT_UNKNOWN, IMPORT_NO_RECORDS, IMPORT_TEMPLATE_EXISTS
from evalkit.interop.source_tables import csv_from_bytes, sheet_rows
from evalkit.interop.table_mapping import check_mapping, read_mapping
from evalkit.io import tables, xlsx
from evalkit.problems import FILE_MISSING, FILE_UNREADABLE, Problem, problem


def read_table(path: Path, sheet: str | None = None) -> tuple[tables.Table | None, bytes, list[Problem]]:
    file = str(path)
    if not path.is_file():
        return None, b"", [problem(FILE_MISSING, file=file)]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, b"", [problem(FILE_UNREADABLE, file=file, detail=exc.strerror or str(exc))]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        table, problems = csv_from_bytes(data, file)
        return table, data, problems
    if suffix in (".xlsx", ".xlsm"):
        wb, problems = tables.open_workbook(path)
        if wb is None:
            return None, data, problems
        if sheet:
            ws, problems = tables.find_sheet(wb, file, [sheet])
            if ws is None:
                return None, data, problems
        else:
            ws = wb.worksheets[0]
        return sheet_rows(ws, file), data, []
    return None, data, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="问卷表格", detail=f"扩展名「{suffix}」不支持",
                                expected=".xlsx 或 .csv 表格（一行一份问卷）")]


def import_table(root: Path, path: Path, instrument, mapping: str, *, units, unit_problems: Sequence[Problem] = (),
                 sheet: str | None = None, unit: str | None = None, assessor: str | None = None,
                 skip_invalid: bool = False, dry_run: bool = False, now=None) -> ImportResult:
    """Check the mapping, then every row, then import the rows as records into ``root`` (all or nothing).

    ``units`` is the project's unit list or None, ``unit_problems`` what reading it found
    (see :func:`~evalkit.interop.import_writing.run_import`)."""
    path = Path(path)
    file = str(path)
    result = ImportResult(source="table", file=file, instrument=instrument.id, dry_run=dry_run)
    table, data, problems = read_table(path, sheet)
    pairs, map_name, found = read_mapping(mapping)
    problems += found
    if table is None or found:
        result.problems = problems
        return result
    if not table.rows:
        result.problems = problems + [problem(IMPORT_NO_RECORDS, file=file, sheet=table.sheet,
                                              where=where(Cell(file, table.sheet, None, None)))]
        return result
    constants = {}
    unit_field, assessor_field = role_field(instrument, "unit"), role_field(instrument, "assessor")
    if unit and unit_field is not None:
        constants[unit_field.name] = unit
    if assessor and assessor_field is not None:
        constants[assessor_field.name] = assessor
    index, submitted_col, found = check_mapping(instrument, table, pairs, map_name, constants=constants)
    problems += found
    if any(p.is_error for p in problems):
        result.problems = problems
        return result
    candidates, labels_used = _candidates(instrument, file, table, data, index, submitted_col, constants)
    problems += mapped_label_problems(labels_used, file, table.sheet)
    return run_import(root, instrument, candidates, problems, source="table", file=file, units=units,
                      unit_problems=unit_problems, skip_invalid=skip_invalid, dry_run=dry_run, now=now)


def _candidates(instrument, file: str, table: tables.Table, data: bytes, index: dict[str, int],
                submitted_col: int | None, constants: dict[str, str]) -> tuple[list[Candidate], dict]:
    """One candidate per row (ids from the file's sha256 and the row), and the labels turned into codes."""
    digest = hashlib.sha256(data).hexdigest()
    top = {f.name: f for _, f in iter_value_fields(instrument.fields)}
    date_field = next((f for f in top.values() if base_type(f) == "date" and f.required), None)
    candidates, labels_used = [], {}
    for row, cells in table.rows:
        cand = Candidate(source_id=f"{digest}#{row}", instance_id=stable_id("table", instrument.id, digest, str(row)),
                         where=Cell(file, table.sheet, row, None), raw=dict(constants))
        for name, i in index.items():
            header = table.headers[i]
            raw = cells[i] if i < len(cells) else ""
            value = cell_value(instrument, top[name], raw, labels_used, header)
            cand.cells[name] = Cell(file, table.sheet, row, header)
            if value is not None and value != []:
                cand.raw[name] = value
        if submitted_col is not None:
            cand.submitted = parse_time(cells[submitted_col] if submitted_col < len(cells) else "")
        if cand.submitted is None and date_field is not None and isinstance(cand.raw.get(date_field.name), str):
            cand.submitted = parse_time(cand.raw[date_field.name])
        cand.ended = cand.started = cand.submitted
        candidates.append(cand)
    return candidates, labels_used


def write_template(instrument, output: Path) -> tuple[Path | None, list[Problem]]:
    """A mapping workbook listing the instrument's fields; the user fills in 列."""
    output = Path(output)
    if output.exists():
        return None, [problem(IMPORT_TEMPLATE_EXISTS, file=str(output))]
    rows = []
    for _, f in iter_value_fields(instrument.fields):
        kind = base_type(f)
        if kind in ("note", "calculate", "repeat", "image"):
            continue
        options = instrument.choices.get(f.list_name, ()) if f.list_name else ()
        rows.append(["", f.name, f.label, kind, "是" if f.required else "",
                     "；".join(f"{c.name}={c.label}" for c in options), f.relevant])
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("对照表")
    xlsx.write_table(ws, ["列", "字段", "题目", "类型", "必填", "选项（代码=标签，可填代码或标签）", "何时适用"], rows)
    ws.column_dimensions["A"].width = 24  # the column the user fills in
    xlsx.save(wb, output)
    return output, []
