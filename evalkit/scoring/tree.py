"""Aggregation up the indicator tree, the bonus cap, grades and ranks.

* A parent's score is the sum of its children's, never above its own points
  (the province index system, seed 004, gives each node its points).  A leaf
  without a score counts 0 and the parent lists it as missing.
* 加分 (bonus) roots are capped at their 上限 (10 in both seed methods; with no
  bonus root, seed 002 第十一条's 10); innovation events share that cap.
  扣分 roots are subtracted.
* Grades per category (seed 002 第八条: 优秀 / 良好 / 达标 / 不达标) come from a
  band table; the cut-offs are not in the seed, so the defaults (≥ 90 / ≥ 80 /
  ≥ 60 / < 60) are a configurable assumption.  A band table with a gap, an
  overlap or an open end is a problem.
* Ranks are competition ranks within the category (1, 2, 2, 4), on scores
  rounded to two decimals so that float noise never splits a tie; a unit's parts and
  total are kept at two decimals (:func:`rounded`).

The arithmetic works on floats and on numpy arrays alike, so the rank-stability
simulation (:mod:`evalkit.scoring.uncertainty`) re-uses it on many draws at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalkit.framework import Framework
from evalkit.problems import Problem, problem
from evalkit.scoring.events import INNOVATION_CAP
from evalkit.scoring.problems import GRADE_BANDS_GAP, GRADE_BANDS_OPEN, GRADE_BANDS_OVERLAP


@dataclass(frozen=True)
class GradeBand:
    """``low <= score < high``; None is open (−∞ / +∞)."""

    grade: str
    low: float | None
    high: float | None

    def holds(self, score: float) -> bool:
        return (self.low is None or score >= self.low) and (self.high is None or score < self.high)


DEFAULT_GRADES: tuple[GradeBand, ...] = (
    GradeBand("优秀", 90.0, None), GradeBand("良好", 80.0, 90.0), GradeBand("达标", 60.0, 80.0),
    GradeBand("不达标", None, 60.0))


@dataclass(frozen=True)
class NodeScore:
    """A non-leaf indicator's score for one unit: the sum of its children, capped at its points."""

    indicator: str
    name: str
    kind: str
    points: float | None
    score: float
    raw: float
    capped: bool
    missing: tuple[str, ...] = ()


def _depth_first(fw: Framework) -> list[str]:
    """Non-leaf codes, deepest first."""
    parents = {i.parent_code for i in fw.indicators}
    return sorted((i.code for i in fw.indicators if i.code in parents), key=lambda c: -c.count("."))


def sum_tree(fw: Framework, leaf_values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(capped value, raw sum) of every node from leaf values (floats or arrays; None counts 0)."""
    values: dict[str, Any] = {code: (0.0 if v is None else v) for code, v in leaf_values.items()}
    for leaf in fw.leaves():
        values.setdefault(leaf.code, 0.0)
    raw: dict[str, Any] = dict(values)
    children: dict[str | None, list[str]] = {}
    for ind in fw.indicators:
        children.setdefault(ind.parent_code, []).append(ind.code)
    for code in _depth_first(fw):
        total = sum((values[c] for c in children[code]), 0.0)
        raw[code] = total
        node = fw.get(code)
        limit = node.cap if node.kind == "bonus" and node.cap is not None else node.points
        values[code] = np.minimum(total, limit) if limit is not None else total
    return values, raw


def node_scores(fw: Framework, leaf_values: Mapping[str, float | None]) -> tuple[NodeScore, ...]:
    """Every non-leaf node's score with its cap and the leaves that had no score."""
    values, raw = sum_tree(fw, leaf_values)
    missing_leaves = {code for code, v in leaf_values.items() if v is None}
    out = []
    parents = {i.parent_code for i in fw.indicators}
    for ind in fw.indicators:
        if ind.code not in parents:
            continue
        missing = tuple(sorted(c for c in missing_leaves if c.startswith(ind.code + ".")))
        out.append(NodeScore(ind.code, ind.name, ind.kind, ind.points, float(values[ind.code]), float(raw[ind.code]),
                             bool(raw[ind.code] > values[ind.code] + 1e-9), missing))
    return tuple(out)


DECIMALS = 2   # points are kept to 0.01: Jilin City's per-unit task points, and what every report prints


def rounded(value: Any) -> float:
    """A unit's total (or one of its parts) at :data:`DECIMALS` (so 48.76 is not 48.760000000000005)."""
    return round(float(value), DECIMALS) + 0.0


@dataclass(frozen=True)
class Totals:
    """The parts of a unit's final score (floats, or arrays in a simulation)."""

    scored: Any
    bonus_raw: Any
    bonus_cap: float
    bonus: Any
    deductions: Any
    adjustments: Any
    total: Any


def totals(fw: Framework, leaf_values: Mapping[str, Any], innovation: float = 0.0, adjustments: float = 0.0) -> Totals:
    """Scored roots + capped bonus (with innovation events) − 扣分 roots + event adjustments."""
    values, raw = sum_tree(fw, leaf_values)
    roots = fw.roots()
    scored = sum((values[r.code] for r in roots if r.kind == "scored"), 0.0)
    bonus_roots = [r for r in roots if r.kind == "bonus"]
    bonus_raw = sum((raw[r.code] for r in bonus_roots), 0.0) + innovation
    cap = sum((r.cap if r.cap is not None else (r.points or 0.0)) for r in bonus_roots) if bonus_roots else INNOVATION_CAP
    bonus = np.minimum(bonus_raw, cap)
    deductions = sum((values[r.code] for r in roots if r.kind == "deduction"), 0.0)
    return Totals(scored, bonus_raw, cap, bonus, deductions, adjustments, scored + bonus - deductions + adjustments)


def check_grade_bands(bands: Sequence[GradeBand], category: str = "*") -> list[Problem]:
    """A band table must cover every score exactly once: open at both ends, no gap, no overlap."""
    problems: list[Problem] = []
    ordered = sorted(bands, key=lambda b: (-np.inf if b.low is None else b.low))
    if not ordered or ordered[0].low is not None:
        problems.append(problem(GRADE_BANDS_OPEN, value=category, where="最低档下限"))
    if not ordered or ordered[-1].high is not None:
        problems.append(problem(GRADE_BANDS_OPEN, value=category, where="最高档上限"))
    for prev, band in zip(ordered, ordered[1:]):
        prev_high = np.inf if prev.high is None else prev.high
        if band.low is None or band.low < prev_high:
            problems.append(problem(GRADE_BANDS_OVERLAP, value=category, first=prev.grade, second=band.grade))
        elif band.low > prev_high:
            problems.append(problem(GRADE_BANDS_GAP, value=category, low=f"{prev_high:g}", high=f"{band.low:g}"))
    return problems


def grade_of(score: float, bands: Sequence[GradeBand]) -> str | None:
    """The grade whose band holds ``score`` (the first one, if a faulty table overlaps)."""
    return next((b.grade for b in bands if b.holds(score)), None)


def competition_ranks(scores: Mapping[str, float]) -> dict[str, int]:
    """Standard competition ranking (1, 2, 2, 4) on scores rounded to two decimals."""
    rounded = {k: round(float(v), 2) for k, v in scores.items()}
    return {k: 1 + sum(other > v for other in rounded.values()) for k, v in rounded.items()}


def ranks_of_draws(totals_by_unit: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Competition ranks per draw (arrays of equal length, one per unit)."""
    units = list(totals_by_unit)
    matrix = np.round(np.vstack([totals_by_unit[u] for u in units]), 2)  # units × draws
    ranks = 1 + (matrix[None, :, :] > matrix[:, None, :]).sum(axis=1)
    return {u: ranks[i] for i, u in enumerate(units)}
