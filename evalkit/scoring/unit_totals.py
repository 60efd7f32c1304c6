"""A unit's total from its leaves and events: caps said out loud, errors never made into zeros.

* **Caps.**  A node whose children add up to more than its points, or a 加分 node above its
  上限, counts its cap (:func:`evalkit.scoring.tree.sum_tree`); the unit's bonus (加分 leaves and
  innovation events together) counts at most its cap (10 in both seed methods).  Each time a
  cap is applied, a warning names the unit, the value and the cap — nothing is lost silently.
* **Provisional totals.**  A leaf that could not be scored (too little evidence under
  ``insufficient=none``, no usable rule, a missing or invalid manual score, a task table not
  imported) or an adjustment event of the unit that could not be applied (an error in it) does
  **not** count as 0: the unit's total is provisional (待定), the missing parts are named
  (:class:`~evalkit.scoring.results.Pending`) with ``total_range``, where the total will lie once
  they are settled (a missing leaf between 0 and its points; a missing event between 0 and its
  points), and the unit is listed but neither ranked nor graded
  (:func:`evalkit.scoring.ranking.grade_and_rank`) unless the project says to rank it anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

from evalkit.config import UnitList
from evalkit.framework import Framework
from evalkit.problems import Problem, problem
from evalkit.scoring.events import EVENT_KINDS, INNOVATION_CAP, AppliedEvent, Event
from evalkit.scoring.leaves import STATUS_ZH, LeafScore
from evalkit.scoring.problems import BONUS_CAPPED, INDICATOR_CAPPED
from evalkit.scoring.results import Pending, UnitResult
from evalkit.scoring.tree import node_scores, rounded, totals


def pending_events(unit: str, events: Sequence[Event], applied: Sequence[AppliedEvent | None]) -> list[Pending]:
    """The unit's events that an error kept out of its total."""
    out = []
    for e, a in zip(events, applied):
        if e.unit == unit and a is None:
            kind = EVENT_KINDS.get(e.kind)
            out.append(Pending("event", e.id, kind.zh if kind else e.kind, "加减分事项有错误，未计入"))
    return out


def event_bounds(unit: str, events: Sequence[Event], applied: Sequence[AppliedEvent | None]) -> tuple | None:
    """What the unit's events not applied could still do: (most taken away, most innovation bonus added,
    most other points added); None when one is of an unknown kind (nothing can be said)."""
    low = innovation = high = 0.0
    for e, a in zip(events, applied):
        if e.unit != unit or a is not None:
            continue
        kind = EVENT_KINDS.get(e.kind)
        if kind is None:
            return None
        if kind.points is None:
            innovation += INNOVATION_CAP
        else:
            low, high = low + min(kind.points, 0.0), high + max(kind.points, 0.0)
    return low, innovation, high


def unit_result(fw: Framework, units: UnitList, unit_id: str, leaves: list[LeafScore], mine: list[AppliedEvent],
                pending: list[Pending], bounds: tuple | None) -> UnitResult:
    """The unit's scorecard (not yet graded or ranked)."""
    unit = units.get(unit_id)
    cat = units.category(unit.category) if unit else None
    leaf_values = {s.indicator: s.score for s in leaves}
    innovation = sum(e.points for e in mine if e.bonus)
    adjust = sum(e.points for e in mine if not e.bonus)
    t = totals(fw, leaf_values, innovation, adjust)
    pending = [Pending("leaf", s.indicator, s.name, STATUS_ZH.get(s.status, s.status)) for s in leaves
               if s.score is None] + list(pending)
    total_range = None
    if pending and bounds is not None:
        full = {s.indicator: (s.points if s.score is None else s.score) for s in leaves}
        high = totals(fw, full, innovation + bounds[1], adjust + bounds[2]).total
        total_range = (rounded(float(t.total) + bounds[0]), rounded(high))
    return UnitResult(
        unit=unit_id, name=unit.name if unit else unit_id, category=unit.category if unit else "",
        category_name=cat.name if cat else "", weight=cat.weight if cat else 1.0,
        published_only=bool(cat and cat.published_only), scored=rounded(t.scored), bonus_raw=rounded(t.bonus_raw),
        bonus_cap=float(t.bonus_cap), bonus=rounded(t.bonus), deductions=rounded(t.deductions),
        adjustments=rounded(t.adjustments), total=rounded(t.total), complete=all(s.score is not None for s in leaves),
        leaves=tuple(leaves), nodes=node_scores(fw, leaf_values), events=tuple(mine),
        provisional=bool(pending), pending=tuple(pending), total_range=total_range)


def cap_problems(fw: Framework, result: UnitResult) -> list[Problem]:
    """A warning for every cap the unit's score met: capped nodes and the bonus over its cap."""
    found = []
    roots = {r.code for r in fw.roots()}
    for n in result.nodes:
        if not n.capped or (n.indicator in roots and n.kind == "bonus"):
            continue  # a bonus root is capped together with the innovation events below
        node = fw.get(n.indicator)
        what = "上限" if node is not None and node.kind == "bonus" and node.cap is not None else "分值"
        found.append(problem(INDICATOR_CAPPED, unit=result.unit, indicator=n.indicator, name=n.name,
                             value=f"{n.raw:g}", cap=f"{n.score:g}", what=what))
    if result.bonus_raw > result.bonus_cap + 1e-9:
        leaves = result.bonus_raw - sum(e.points for e in result.events if e.bonus)
        parts = "、".join(x for x in (f"加分项 {leaves:g}" if leaves else "",
                                      *(f"{e.zh} {e.points:g}" for e in result.events if e.bonus)) if x)
        found.append(problem(BONUS_CAPPED, unit=result.unit, value=f"{result.bonus_raw:g}", cap=f"{result.bonus_cap:g}",
                             parts=parts))
    return found
