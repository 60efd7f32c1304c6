"""Reading one unit's 任务分解表 as its office fills it in.

The 《吉林市加快推进“只跑一次”改革任务分解表》 (seed 002 layout: 序号, 一级指标, 二级指标, 三级指标,
工作措施, 完成时限, 备注, merged 一级/二级 cells; optional 完成情况, 完成日期, 销账材料), on any
sheet, the header on any of the first rows, its names spaced as Word spaces them (「序　号」,
「完成\n时限」) or near (「完成时间」, with a note).  A merged cell's value belongs to every row it
spans (备注, 完成时限, 工作措施 as well as the labels); a task written over two rows under one
merged 序号 is one task; the table ends where the tasks end (footnotes, 说明, signature rows:
:mod:`evalkit.ledger.table_rows`).  Rows are mapped to the framework's tasks by 序号 (full-width
digits too) and checked: the 序号 itself, the 三级指标 against the framework (a row shifted by a
cell, a differing title), the 完成时限 (read by :mod:`evalkit.ledger.deadlines`), 不涉及 and its
synonyms in 备注, the 填报单位 line, and the state of the completion columns.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from evalkit.config import UnitList
from evalkit.io import tables
from evalkit.ledger.deadlines import EMPTY, EXACT, INVALID, Deadline, parse_deadline
from evalkit.ledger.model import STATUSES, FrameworkTask, norm_text, not_applicable_word, short_text
from evalkit.ledger.problems import (
    LEDGER_DATE_INVALID,
    LEDGER_DEADLINE_EMPTY,
    LEDGER_DEADLINE_INVALID,
    LEDGER_MERGED_SPAN,
    LEDGER_NOT_APPLICABLE_ELSEWHERE,
    LEDGER_NOTE_ROW,
    LEDGER_ROW_SHIFTED,
    LEDGER_STATUS_UNKNOWN,
    LEDGER_TASK_CONTINUED,
    LEDGER_TASK_DUPLICATE,
    LEDGER_TASK_MISSING,
    LEDGER_TASK_NO_INVALID,
    LEDGER_TASK_UNKNOWN,
    LEDGER_TITLE_DIFFERS,
    LEDGER_UNIT_MISMATCH,
)
from evalkit.ledger.states import normalize_status, place, split_materials, state_problems
from evalkit.ledger.table_rows import (
    first_text,
    footer_kind,
    merged_spans,
    numbers_text,
    row_kind,
    task_number,
    unit_lines,
)
from evalkit.ledger.unit_lines import unit_check
from evalkit.problems import INFO, Problem, did_you_mean, problem

SHEET = "任务分解表"
SHEET_NAMES = (SHEET, "任务分解", "tasks")

COLUMNS: dict[str, tuple[str, ...]] = {
    "task_no": ("序号", "任务序号", "编号"),
    "area": ("一级指标",),
    "group": ("二级指标",),
    "title": ("三级指标",),
    "measures": ("工作措施", "具体措施", "工作举措", "推进措施", "具体工作措施"),
    "deadline": ("完成时限", "时限", "完成时间", "完成期限", "时间节点"),
    "note": ("备注", "备注说明"),
    "status": ("完成情况", "状态", "进展状态"),
    "completed": ("完成日期", "实际完成日期"),
    "materials": ("销账材料", "佐证材料", "材料"),
}
REQUIRED = ("task_no", "area", "group", "title", "measures", "deadline", "note")

_where_cols = {k: v[0] for k, v in COLUMNS.items()}


@dataclass(frozen=True)
class TableRow:
    """One read row of a unit's table."""

    task_no: int
    row: int
    title: str
    measures: str
    deadline: Deadline
    note: str
    applicable: bool
    status: str = ""
    completed: datetime.date | None = None
    materials: tuple[str, ...] = ()
    sheet: str = SHEET


@dataclass(frozen=True)
class _Reading:
    """What reading one table's rows needs: where it is, its columns, the framework's tasks."""

    file: str
    sheet: str
    cols: tables.Columns
    fw_tasks: Mapping[int, FrameworkTask]
    titles: Mapping[str, int]          # normalised 三级指标 → 序号
    unit: str
    default_year: int | None
    year_source: str
    as_of: datetime.date | None
    check_states: bool
    merged: Mapping[tuple[int, int], tuple[int, int]]
    seen: dict[int, int] = field(default_factory=dict)    # 序号 → first row, every one met

    def at(self, key: str, row: int) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": row,
                "column": self.cols.header.get(key, _where_cols[key])}

    def text(self, cells, key: str) -> str:
        return tables.text(self.cols.get(cells, key))


def read_task_table(path: Path, fw_tasks: Mapping[int, FrameworkTask], unit: str, *,
                    default_year: int | None = None, year_source: str = "", as_of: datetime.date | None = None,
                    check_states: bool = True, unit_name: str = "", units: UnitList | None = None
                    ) -> tuple[list[TableRow] | None, list[Problem]]:
    """Read and check one unit's 任务分解表; None when it cannot be read at all.

    ``default_year`` (named by ``year_source``) is the year of a deadline written without one;
    ``units`` the unit list the 填报单位 line is checked against (by id, name, 全称, 别名).
    ``check_states=False`` skips the completion columns (an imported table's states are
    already state entries)."""
    file = str(path)
    wb, problems = tables.open_workbook(Path(path))
    if wb is None:
        return None, problems
    ws, problems = _find_table_sheet(wb, file)
    if ws is None:
        return None, problems
    table = tables.sheet_table(ws, file, header_hint=("序号", "三级指标", "完成时限"), fill_merged=True)
    cols, problems = tables.map_columns(table, COLUMNS, REQUIRED, near=True)
    problems = [p for p in problems if p.code != "column-unknown"] + \
        [replace(p, severity=INFO) for p in problems if p.code == "column-unknown"]
    if any(p.code == "column-missing" for p in problems):
        return None, problems
    reading = _Reading(file, ws.title, cols, fw_tasks, {norm_text(t.title): n for n, t in fw_tasks.items()},
                       unit, default_year, year_source, as_of, check_states, table.merged)
    above = list(enumerate(ws.iter_rows(max_row=table.header_row - 1, values_only=True), 1)) \
        if table.header_row > 1 else []
    rows, found, footer = _read_rows(reading, table)
    problems += found
    problems += _unit_mismatches(reading, above + footer, unit_name, units)
    problems += _merged_span_notes(reading, table, rows)
    read = {r.task_no for r in rows}
    for task_no in fw_tasks:
        if task_no not in read and task_no not in reading.seen:
            problems.append(problem(LEDGER_TASK_MISSING, file=file, sheet=ws.title, value=task_no))
    return rows, problems


def _read_rows(reading: _Reading, table: tables.Table
               ) -> tuple[list[TableRow], list[Problem], list[tuple[int, tuple]]]:
    """The task rows (continuation rows joined to their task), their problems, and the rows after
    the last task (for the 填报单位 line a signature block may hold)."""
    numbered = [r for r, cells in table.rows if task_number(reading.cols.get(cells, "task_no")) is not None]
    last_task_row = max(numbered, default=0)
    problems: list[Problem] = []
    parts: dict[int, list[tuple[int, tuple]]] = {}     # 序号 → its rows (a task over several rows)
    first_row: dict[int, int] = {}
    footer: list[tuple[int, tuple]] = []
    previous: int | None = None
    for row, cells in table.rows:
        if row > last_task_row:
            footer.append((row, cells))
        joined = _continuation(reading, row, cells, previous)
        if joined is not None:
            if joined in parts:
                parts[joined].append((row, cells))
            continue
        task_no, found = _task_no(reading, row, cells, first_row, last_task_row)
        problems += found
        if task_no is None:
            previous = None if found else previous
            continue
        first_row[task_no] = row
        previous = task_no
        shifted, found = _title_problems(reading, row, cells, task_no)
        problems += found
        if not shifted:
            parts[task_no] = [(row, cells)]
    reading.seen.update(first_row)
    rows = []
    for task_no, pieces in parts.items():
        if len(pieces) > 1:
            problems.append(problem(LEDGER_TASK_CONTINUED, value=task_no, first=pieces[0][0],
                                    rows="、".join(str(r) for r, _ in pieces[1:]),
                                    **reading.at("task_no", pieces[1][0])))
        read, found = _read_row(reading, pieces[0][0], _joined_cells(reading, pieces), task_no)
        problems += found
        rows.append(read)
    return rows, problems, footer


def _continuation(reading: _Reading, row: int, cells, previous: int | None) -> int | None:
    """The 序号 this row continues: its 序号 cell is the lower part of the previous task's merged
    序号 cell, or it is empty and the row adds its own text to the previous task's 工作措施, 完成时限
    or 备注 without a 三级指标 of its own."""
    if previous is None:
        return None
    col = reading.cols.index["task_no"]
    origin = reading.merged.get((row, col))
    if origin is not None and origin[0] < row and task_number(reading.cols.get(cells, "task_no")) == previous:
        return previous
    if tables.text(reading.cols.get(cells, "task_no")) or reading.text(cells, "title") or footer_kind(cells):
        return None
    own = [k for k in ("measures", "deadline", "note")
           if k in reading.cols.index and (row, reading.cols.index[k]) not in reading.merged and reading.text(cells, k)]
    return previous if own else None


def _joined_cells(reading: _Reading, pieces: list[tuple[int, tuple]]) -> tuple:
    """The cells of a task written over several rows: the first row's, with the other rows' 工作措施,
    完成时限 and 备注 texts added (a merged cell counted once)."""
    cells = list(pieces[0][1])
    for key in ("measures", "deadline", "note"):
        i = reading.cols.index.get(key)
        if i is None:
            continue
        values = [tables.text(c[i]) if i < len(c) else "" for _, c in pieces]
        distinct = [v for v in dict.fromkeys(values) if v]
        if len(distinct) > 1:
            while len(cells) <= i:
                cells.append("")
            cells[i] = "；".join(distinct)
    return tuple(cells)


def _find_table_sheet(wb, file: str):
    ws, problems = tables.find_sheet(wb, file, SHEET_NAMES)
    if ws is not None:
        return ws, []
    for candidate in wb.worksheets:
        for row in candidate.iter_rows(min_row=1, max_row=10, values_only=True):
            cells = {tables.header_key(tables.text(c)) for c in row}
            if "序号" in cells and "三级指标" in cells:
                return candidate, []
    return None, problems


def _unit_mismatches(reading: _Reading, rows, unit_name: str, units: UnitList | None) -> list[Problem]:
    """A 填报单位 line (above the header or in the signature rows) naming another unit."""
    found = []
    for r, name in unit_lines(rows):
        same, detail = unit_check(name, reading.unit, units, unit_name)
        if not same:
            found.append(problem(LEDGER_UNIT_MISMATCH, file=reading.file, sheet=reading.sheet, row=r,
                                 record=reading.unit, value=name, name=unit_name or reading.unit, detail=detail))
    return found


def _merged_span_notes(reading: _Reading, table: tables.Table, rows: list[TableRow]) -> list[Problem]:
    """An info for each merged 工作措施 / 完成时限 / 备注 / completion cell standing for several tasks."""
    keys = ("measures", "deadline", "note", "status", "completed", "materials")
    columns = {k: reading.cols.index[k] for k in keys if k in reading.cols.index}
    task_rows = {r.row: r.task_no for r in rows}
    found = []
    for key, top, bottom, numbers in merged_spans(table.merged, columns, task_rows):
        value = next((tables.text(cells[columns[key]]) for r, cells in table.rows if r == top), "")
        found.append(problem(LEDGER_MERGED_SPAN, value=short_text(value, 40) or "（空）", first=top, last=bottom,
                             tasks=numbers_text(numbers), **reading.at(key, top)))
    return found


def _task_no(reading: _Reading, row: int, cells, first_row: Mapping[int, int], last_task_row: int
             ) -> tuple[int | None, list[Problem]]:
    """The row's 序号, or None for a row to pass over (a repeated header, a blank line, a footnote,
    a signature row, a bad 序号)."""
    raw_no = tables.clean(reading.cols.get(cells, "task_no"))
    if tables.header_key(tables.text(raw_no)) in {tables.header_key(a) for a in COLUMNS["task_no"]}:
        return None, []  # the header repeated (a table printed across pages)
    has_text = any(reading.text(cells, k) for k in ("title", "measures", "deadline"))
    if raw_no == "" and not has_text and (row < last_task_row or not first_text(cells)):
        return None, []  # a blank line, or the lower part of merged 一级/二级 cells
    task_no = task_number(raw_no)
    last = max(reading.fw_tasks) if reading.fw_tasks else 0
    if task_no is None:
        kind = None if norm_text(reading.text(cells, "title")) in reading.titles else \
            row_kind(row, cells, merged=reading.merged, last_task_row=last_task_row, has_task_text=has_text)
        if kind is not None:
            where = {**reading.at("task_no", row), "column": None}
            return None, [problem(LEDGER_NOTE_ROW, value=short_text(first_text(cells, plain=False), 30), why=kind,
                                  last=last_task_row, **where)]
        return None, [problem(LEDGER_TASK_NO_INVALID, value=tables.text(raw_no) or "（空）", last=last,
                              **reading.at("task_no", row))]
    if task_no not in reading.fw_tasks:
        return None, [problem(LEDGER_TASK_UNKNOWN, value=task_no, last=last,
                              place=place(reading.at("task_no", row)), **reading.at("task_no", row))]
    if task_no in first_row:
        return None, [problem(LEDGER_TASK_DUPLICATE, value=task_no, first=first_row[task_no],
                              **reading.at("task_no", row))]
    return task_no, []


def _title_problems(reading: _Reading, row: int, cells, task_no: int) -> tuple[bool, list[Problem]]:
    """Whether the row is shifted (its 三级指标 in another column), and the problems of its 三级指标."""
    expected = reading.fw_tasks[task_no]
    title = reading.text(cells, "title")
    if norm_text(title) == norm_text(expected.title):
        return False, []
    elsewhere = [k for k in ("area", "group", "measures", "deadline", "note")
                 if norm_text(reading.text(cells, k)) == norm_text(expected.title)]
    if elsewhere:
        return True, [problem(LEDGER_ROW_SHIFTED, value=task_no, **reading.at(elsewhere[0], row))]
    other = reading.titles.get(norm_text(title))
    hint = (f"：该内容是序号 {other} 的三级指标。" if other else
            did_you_mean(title, [t.title for t in reading.fw_tasks.values()]) or "。") if title else "。"
    return False, [problem(LEDGER_TITLE_DIFFERS, value=task_no, found=title[:40] or "（空）",
                           expected=expected.title[:40], hint=hint, **reading.at("title", row))]


def _read_row(reading: _Reading, row: int, cells, task_no: int) -> tuple[TableRow, list[Problem]]:
    """The row's deadline, note, whether it applies and (when checked) its state, with their problems."""
    problems = []
    note = reading.text(cells, "note")
    applicable, found = _applicable(reading, row, cells, note)
    problems += found
    deadline = parse_deadline(reading.cols.get(cells, "deadline"), reading.default_year, reading.year_source)
    if deadline.kind == INVALID and applicable:
        problems.append(problem(LEDGER_DEADLINE_INVALID, value=deadline.text, detail=deadline.detail,
                                **reading.at("deadline", row)))
    elif deadline.kind == EMPTY and applicable:
        problems.append(problem(LEDGER_DEADLINE_EMPTY, value=task_no, text=reading.fw_tasks[task_no].deadline_text,
                                **reading.at("deadline", row)))
    status_text = reading.text(cells, "status") if reading.check_states else ""
    status = normalize_status(status_text) if status_text else ""
    if status is None:
        where = reading.at("status", row)
        problems.append(problem(LEDGER_STATUS_UNKNOWN, status=status_text, place=place(where),
                                hint=did_you_mean(status_text, STATUSES) or "。", **where))
        status = ""
    completed = _parse_date_cell(reading.cols.get(cells, "completed")) if reading.check_states else None
    if isinstance(completed, str):
        problems.append(problem(LEDGER_DATE_INVALID, value=completed, **reading.at("completed", row)))
        completed = None
    materials = split_materials(reading.text(cells, "materials"))
    if status:
        where = {**reading.at("completed" if "completed" in reading.cols.index else "status", row),
                 "record": reading.unit}
        problems += state_problems(status, completed, materials, reading.as_of, task_no, where)
    return TableRow(task_no, row, reading.text(cells, "title"), reading.text(cells, "measures"), deadline, note,
                    applicable, status, completed, materials, reading.sheet), problems


def _applicable(reading: _Reading, row: int, cells, note: str) -> tuple[bool, list[Problem]]:
    """False when 备注 says 不涉及 (不适用, 无此项, 本单位无此职能 …), or when the whole 工作措施 or
    完成时限 cell says so instead (a warning: 第十条 wants it in 备注)."""
    if not_applicable_word(note):
        return False, []
    for key in ("measures", "deadline"):
        word = not_applicable_word(reading.text(cells, key), whole=True)
        if word:
            return False, [problem(LEDGER_NOT_APPLICABLE_ELSEWHERE, value=reading.text(cells, key), word=word,
                                   **reading.at(key, row))]
    return True, []


def _parse_date_cell(value: object) -> datetime.date | None | str:
    """A completion date cell: date, None (empty) or the text when unreadable."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = tables.text(value)
    if not text:
        return None
    found = parse_deadline(text)
    return found.date if found.kind == EXACT and found.date and not found.detail else text
