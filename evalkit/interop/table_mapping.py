"""The column mapping of a questionnaire table: which table column holds which instrument field.

The mapping is an .xlsx / .csv with columns 列 (the table's column header) and 字段
(the field name or its label; ``-`` ignores the column), or inline ``'列=字段,列=字段'``.
Two special targets: ``_submitted`` (提交时间: when the respondent submitted) and ``-``.
It is checked before anything is read as answers: a column that maps to nothing, a field
that does not exist (with a did-you-mean), a required field without a column, a column
named twice.
"""

from __future__ import annotations

import re
from pathlib import Path

from evalkit.forms import base_type, iter_fields
from evalkit.interop.answers import iter_value_fields
from evalkit.interop.candidates import Cell, at, where
from evalkit.interop.problems import (
    IMPORT_MAP_COLUMN_ABSENT,
    IMPORT_MAP_COLUMN_UNMAPPED,
    IMPORT_MAP_CONDITIONAL_MISSING,
    IMPORT_MAP_FIELD_REPEAT,
    IMPORT_MAP_FIELD_TWICE,
    IMPORT_MAP_FIELD_UNKNOWN,
    IMPORT_MAP_INVALID,
    IMPORT_MAP_REQUIRED_MISSING,
)
from evalkit.interop.source_tables import csv_from_bytes, sheet_rows
from evalkit.io import tables
from evalkit.problems import FILE_MISSING, Problem, did_you_mean, problem

IGNORE = {"-", "忽略", "ignore", "（忽略）"}
SUBMITTED = {"_submitted", "提交时间", "submitted"}
MAP_COLUMNS = {"column": ("列", "表格列", "列名", "column"), "field": ("字段", "字段名", "field", "name")}


def _map_where(row: int | None, sheet: str | None = None) -> str:
    return where(Cell("", sheet, row, None))


def read_mapping(spec: str, base: Path | None = None) -> tuple[list[tuple[str, str, int | None]], str, list[Problem]]:
    """(column, field, row) pairs from a mapping file or an inline ``'col=field,…'``; the mapping's name; problems."""
    path = Path(spec)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".csv"):
        return _read_mapping_file(path)
    pairs = []
    for part in (p for p in re.split(r"[,，;；\n]", spec) if p.strip()):
        if "=" not in part:
            return [], "--map", [problem(IMPORT_MAP_INVALID, file="--map", where="",
                                         detail=f"「{part.strip()}」不是 列=字段 的形式")]
        column, target = part.split("=", 1)
        pairs.append((column.strip(), target.strip(), None))
    if not pairs:
        return [], "--map", [problem(IMPORT_MAP_INVALID, file="--map", where="", detail="对照表是空的")]
    return pairs, "--map", []


def _read_mapping_file(path: Path) -> tuple[list[tuple[str, str, int | None]], str, list[Problem]]:
    file = str(path)
    if not path.is_file():
        return [], file, [problem(FILE_MISSING, file=file)]
    if path.suffix.lower() == ".csv":
        table, problems = csv_from_bytes(path.read_bytes(), file)
    else:
        wb, problems = tables.open_workbook(path)
        table = sheet_rows(wb.worksheets[0], file) if wb is not None and wb.worksheets else None
    if table is None:
        return [], file, problems or [problem(IMPORT_MAP_INVALID, file=file, where="", detail="没有工作表")]
    lowered = [h.strip().lower() for h in table.headers]
    cols = {}
    for key, names in MAP_COLUMNS.items():
        cols[key] = next((lowered.index(n.lower()) for n in names if n.lower() in lowered), None)
    if cols["column"] is None or cols["field"] is None:
        return [], file, [problem(IMPORT_MAP_INVALID, file=file, sheet=table.sheet, row=1,
                                  where=_map_where(1, table.sheet), detail="缺少「列」或「字段」表头")]
    pairs = []
    for row, cells in table.rows:
        column = tables.text(cells[cols["column"]] if cols["column"] < len(cells) else "").strip()
        target = tables.text(cells[cols["field"]] if cols["field"] < len(cells) else "").strip()
        if column:
            pairs.append((column, target, row))
    return pairs, file, []


def check_mapping(instrument, table: tables.Table, pairs, map_name: str, *,
                  constants: dict[str, str]) -> tuple[dict[str, int], int | None, list[Problem]]:
    """Field -> column index, the submitted-time column, and the mapping's problems."""
    problems: list[Problem] = []
    top = {f.name: f for _, f in iter_value_fields(instrument.fields)}
    by_label = {}
    for f in top.values():
        by_label.setdefault(f.label.strip(), []).append(f.name)
    in_repeat = {f.name: path[-1] for path, f in iter_fields(instrument) if path and f.name not in top}
    headers = [h.strip() for h in table.headers]
    mapped_columns: set[str] = set()
    index: dict[str, int] = {}
    first_column: dict[str, str] = {}
    submitted = None
    for column, target, row in pairs:
        mw = _map_where(row)
        mapped_columns.add(column)
        if target in IGNORE or target == "":
            continue
        if column not in headers:
            problems.append(problem(IMPORT_MAP_COLUMN_ABSENT, file=table.file, map=map_name, map_where=mw,
                                    column=column, row=row, hint=did_you_mean(column, headers)))
            continue
        i = headers.index(column)
        if target in SUBMITTED:
            submitted = i
            continue
        labelled = by_label.get(target, [])
        name = target if target in top else (labelled[0] if len(labelled) == 1 else None)
        if name is None:
            if target in in_repeat:
                problems.append(problem(IMPORT_MAP_FIELD_REPEAT, map=map_name, map_where=mw, column=column,
                                        value=target, repeat=in_repeat[target], row=row, file=map_name))
            else:
                problems.append(problem(IMPORT_MAP_FIELD_UNKNOWN, map=map_name, map_where=mw, column=column,
                                        value=target, instrument=instrument.id, hint=did_you_mean(target, list(top)),
                                        row=row, file=map_name, field=target))
            continue
        if base_type(top[name]) in ("note", "calculate", "repeat"):
            problems.append(problem(IMPORT_MAP_FIELD_UNKNOWN, map=map_name, map_where=mw, column=column, value=target,
                                    instrument=instrument.id, row=row, file=map_name, field=target,
                                    hint="（该字段是说明、计算或重复组，不能从表格填写）"))
            continue
        if name in index:
            problems.append(problem(IMPORT_MAP_FIELD_TWICE, map=map_name, column=first_column[name], other=column,
                                    value=name, file=map_name, field=name))
            continue
        index[name], first_column[name] = i, column
    for header in headers:
        if header and header not in mapped_columns:
            problems.append(problem(IMPORT_MAP_COLUMN_UNMAPPED,
                                    **at(Cell(table.file, table.sheet, table.header_row, header)),
                                    instrument=instrument.id, hint=_field_hint(header, top)))
    problems += _required_problems(instrument, top, index, constants, map_name)
    return index, submitted, problems


def _required_problems(instrument, top: dict, index: dict[str, int], constants: dict[str, str],
                       map_name: str) -> list[Problem]:
    """Required fields without a column (and without a value for all rows); conditional ones are warnings."""
    problems: list[Problem] = []
    for f in top.values():
        if f.required and f.name not in index and f.name not in constants and base_type(f) not in ("note", "calculate"):
            extra = "，或用 --unit / --assessor 为所有行指定" if f.role in ("unit", "assessor") else ""
            if f.relevant:
                problems.append(problem(IMPORT_MAP_CONDITIONAL_MISSING, file=map_name, instrument=instrument.id,
                                        field=f.name, label=f.label, relevant=f.relevant))
                continue
            problems.append(problem(IMPORT_MAP_REQUIRED_MISSING, file=map_name, instrument=instrument.id,
                                    field=f.name, label=f.label, extra=extra))
    return problems


def _field_hint(header: str, top: dict) -> str:
    """「，是否应对应字段 q_waiting（等候和办理时间）？」 for the field whose name or label is closest."""
    keys = {f.label: name for name, f in top.items() if f.label and base_type(f) not in ("note", "calculate", "repeat")}
    keys.update({name: name for name, f in top.items() if base_type(f) not in ("note", "calculate", "repeat")})
    hint = did_you_mean(header, list(keys))
    match = re.search(r"「(.*?)」", hint)
    if not match or match.group(1) not in keys:
        return ""
    name = keys[match.group(1)]
    return f"（是否应对应字段 {name}「{top[name].label}」？）"
