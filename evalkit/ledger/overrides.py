"""The lead evaluator's deadlines: ``ledger/时限认定.xlsx`` (单位, 序号, 完成时限, 说明).

Where a unit's 完成时限 cannot be read, or reads wrongly, the lead evaluator states the deadline
for one unit (单位编号, or its name) or for every unit (「全部」); this value wins over the table
(source 评估组指定), and the task's note names the row it comes from.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from evalkit.config import UnitList
from evalkit.io import tables
from evalkit.ledger.deadlines import parse_deadline
from evalkit.ledger.model import FrameworkTask
from evalkit.ledger.paths import DEADLINES_FILE
from evalkit.ledger.problems import LEDGER_OVERRIDE_INVALID
from evalkit.ledger.table_rows import task_number
from evalkit.problems import Problem, did_you_mean, problem

ALL_UNITS = ("全部", "*", "所有单位")


@dataclass(frozen=True)
class Override:
    """One deadline stated by the lead evaluator."""

    unit: str          # unit id, or "*" for every unit
    task_no: int
    deadline: datetime.date
    text: str
    note: str
    row: int
    sheet: str = ""


def read_overrides(root: Path, fw_tasks: Mapping[int, FrameworkTask], units: UnitList | None,
                   default_year: int | None = None) -> tuple[dict[tuple[str, int], Override], list[Problem]]:
    """``ledger/时限认定.xlsx``: 单位 (编号, 名称, 全称 or 别名; 全部/* for every unit), 序号, 完成时限, 说明."""
    path = Path(root) / DEADLINES_FILE
    if not path.exists():
        return {}, []
    file = str(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return {}, problems
    ws = wb.worksheets[0]
    table = tables.sheet_table(ws, file, header_hint=("序号", "单位"))
    spec = {"unit": ("单位", "单位编号"), "task_no": ("序号",), "deadline": ("完成时限", "时限"),
            "note": ("说明", "理由")}
    cols, problems = tables.map_columns(table, spec, ("unit", "task_no", "deadline"), near=True)
    if any(p.is_error for p in problems):
        return {}, problems

    def bad(key: str, row: int, detail: str) -> Problem:
        return problem(LEDGER_OVERRIDE_INVALID, file=file, sheet=ws.title, row=row,
                       column=cols.header.get(key, spec[key][0]), detail=detail)

    out: dict[tuple[str, int], Override] = {}
    last = max(fw_tasks, default=0)
    for row, cells in table.rows:
        unit = tables.text(cols.get(cells, "unit"))
        found = units.find(unit) if units is not None and unit not in ALL_UNITS else None
        unit = "*" if unit in ALL_UNITS else found.id if found else unit
        if unit != "*" and units is not None and found is None:
            ids = [u.id for u in units.units]
            problems.append(bad("unit", row, f"单位「{unit}」不在单位名单中{did_you_mean(unit, ids) or '。'}"
                                             "请填写单位编号（或名称），或填「全部」。"))
            continue
        raw_no = tables.text(cols.get(cells, "task_no"))
        number = task_number(raw_no)
        raw_no = str(number) if number is not None else raw_no
        if not raw_no.isdigit() or int(raw_no) not in fw_tasks:
            problems.append(bad("task_no", row, f"序号「{raw_no}」不在任务分解表中：请填写 1–{last} 的序号。"))
            continue
        value = cols.get(cells, "deadline")
        parsed = parse_deadline(value, default_year)
        if parsed.date is None:
            problems.append(bad("deadline", row, f"完成时限「{tables.text(value)}」不是明确的日期："
                                                 "请写成 2018-06-30。"))
            continue
        key = (unit, int(raw_no))
        if key in out:
            problems.append(bad("task_no", row, f"单位「{unit}」序号 {raw_no} 已在第 {out[key].row} 行认定过："
                                                "请只保留一行。"))
            continue
        out[key] = Override(unit, int(raw_no), parsed.date, tables.text(value),
                            tables.text(cols.get(cells, "note")), row, ws.title)
    return out, problems
