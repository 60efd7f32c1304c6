"""The lead evaluator's own scoring inputs: ``adjustments.xlsx`` in the project folder.

Sheet 「加减分事项」 (events of 吉市办发〔2018〕15号 第十一—十三条): 编号, 单位,
类型 (a code such as ``overdue_task`` or its Chinese name such as 「弄虚作假」),
依据 (the evidence: document, complaint number, record ids …), 分值 (only for
自主创新加分), 任务, 说明.

Sheet 「人工评分」 (scores the rule ``manual`` asks for): 单位, 指标, 分数, 理由, 评分人.

Both sheets are optional; a missing file means no adjustments.  Cells that
cannot be read are problems naming the sheet, row and column.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.io import tables
from evalkit.problems import Problem, problem
from evalkit.scoring.events import EVENT_KINDS, Event
from evalkit.scoring.manual import ManualScore
from evalkit.scoring.problems import BAD_NUMBER

FILE_NAME = "adjustments.xlsx"
EVENT_COLUMNS = {
    "id": ("编号",), "unit": ("单位", "单位编号"), "kind": ("类型", "事项类型"), "evidence": ("依据", "证据"),
    "points": ("分值",), "task": ("任务", "任务序号"), "note": ("说明", "备注"),
}
MANUAL_COLUMNS = {
    "unit": ("单位", "单位编号"), "indicator": ("指标", "指标编码"), "points": ("分数", "得分"),
    "justification": ("理由", "依据"), "who": ("评分人",),
}


def _kind_code(text: str) -> str:
    for kind in EVENT_KINDS.values():
        if text in (kind.code, kind.zh):
            return kind.code
    return text


def _number(value: object, where: dict, problems: list[Problem]) -> float | None:
    value = tables.clean(value)
    if value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        problems.append(problem(BAD_NUMBER, value=value, **where))
        return None


def read_adjustments(root: Path) -> tuple[list[Event], list[ManualScore], list[Problem]]:
    """Events and manual scores of a project (empty when it has no adjustments.xlsx)."""
    path = Path(root) / FILE_NAME
    if not path.exists():
        return [], [], []
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return [], [], problems
    events: list[Event] = []
    manual: list[ManualScore] = []
    ws, _ = tables.find_sheet(wb, str(path), ("加减分事项", "events"), required=False)
    if ws is not None:
        table = tables.sheet_table(ws, str(path), ["单位", "类型"])
        cols, found = tables.map_columns(table, EVENT_COLUMNS, ("unit", "kind", "evidence"))
        problems += found
        for row, cells in table.rows if not found or not any(p.is_error for p in found) else ():
            where = {"file": str(path), "sheet": ws.title, "row": row, "column": cols.header.get("points", "分值")}
            text = lambda key, cells=cells: tables.text(cols.get(cells, key))  # noqa: E731
            events.append(Event(id=text("id") or f"{ws.title}-{row}", unit=text("unit"), kind=_kind_code(text("kind")),
                                evidence=text("evidence"), points=_number(cols.get(cells, "points"), where, problems),
                                note=text("note"), task=text("task"), file=str(path), sheet=ws.title, row=row))
    ws, _ = tables.find_sheet(wb, str(path), ("人工评分", "manual"), required=False)
    if ws is not None:
        table = tables.sheet_table(ws, str(path), ["单位", "指标"])
        cols, found = tables.map_columns(table, MANUAL_COLUMNS, ("unit", "indicator", "points", "justification"))
        problems += found
        for row, cells in table.rows if not any(p.is_error for p in found) else ():
            where = {"file": str(path), "sheet": ws.title, "row": row, "column": cols.header.get("points", "分数")}
            points = _number(cols.get(cells, "points"), where, problems)
            if points is not None:
                text = lambda key, cells=cells: tables.text(cols.get(cells, key))  # noqa: E731
                manual.append(ManualScore(unit=text("unit"), indicator=text("indicator"), points=points,
                                          justification=text("justification"), who=text("who"), file=str(path),
                                          sheet=ws.title, row=row))
    return events, manual, problems
