"""The lead evaluator's scores for ``manual`` leaves (adjustments.xlsx, sheet 人工评分), capped as the seeds write them.

The maximum of a manual leaf is its points, or the rule's ``max`` when that is lower
(seed 002 第十一条: the innovation bonus 「所加分值不得超过10分」).  A score above the
maximum is **capped**: it counts as the maximum, and a warning names the unit, the value
entered and the cap — the unit does not lose the whole leaf for writing 12 where 10 is
the most.  A score that is impossible for another reason (negative, not a finite number)
or has no justification is an error and is not used: the leaf has no score and the unit's
total is provisional (:mod:`evalkit.scoring.score`) until it is corrected.  When a leaf
has several scores, the last one counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from evalkit.framework import Indicator
from evalkit.problems import Problem, problem
from evalkit.scoring.problems import MANUAL_ABOVE_MAX, MANUAL_INVALID, MANUAL_MISSING, MANUAL_NO_JUSTIFICATION
from evalkit.scoring.rules import Rule


@dataclass(frozen=True)
class ManualScore:
    """A score set by the lead evaluator; the justification is required.  ``file``/``sheet``/``row``
    say where it was written (adjustments.xlsx), so a problem can point at the cell."""

    unit: str
    indicator: str
    points: float
    justification: str
    who: str = ""
    evidence: tuple[str, ...] = ()
    file: str | None = None
    sheet: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class ManualOutcome:
    """What a manual leaf gets: the points (None when unusable), its status and the trace text."""

    points: float | None
    status: str
    figures: str
    entry: ManualScore | None = None
    capped: bool = False


def manual_limit(ind: Indicator, rule: Rule | None) -> float:
    """The most a manual leaf can get: its points, or the rule's ``max`` when lower."""
    points = ind.points or 0.0
    most = rule.get("max", points) if rule is not None else points
    return min(points, most) if isinstance(most, (int, float)) else points


def manual_entry(unit: str, indicator: str, manual: Sequence[ManualScore]) -> ManualScore | None:
    """The score that counts for the leaf: the last one written."""
    return next((m for m in reversed(manual) if m.unit == unit and m.indicator == indicator), None)


def _usable_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def manual_outcome(ind: Indicator, rule: Rule | None, unit: str, manual: Sequence[ManualScore]) -> ManualOutcome:
    """The leaf's score from the lead evaluator's entry: capped at the maximum, None when unusable."""
    entry = manual_entry(unit, ind.code, manual)
    if entry is None:
        status = "manual_missing" if rule is not None else "no_rule"
        return ManualOutcome(None, status, "待人工评分" if rule is not None else "未设置评分规则")
    if not _usable_number(entry.points) or not entry.justification.strip():
        why = "没有写明理由" if _usable_number(entry.points) else f"分数「{entry.points}」不是不小于 0 的数"
        return ManualOutcome(None, "manual_invalid", f"人工评分无效（{why}），待更正", entry)
    limit = manual_limit(ind, rule)
    who = entry.who or "评估组长"
    if entry.points > limit:
        figures = (f"人工评分 {entry.points:g}，超过上限 {limit:g}，按 {limit:g}/{ind.points or 0:g} 计（{who}）："
                   f"{entry.justification}")
        return ManualOutcome(limit, "scored", figures, entry, capped=True)
    figures = f"人工评分 {entry.points:g}/{ind.points or 0:g}（{who}）：{entry.justification}"
    return ManualOutcome(float(entry.points), "scored", figures, entry)


def manual_problems(ind: Indicator, rule: Rule | None, unit: str, manual: Sequence[ManualScore]) -> list[Problem]:
    """The warnings and errors of the entry that counts for the leaf (and of earlier ones that cannot count)."""
    found = []
    for m in (m for m in manual if m.unit == unit and m.indicator == ind.code):
        where = {"unit": unit, "indicator": ind.code, "file": m.file, "sheet": m.sheet, "row": m.row}
        if not _usable_number(m.points):
            found.append(problem(MANUAL_INVALID, value=f"{m.points}", **where))
        elif m.points > manual_limit(ind, rule):
            found.append(problem(MANUAL_ABOVE_MAX, value=f"{m.points:g}", limit=f"{manual_limit(ind, rule):g}", **where))
        if not m.justification.strip():
            found.append(problem(MANUAL_NO_JUSTIFICATION, value=f"{m.points}", **where))
    if rule is not None and manual_entry(unit, ind.code, manual) is None:
        found.append(problem(MANUAL_MISSING, unit=unit, indicator=ind.code))
    return found
