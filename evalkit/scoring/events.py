"""Recorded events that add or deduct points after the indicator tree: seed 002's adjustments.

Jilin City's method (吉市办发〔2018〕15号, 第十一条 to 第十三条) adjusts a unit's
score outside the indicator table:

* 第十一条 innovation: a bonus for an own innovation, at most 10 points (it
  shares the bonus cap with the framework's 加分 indicators);
* 第十二条 lead department of a task group: +3 when the group's tasks are done
  as required, −3 when not; for a single reform item +2 / −2;
* 第十三条 deductions: (一) −5 for each task not finished by its deadline,
  (二) −10 for a verified public complaint about a serious problem,
  (三) −15 for falsification.

Each adjustment is an :class:`Event` with its evidence (document numbers,
record ids, the ledger entry); an event without evidence, for an unknown unit,
of an unknown kind or recorded twice is a problem and is not applied (the
unit's total is then provisional, see :mod:`evalkit.scoring.score`).  An
innovation bonus above its cap of 10 is applied **at the cap**, with a warning
naming the unit, the value entered and the cap; one that is not a number above
0 is an error.  The task ledger produces the ``overdue_task`` events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from evalkit.problems import Problem, did_you_mean, problem
from evalkit.scoring.problems import (
    EVENT_DUPLICATE,
    EVENT_EVIDENCE_MISSING,
    EVENT_KIND_UNKNOWN,
    EVENT_POINTS_CAPPED,
    EVENT_POINTS_INVALID,
    EVENT_UNIT_UNKNOWN,
)


@dataclass(frozen=True)
class EventKind:
    """What an event kind is worth and where the rule comes from."""

    code: str
    points: float | None
    zh: str
    source: str
    bonus: bool = False


EVENT_KINDS: dict[str, EventKind] = {k.code: k for k in (
    EventKind("innovation", None, "自主创新加分", "吉市办发〔2018〕15号 第十一条", bonus=True),
    EventKind("lead_group_done", 3.0, "牵头的推进组改革任务按要求完成", "吉市办发〔2018〕15号 第十二条"),
    EventKind("lead_group_failed", -3.0, "牵头的推进组改革任务未按要求完成", "吉市办发〔2018〕15号 第十二条"),
    EventKind("lead_item_done", 2.0, "牵头的改革事项按要求完成", "吉市办发〔2018〕15号 第十二条"),
    EventKind("lead_item_failed", -2.0, "牵头的改革事项未按要求完成", "吉市办发〔2018〕15号 第十二条"),
    EventKind("overdue_task", -5.0, "未按时间节点完成任务（每个项目）", "吉市办发〔2018〕15号 第十三条（一）"),
    EventKind("complaint_verified", -10.0, "改革工作存在突出问题，群众举报且查实", "吉市办发〔2018〕15号 第十三条（二）"),
    EventKind("falsification", -15.0, "弄虚作假", "吉市办发〔2018〕15号 第十三条（三）"),
)}
INNOVATION_CAP = 10.0  # 第十一条: 所加分值不得超过10分


@dataclass(frozen=True)
class Event:
    """One recorded adjustment: ``points`` only for ``innovation`` (the others are fixed by seed 002)."""

    id: str
    unit: str
    kind: str
    evidence: str
    points: float | None = None
    note: str = ""
    records: tuple[str, ...] = ()
    task: str = ""
    file: str | None = None
    sheet: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class AppliedEvent:
    """An event as applied: its points and the article it rests on."""

    id: str
    kind: str
    zh: str
    points: float
    source: str
    evidence: str
    bonus: bool
    note: str = ""
    records: tuple[str, ...] = ()


def check_events(events: Iterable[Event], unit_ids: set[str] | None) -> tuple[list[AppliedEvent | None], list[Problem]]:
    """Each event applied (or None when it has a problem), in input order, and the problems."""
    events = list(events)
    counts: dict[str, int] = {}
    for e in events:
        counts[e.id] = counts.get(e.id, 0) + 1
    problems = [problem(EVENT_DUPLICATE, record=i, count=n) for i, n in counts.items() if n > 1]
    applied: list[AppliedEvent | None] = []
    seen: set[str] = set()
    for e in events:
        found = _event_problems(e, unit_ids)
        problems += found
        if any(p.is_error for p in found) or e.id in seen:
            applied.append(None)
        else:
            kind = EVENT_KINDS[e.kind]
            points = min(float(e.points), INNOVATION_CAP) if kind.points is None else kind.points
            note = e.note if points == e.points or kind.points is not None else \
                "；".join(x for x in (e.note, f"填写 {e.points:g} 分，按上限 {INNOVATION_CAP:g} 分计入") if x)
            applied.append(AppliedEvent(e.id, e.kind, kind.zh, points, kind.source, e.evidence, kind.bonus,
                                        note, tuple(e.records)))
        seen.add(e.id)
    return applied, problems


def _event_problems(e: Event, unit_ids: set[str] | None) -> list[Problem]:
    where = {"record": e.id, "unit": e.unit, "file": e.file, "sheet": e.sheet, "row": e.row}
    kind = EVENT_KINDS.get(e.kind)
    if kind is None:
        return [problem(EVENT_KIND_UNKNOWN, value=e.kind, hint=did_you_mean(e.kind, EVENT_KINDS) or "。",
                        known="、".join(EVENT_KINDS), **where)]
    problems = []
    if unit_ids is not None and e.unit not in unit_ids:
        problems.append(problem(EVENT_UNIT_UNKNOWN, **where))
    if not (e.evidence or "").strip() and not e.records:
        problems.append(problem(EVENT_EVIDENCE_MISSING, kind=kind.zh, **where))
    if kind.points is None and (e.points is None or not math.isfinite(e.points) or e.points <= 0):
        problems.append(problem(EVENT_POINTS_INVALID, kind=kind.zh, value="" if e.points is None else f"{e.points:g}",
                                fix=f"创新加分应为大于 0、不超过 {INNOVATION_CAP:g} 的分数（第十一条）；未计入，单位总分待定。",
                                **where))
    elif kind.points is None and e.points > INNOVATION_CAP:
        problems.append(problem(EVENT_POINTS_CAPPED, kind=kind.zh, value=f"{e.points:g}", cap=f"{INNOVATION_CAP:g}",
                                source=kind.source, **where))
    elif kind.points is not None and e.points is not None and e.points != kind.points:
        problems.append(problem(EVENT_POINTS_INVALID, kind=kind.zh, value=e.points,
                                fix=f"该类事项的分值由考核办法规定为 {kind.points:+g} 分，请不要另填分值。", **where))
    return problems
