"""Questionnaires collected elsewhere: a table (one row per respondent) plus a column mapping.

The mapping says which table column holds which instrument field.  It is checked
before anything is read as answers: a column that maps to nothing, a field that does
not exist (with a did-you-mean), a required field without a column, a column named
twice.  Answers given as option labels (「满意」) become their codes (``4``) when exactly
one option has that label.  Then every row is checked like any form entry and the
rows are imported as records with stable ids (sha256 of the file + row number), so a
re-import of the same file adds nothing.

The mapping is an .xlsx / .csv with columns 列 (the table's column header) and 字段
(the field name; ``-`` ignores the column), or inline ``'列=字段,列=字段'``.  Two
special targets: ``_submitted`` (提交时间: when the respondent submitted) and ``-``.
:func:`write_template` writes a mapping template listing the instrument's fields.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from evalkit.interop import imports
from evalkit.interop.xform import csv_from_bytes, sheet_rows
from evalkit.interop.imports import Candidate, Cell, at, cell_value, iter_value_fields, stable_id
from evalkit.problems import ERROR, WARNING, FILE_MISSING, FILE_UNREADABLE, Problem, did_you_mean, problem, register
from evalkit.forms import base_type
from evalkit.io.tables import Table, text

IGNORE = {"-", "忽略", "ignore", "（忽略）"}
SUBMITTED = {"_submitted", "提交时间", "submitted"}
MAP_COLUMNS = {"column": ("列", "表格列", "列名", "column"), "field": ("字段", "字段名", "field", "name")}

MAP_UNREADABLE = register(
    "import-map-invalid", ERROR,
    "对照表 {file}{where} 无法使用：{detail}。对照表应有「列」和「字段」两列（或写成 '列=字段,列=字段'）；"
    "可用 evalkit import … --template 生成模板。")
MAP_COLUMN_UNMAPPED = register(
    "import-map-column-unmapped", ERROR,
    "{file}{where}不在对照表中，对应不到调查工具 {instrument} 的任何字段{hint}。请在对照表中为它填写字段名；"
    "确实不需要的列，字段填「-」表示忽略。", "表格的列对应不到字段")
MAP_FIELD_UNKNOWN = register(
    "import-map-field-unknown", ERROR,
    "对照表 {map}{map_where}：列「{column}」对应的字段「{value}」在调查工具 {instrument} 中不存在{hint}。"
    "请改为调查工具中的字段名（可用 --template 列出全部字段）。", "对照表中的字段不存在")
MAP_FIELD_REPEAT = register(
    "import-map-field-repeat", ERROR,
    "对照表 {map}{map_where}：列「{column}」对应的是重复组「{repeat}」中的字段 {value}，一行一份问卷的表格不能导入重复组。"
    "请去掉该列的对应（字段填「-」），或改用 ODK / KoboToolbox 导出。")
MAP_COLUMN_ABSENT = register(
    "import-map-column-absent", ERROR,
    "对照表 {map}{map_where}：列「{column}」在 {file} 的表头中找不到{hint}。请把对照表中的列名改成与表头完全一致。")
MAP_FIELD_TWICE = register(
    "import-map-field-twice", ERROR,
    "对照表 {map} 把列「{column}」和「{other}」都对应到字段 {value}：一个字段只能来自一列，请删去其中一个对应。")
MAP_REQUIRED_MISSING = register(
    "import-map-required-missing", ERROR,
    "调查工具 {instrument} 的必填字段 {field}（{label}）在对照表中没有对应的列：请在对照表中添加该字段的列{extra}。",
    "必填字段没有对应的列")
MAP_CONDITIONAL_MISSING = register(
    "import-map-conditional-missing", WARNING,
    "调查工具 {instrument} 的字段 {field}（{label}）只在 {relevant} 时必填，对照表中没有它的列：需要它的行会报错。"
    "如表格中有该题，请在对照表中添加。")
TEMPLATE_EXISTS = register(
    "import-template-exists", ERROR, "{file} 已存在：evalkit 不覆盖已有文件，请换一个文件名。")


def _map_where(row: int | None, sheet: str | None = None) -> str:
    return imports.where(Cell("", sheet, row, None))


def read_mapping(spec: str, base: Path | None = None) -> tuple[list[tuple[str, str, int | None]], str, list[Problem]]:
    """(column, field, row) pairs from a mapping file or an inline ``'col=field,…'``; the mapping's name; problems."""
    path = Path(spec)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".csv"):
        file = str(path)
        if not path.is_file():
            return [], file, [problem(FILE_MISSING, file=file)]
        if path.suffix.lower() == ".csv":
            table, problems = csv_from_bytes(path.read_bytes(), file)
        else:
            from evalkit.io.tables import open_workbook

            wb, problems = open_workbook(path)
            table = sheet_rows(wb.worksheets[0], file) if wb is not None and wb.worksheets else None
        if table is None:
            return [], file, problems or [problem(MAP_UNREADABLE, file=file, where="", detail="没有工作表")]
        lowered = [h.strip().lower() for h in table.headers]
        cols = {}
        for key, names in MAP_COLUMNS.items():
            cols[key] = next((lowered.index(n.lower()) for n in names if n.lower() in lowered), None)
        if cols["column"] is None or cols["field"] is None:
            return [], file, [problem(MAP_UNREADABLE, file=file, sheet=table.sheet, row=1,
                                      where=_map_where(1, table.sheet), detail="缺少「列」或「字段」表头")]
        pairs = []
        for row, cells in table.rows:
            column = text(cells[cols["column"]] if cols["column"] < len(cells) else "").strip()
            target = text(cells[cols["field"]] if cols["field"] < len(cells) else "").strip()
            if column:
                pairs.append((column, target, row))
        return pairs, file, []
    pairs = []
    for n, part in enumerate(p for p in re.split(r"[,，;；\n]", spec) if p.strip()):
        if "=" not in part:
            return [], "--map", [problem(MAP_UNREADABLE, file="--map", where="", detail=f"「{part.strip()}」不是 列=字段 的形式")]
        column, target = part.split("=", 1)
        pairs.append((column.strip(), target.strip(), None))
    if not pairs:
        return [], "--map", [problem(MAP_UNREADABLE, file="--map", where="", detail="对照表是空的")]
    return pairs, "--map", []


def check_mapping(instrument, table: Table, pairs, map_name: str, *, constants: dict[str, str]) -> tuple[dict[str, int], int | None, list[Problem]]:
    """Field -> column index, the submitted-time column, and the mapping's problems."""
    from evalkit.forms import iter_fields

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
            problems.append(problem(MAP_COLUMN_ABSENT, file=table.file, map=map_name, map_where=mw, column=column,
                                    row=row, hint=did_you_mean(column, headers)))
            continue
        i = headers.index(column)
        if target in SUBMITTED:
            submitted = i
            continue
        name = target if target in top else (by_label.get(target, [None])[0] if len(by_label.get(target, [])) == 1 else None)
        if name is None:
            if target in in_repeat:
                problems.append(problem(MAP_FIELD_REPEAT, map=map_name, map_where=mw, column=column, value=target,
                                        repeat=in_repeat[target], row=row, file=map_name))
            else:
                problems.append(problem(MAP_FIELD_UNKNOWN, map=map_name, map_where=mw, column=column, value=target,
                                        instrument=instrument.id, hint=did_you_mean(target, list(top)), row=row,
                                        file=map_name, field=target))
            continue
        if base_type(top[name]) in ("note", "calculate", "repeat"):
            problems.append(problem(MAP_FIELD_UNKNOWN, map=map_name, map_where=mw, column=column, value=target,
                                    instrument=instrument.id, row=row, file=map_name, field=target,
                                    hint="（该字段是说明、计算或重复组，不能从表格填写）"))
            continue
        if name in index:
            problems.append(problem(MAP_FIELD_TWICE, map=map_name, column=first_column[name], other=column, value=name,
                                    file=map_name, field=name))
            continue
        index[name], first_column[name] = i, column
    for i, header in enumerate(headers):
        if header and header not in mapped_columns:
            problems.append(problem(MAP_COLUMN_UNMAPPED, **at(Cell(table.file, table.sheet, table.header_row, header)),
                                    instrument=instrument.id,
                                    hint=_field_hint(header, top)))
    for f in top.values():
        if f.required and f.name not in index and f.name not in constants and base_type(f) not in ("note", "calculate"):
            extra = "，或用 --unit / --assessor 为所有行指定" if f.role in ("unit", "assessor") else ""
            if f.relevant:
                problems.append(problem(MAP_CONDITIONAL_MISSING, file=map_name, instrument=instrument.id, field=f.name,
                                        label=f.label, relevant=f.relevant))
                continue
            problems.append(problem(MAP_REQUIRED_MISSING, file=map_name, instrument=instrument.id, field=f.name,
                                    label=f.label, extra=extra))
    return index, submitted, problems


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


def read_table(path: Path, sheet: str | None = None) -> tuple[Table | None, bytes, list[Problem]]:
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
        from evalkit.io.tables import find_sheet, open_workbook

        wb, problems = open_workbook(path)
        if wb is None:
            return None, data, problems
        if sheet:
            ws, problems = find_sheet(wb, file, [sheet])
            if ws is None:
                return None, data, problems
        else:
            ws = wb.worksheets[0]
        return sheet_rows(ws, file), data, []
    return None, data, [problem(imports.FORMAT_UNKNOWN, file=file, source="问卷表格", detail=f"扩展名「{suffix}」不支持",
                                expected=".xlsx 或 .csv 表格（一行一份问卷）")]


def import_table(root: Path, path: Path, instrument, mapping: str, *, sheet: str | None = None,
                 unit: str | None = None, assessor: str | None = None, skip_invalid: bool = False,
                 dry_run: bool = False, units=None, now=None) -> imports.ImportResult:
    """Check the mapping, then every row, then import the rows as records (all or nothing)."""
    path = Path(path)
    file = str(path)
    result = imports.ImportResult(source="table", file=file, instrument=instrument.id, dry_run=dry_run)
    table, data, problems = read_table(path, sheet)
    pairs, map_name, found = read_mapping(mapping)
    problems += found
    if table is None or found:
        result.problems = problems
        return result
    if not table.rows:
        result.problems = problems + [problem(imports.NOTHING, file=file, sheet=table.sheet,
                                              where=imports.where(Cell(file, table.sheet, None, None)))]
        return result
    constants = {}
    unit_field, assessor_field = imports.role_field(instrument, "unit"), imports.role_field(instrument, "assessor")
    if unit and unit_field is not None:
        constants[unit_field.name] = unit
    if assessor and assessor_field is not None:
        constants[assessor_field.name] = assessor
    index, submitted_col, found = check_mapping(instrument, table, pairs, map_name, constants=constants)
    problems += found
    if any(p.is_error for p in problems):
        result.problems = problems
        return result
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
            cand.submitted = imports.parse_time(cells[submitted_col] if submitted_col < len(cells) else "")
        if cand.submitted is None and date_field is not None and isinstance(cand.raw.get(date_field.name), str):
            cand.submitted = imports.parse_time(cand.raw[date_field.name])
        cand.ended = cand.started = cand.submitted
        candidates.append(cand)
    problems += imports.mapped_label_problems(labels_used, file, table.sheet)
    return imports.run_import(root, instrument, candidates, problems, source="table", file=file,
                              skip_invalid=skip_invalid, dry_run=dry_run, units=units, now=now)


def write_template(instrument, output: Path) -> tuple[Path | None, list[Problem]]:
    """A mapping workbook listing the instrument's fields; the user fills in 列."""
    from evalkit.io.xlsx import new_workbook, save, write_table

    output = Path(output)
    if output.exists():
        return None, [problem(TEMPLATE_EXISTS, file=str(output))]
    rows = []
    for _, f in iter_value_fields(instrument.fields):
        kind = base_type(f)
        if kind in ("note", "calculate", "repeat", "image"):
            continue
        options = instrument.choices.get(f.list_name, ()) if f.list_name else ()
        rows.append(["", f.name, f.label, kind, "是" if f.required else "",
                     "；".join(f"{c.name}={c.label}" for c in options), f.relevant])
    wb = new_workbook()
    ws = wb.create_sheet("对照表")
    write_table(ws, ["列", "字段", "题目", "类型", "必填", "选项（代码=标签，可填代码或标签）", "何时适用"], rows)
    ws.column_dimensions["A"].width = 24  # the column the user fills in
    save(wb, output)
    return output, []
