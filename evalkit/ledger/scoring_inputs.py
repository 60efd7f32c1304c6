"""What :mod:`evalkit.scoring` takes from the ledger for a per-unit framework (jilin-city-2018,
``分值方式 = 按单位``): the framework as it applies to one unit (its task points, 不涉及 tasks left
out), the score of a 台账 task leaf, both together as scoring's ``TaskLeaves`` (:class:`LedgerTasks`),
and the loaded ledger with its overdue and lead events.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from evalkit.config import CONFIG, UnitList
from evalkit.framework import POINTS_PER_UNIT, Framework, Indicator
from evalkit.ledger.events import lead_events, overdue_events, read_leads
from evalkit.ledger.model import DONE_STATUSES, Ledger, Task, TaskState, deadline_words
from evalkit.ledger.paths import LEADS_FILE
from evalkit.ledger.problems import LEDGER_AS_OF_MISSING, LEDGER_DEADLINE_FROM_TEXT, LEDGER_UNIT_NOT_IMPORTED
from evalkit.problems import Problem, problem
from evalkit.scoring import Event, LeafScore


def unit_framework(fw: Framework, ledger: Ledger, unit: str) -> Framework:
    """The framework as it applies to ``unit``: task leaves get the unit's points, tasks not applicable
    (and groups / areas left empty) drop out, parents get the sum of their children."""
    tasks = {t.code: t for t in ledger.unit_tasks(unit)}
    if not tasks:
        return fw
    drop = {code for code, t in tasks.items() if not t.applicable}
    inds = [i for i in fw.indicators if i.code not in drop]
    codes = {i.code for i in inds}
    while True:  # parents whose children all dropped
        parents = {i.parent_code for i in inds if i.parent_code}
        empty = {i.code for i in inds if i.code not in parents and fw.children(i.code) and
                 all(c.code not in codes for c in fw.children(i.code))}
        if not empty:
            break
        inds = [i for i in inds if i.code not in empty]
        codes -= empty
    points = {code: t.points for code, t in tasks.items() if code in codes}
    for ind in sorted(inds, key=lambda i: -i.level):
        kids = [k for k in inds if k.parent_code == ind.code]
        if ind.code in points or not kids:
            continue
        values = [points.get(k.code, k.points) for k in kids]
        if all(v is not None for v in values):
            points[ind.code] = round(sum(values), 2)
    new = tuple(replace(i, points=points.get(i.code, i.points)) for i in inds)
    return replace(fw, indicators=new)


def ledger_leaf(ind: Indicator, task: Task | None, state: TaskState, as_of: datetime.date | None) -> LeafScore:
    """A task leaf's score for one unit: full points when done/closed on or before as-of."""
    base = dict(unit=state.unit, indicator=ind.code, name=ind.name, rule=ind.rule, kind="ledger")
    if task is None:
        return LeafScore(points=ind.points or 0.0, score=None, status="ledger_missing",
                         figures="该单位未导入任务分解表（或该任务不在表中），不计分", **base)
    done = state.status in DONE_STATUSES and state.completed is not None and (as_of is None or state.completed <= as_of)
    parts = [f"台账 序号 {task.task_no}，状态「{state.status}」"]
    if state.completed:
        parts.append(f"完成日期 {state.completed.isoformat()}")
    parts.append(deadline_words(task))
    if state.materials:
        parts.append("材料：" + "；".join(state.materials))
    if as_of is not None:
        parts.append(f"截止日期 {as_of.isoformat()}")
    figures = "，".join(parts) + f"：得 {task.points if done else 0:g}/{task.points:g} 分"
    return LeafScore(points=task.points, score=task.points if done else 0.0, status="scored", figures=figures, n=1,
                     fraction=1.0 if done else 0.0, records=state.materials, **base)


class LedgerTasks:
    """A task ledger as scoring asks for it (:class:`evalkit.scoring.TaskLeaves`)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def unit_framework(self, fw: Framework, unit: str) -> Framework:
        return unit_framework(fw, self.ledger, unit)

    def leaf(self, indicator: Indicator, unit: str) -> LeafScore:
        task = next((t for t in self.ledger.unit_tasks(unit) if t.code == indicator.code), None)
        state = self.ledger.state(unit, task.task_no if task else -1)
        return ledger_leaf(indicator, task, state, self.ledger.as_of)


def scoring_inputs(root: Path, fw: Framework | None, units: UnitList | None,
                   loaded: tuple[Ledger, Sequence[Problem]]) -> tuple[Ledger | None, list[Event], list[Problem]]:
    """What :func:`evalkit.scoring.score` needs for a per-unit framework: the ledger, the overdue and
    lead events, and the problems (units without a table, unreadable deadlines …).

    ``loaded`` is the project's ledger as :func:`evalkit.ledger.load_ledger` gave it (ledger, problems),
    so one run reads it once; ``root`` holds ``ledger/牵头单位.xlsx``.
    """
    if fw is None or fw.points_mode != POINTS_PER_UNIT:
        return None, [], []
    ledger, problems = loaded
    problems = [p for p in problems if p.code != LEDGER_DEADLINE_FROM_TEXT]
    for u in units.units if units else ():
        if u.id not in ledger.units:
            problems.append(problem(LEDGER_UNIT_NOT_IMPORTED, record=u.id))
    if ledger.as_of is None:
        problems.append(problem(LEDGER_AS_OF_MISSING, file=str(Path(root) / CONFIG)))
        return ledger, [], problems
    events = overdue_events(ledger, ledger.as_of)
    leads, found = read_leads(root, fw, units)
    problems += found
    more, found = lead_events(ledger, leads, ledger.as_of, str(Path(root) / LEADS_FILE))
    return ledger, events + more, problems + found
