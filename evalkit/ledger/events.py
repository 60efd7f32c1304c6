"""Scoring events of the ledger (吉市办发〔2018〕15号): overdue tasks and lead departments.

Overdue (第十三条（一）): each task whose deadline < as-of and that was not done on or before the
deadline is one −5 ``overdue_task`` event.  Lead departments (第十二条, ``ledger/牵头单位.xlsx``):
a group (二级指标) whose tasks are all done on time by every unit carrying them gives its lead +3
(``lead_group_done``); as soon as one of them is overdue, −3 (``lead_group_failed``); otherwise no
event yet.  The same for a single task (事项 by 序号): +2 / −2.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evalkit.io import tables
from evalkit.ledger.model import DONE_STATUSES, Ledger, deadline_words, framework_tasks, norm_text, short_text
from evalkit.ledger.paths import LEADS_FILE
from evalkit.ledger.problems import LEDGER_LEAD_INVALID, LEDGER_LEAD_NO_CARRIER
from evalkit.ledger.table_rows import task_number
from evalkit.problems import Problem, did_you_mean, problem
from evalkit.scoring import Event


def overdue_events(ledger: Ledger, as_of: datetime.date) -> list[Event]:
    """One −5 ``overdue_task`` event per overdue task, the task and deadline in its evidence."""
    events = []
    for t in ledger.overdue(as_of):
        s = ledger.state(t.unit, t.task_no)
        done = (f"{s.completed.isoformat()} 完成（逾期）" if s.status in DONE_STATUSES and s.completed
                else f"截至 {as_of.isoformat()} 状态「{s.status}」")
        evidence = f"台账 序号 {t.task_no}（指标 {t.code}）「{short_text(t.title)}」：{deadline_words(t)}，{done}"
        events.append(Event(id=f"overdue-{t.unit}-{t.task_no}", unit=t.unit, kind="overdue_task", evidence=evidence,
                            note=f"序号 {t.task_no}；完成时限 {t.deadline.isoformat()}", task=str(t.task_no)))
    return events


@dataclass(frozen=True)
class Lead:
    """A lead department: ``group`` (二级指标 code) or ``task_no`` (a single reform item)."""

    unit: str
    group: str = ""
    task_no: int | None = None
    row: int = 0
    sheet: str = ""


def read_leads(root: Path, fw, units) -> tuple[list[Lead], list[Problem]]:
    """``ledger/牵头单位.xlsx``: 推进组 (二级指标编码或名称) or 事项 (序号), 牵头单位 (编号、名称、全称或别名)."""
    path = Path(root) / LEADS_FILE
    if not path.exists() or fw is None:
        return [], []
    file = str(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return [], problems
    ws = wb.worksheets[0]
    table = tables.sheet_table(ws, file, header_hint=("牵头单位",))
    spec = {"group": ("推进组", "二级指标"), "item": ("事项", "序号"), "unit": ("牵头单位",)}
    cols, problems = tables.map_columns(table, spec, ("unit",), near=True)
    if any(p.is_error for p in problems):
        return [], problems

    def bad(key: str, row: int, detail: str) -> Problem:
        return problem(LEDGER_LEAD_INVALID, file=file, sheet=ws.title, row=row,
                       column=cols.header.get(key, spec[key][0]), detail=detail)

    fw_tasks = framework_tasks(fw)
    groups = {t.group_code: t.group for t in fw_tasks.values()}
    by_name = {norm_text(name): code for code, name in groups.items()}
    names = [n for u in units.units for n in u.names] if units else []
    last = max(fw_tasks, default=0)
    leads = []
    for row, cells in table.rows:
        unit_text = tables.text(cols.get(cells, "unit"))
        found = units.find(unit_text) if units else None
        unit = found.id if found else None
        if unit is None:
            problems.append(bad("unit", row, f"牵头单位「{unit_text}」不在单位名单中"
                                             f"{did_you_mean(unit_text, names) or '。'}"))
            continue
        group_text, item_text = tables.text(cols.get(cells, "group")), tables.text(cols.get(cells, "item"))
        if bool(group_text) == bool(item_text):
            problems.append(bad("group", row, "每行只填「推进组」（二级指标编码，如 2.3）"
                                              "或「事项」（任务序号）其中之一。"))
            continue
        if group_text:
            code = group_text if group_text in groups else by_name.get(norm_text(group_text))
            if code is None:
                hint = did_you_mean(group_text, list(groups) + list(groups.values())) or "。"
                problems.append(bad("group", row, f"推进组「{group_text}」不是框架中的二级指标{hint}"))
                continue
            leads.append(Lead(unit, group=code, row=row, sheet=ws.title))
        else:
            number = task_number(item_text)
            if number is None or number not in fw_tasks:
                problems.append(bad("item", row, f"事项「{item_text}」不是任务序号：请填写 1–{last}。"))
                continue
            leads.append(Lead(unit, task_no=number, row=row, sheet=ws.title))
    return leads, problems


def lead_events(ledger: Ledger, leads: Sequence[Lead], as_of: datetime.date, file: str = ""
                ) -> tuple[list[Event], list[Problem]]:
    """±3 per group, ±2 per single item: done when every carrying unit finished on time, failed once one is overdue."""
    events, problems = [], []
    for lead in leads:
        carried = [t for t in ledger.tasks if t.applicable and
                   (t.group_code == lead.group if lead.group else t.task_no == lead.task_no)]
        what = f"推进组 {lead.group}" if lead.group else f"事项 序号 {lead.task_no}"
        if not carried:
            problems.append(problem(LEDGER_LEAD_NO_CARRIER, file=file, sheet=lead.sheet, row=lead.row, what=what))
            continue
        late = [t for t in carried if ledger.is_overdue(t, as_of)]
        on_time = all(t.deadline is not None and ledger.done_by(t, min(t.deadline, as_of)) for t in carried)
        kind_base = "lead_group" if lead.group else "lead_item"
        if late:
            kind = f"{kind_base}_failed"
            detail = "；".join(f"{t.unit} 序号 {t.task_no} {deadline_words(t)} 未按时完成" for t in late[:5])
        elif on_time:
            kind = f"{kind_base}_done"
            detail = f"{len(carried)} 项任务均在时限内完成"
        else:
            continue
        name = carried[0].group if lead.group else short_text(carried[0].title)
        target = f"group-{lead.group}" if lead.group else f"item-{lead.task_no}"
        events.append(Event(id=f"lead-{lead.unit}-{target}", unit=lead.unit, kind=kind,
                            evidence=f"牵头{what}「{name}」：{detail}", task=lead.group or str(lead.task_no)))
    return events, problems
