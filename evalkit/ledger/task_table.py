"""Reading one unit's 任务分解表 as its office fills it in.

The 《吉林市加快推进“只跑一次”改革任务分解表》 (seed 002 layout: 序号, 一级指标, 二级指标, 三级指标,
工作措施, 完成时限, 备注, merged 一级/二级 cells; optional 完成情况, 完成日期, 销账材料).  Rows are
mapped to the framework's tasks by 序号 and checked: the 序号 itself, the 三级指标 against the
framework (a row shifted by a cell, a differing title), the 完成时限 (read by
:mod:`evalkit.ledger.deadlines`), 「不涉及」 in 备注, and the state of the completion columns.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from evalkit.io import tables
from evalkit.ledger.deadlines import EMPTY, EXACT, INVALID, Deadline, parse_deadline
from evalkit.ledger.model import STATUSES, FrameworkTask, norm_text
from evalkit.ledger.problems import (
    LEDGER_DATE_INVALID,
    LEDGER_DEADLINE_EMPTY,
    LEDGER_DEADLINE_INVALID,
    LEDGER_ROW_SHIFTED,
    LEDGER_STATUS_UNKNOWN,
    LEDGER_TASK_DUPLICATE,
    LEDGER_TASK_MISSING,
    LEDGER_TASK_NO_INVALID,
    LEDGER_TASK_UNKNOWN,
    LEDGER_TITLE_DIFFERS,
    LEDGER_UNIT_MISMATCH,
)
from evalkit.ledger.states import normalize_status, place, split_materials, state_problems
from evalkit.problems import INFO, Problem, did_you_mean, problem

SHEET = "任务分解表"
SHEET_NAMES = (SHEET, "任务分解", "tasks")

COLUMNS: dict[str, tuple[str, ...]] = {
    "task_no": ("序号", "任务序号"),
    "area": ("一级指标",),
    "group": ("二级指标",),
    "title": ("三级指标",),
    "measures": ("工作措施", "具体措施"),
    "deadline": ("完成时限", "时限"),
    "note": ("备注",),
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
    as_of: datetime.date | None
    check_states: bool

    def at(self, key: str, row: int) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": row,
                "column": self.cols.header.get(key, _where_cols[key])}

    def text(self, cells, key: str) -> str:
        return tables.text(self.cols.get(cells, key))


def read_task_table(path: Path, fw_tasks: Mapping[int, FrameworkTask], unit: str, *,
                    default_year: int | None = None, as_of: datetime.date | None = None, check_states: bool = True,
                    unit_name: str = "") -> tuple[list[TableRow] | None, list[Problem]]:
    """Read and check one unit's 任务分解表; None when it cannot be read at all.

    ``check_states=False`` skips the completion columns (an imported table's states are
    already state entries)."""
    file = str(path)
    wb, problems = tables.open_workbook(Path(path))
    if wb is None:
        return None, problems
    ws, problems = _find_table_sheet(wb, file)
    if ws is None:
        return None, problems
    table = tables.sheet_table(ws, file, header_hint=("序号", "三级指标", "完成时限"))
    cols, problems = tables.map_columns(table, COLUMNS, REQUIRED)
    problems = [p for p in problems if p.code != "column-unknown"] + \
        [replace(p, severity=INFO) for p in problems if p.code == "column-unknown"]
    if any(p.code == "column-missing" for p in problems):
        return None, problems
    problems += _unit_mismatches(ws, table.header_row, file, unit, unit_name)
    reading = _Reading(file, ws.title, cols, fw_tasks, {norm_text(t.title): n for n, t in fw_tasks.items()},
                       unit, default_year, as_of, check_states)
    rows: list[TableRow] = []
    first_row: dict[int, int] = {}
    for row, cells in table.rows:
        task_no, found = _task_no(reading, row, cells, first_row)
        problems += found
        if task_no is None:
            continue
        first_row[task_no] = row
        shifted, found = _title_problems(reading, row, cells, task_no)
        problems += found
        if shifted:
            continue
        read, found = _read_row(reading, row, cells, task_no)
        problems += found
        rows.append(read)
    for task_no in fw_tasks:
        if task_no not in first_row:
            problems.append(problem(LEDGER_TASK_MISSING, file=file, sheet=ws.title, value=task_no))
    return rows, problems


def _find_table_sheet(wb, file: str):
    ws, problems = tables.find_sheet(wb, file, SHEET_NAMES)
    if ws is not None:
        return ws, []
    for candidate in wb.worksheets:
        for row in candidate.iter_rows(min_row=1, max_row=10, values_only=True):
            cells = {tables.text(c) for c in row}
            if "序号" in cells and "三级指标" in cells:
                return candidate, []
    return None, problems


def _unit_mismatches(ws, header_row: int, file: str, unit: str, unit_name: str) -> list[Problem]:
    """A 「填报单位：名称（编号）」 line above the header that names another unit."""
    found = []
    for r, cells in enumerate(ws.iter_rows(max_row=header_row - 1, values_only=True), start=1):
        for cell in cells:
            named = re.search(r"填报单位[:：]\s*(.*?)\s*(?:[（(]\s*([^（）()]+?)\s*[）)])?\s*$", tables.text(cell))
            written = {x for x in (named.group(1), named.group(2)) if x} if named else set()
            if written and not written & {unit, unit_name}:
                found.append(problem(LEDGER_UNIT_MISMATCH, file=file, sheet=ws.title, row=r, record=unit,
                                     value=named.group(2) or named.group(1)))
    return found


def _task_no(reading: _Reading, row: int, cells, first_row: Mapping[int, int]) -> tuple[int | None, list[Problem]]:
    """The row's 序号, or None for a row to pass over (a repeated header, a blank line, a bad 序号)."""
    raw_no = tables.clean(reading.cols.get(cells, "task_no"))
    if raw_no in COLUMNS["task_no"]:
        return None, []  # the header repeated (a table printed across pages)
    if raw_no == "" and not any(reading.text(cells, k) for k in ("title", "measures", "deadline")):
        return None, []  # a blank or continuation line of a merged cell
    last = max(reading.fw_tasks) if reading.fw_tasks else 0
    if isinstance(raw_no, bool) or not (isinstance(raw_no, int) or (isinstance(raw_no, str) and raw_no.isdigit())):
        return None, [problem(LEDGER_TASK_NO_INVALID, value=tables.text(raw_no), last=last,
                              **reading.at("task_no", row))]
    task_no = int(raw_no)
    if task_no not in reading.fw_tasks:
        return None, [problem(LEDGER_TASK_UNKNOWN, value=task_no, last=last, **reading.at("task_no", row))]
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
    """The row's deadline, note and (when checked) state, with their problems."""
    problems = []
    deadline = parse_deadline(reading.cols.get(cells, "deadline"), reading.default_year)
    if deadline.kind == INVALID:
        problems.append(problem(LEDGER_DEADLINE_INVALID, value=deadline.text, detail=deadline.detail,
                                **reading.at("deadline", row)))
    elif deadline.kind == EMPTY:
        problems.append(problem(LEDGER_DEADLINE_EMPTY, value=task_no, text=reading.fw_tasks[task_no].deadline_text,
                                **reading.at("deadline", row)))
    note = reading.text(cells, "note")
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
                    "不涉及" not in note, status, completed, materials), problems


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
    return found.date if found.kind == EXACT and found.date else text
