"""Consistency checks on an indicator framework.

All checks run in one pass and return problem records; none stops the others.
They cover the gaps real government tables have (the province index system of
2018 declares 1.3 as 16 points while its children add up to 8, and gives 2.4.2
no points at all): children's points not adding up to the parent, missing
points (inferred, and reported, when exactly one child lacks them), duplicate
and malformed codes, orphans, leaves without evidence methods or rules, a
bonus without a cap, and level-1 totals that differ from the declared total.
"""

from __future__ import annotations

from dataclasses import replace

from evalkit.framework.model import POINTS_PER_UNIT, Framework, Indicator
from evalkit.framework.problems import (
    BONUS_CAP_MISSING,
    CODE_DUPLICATE,
    METHODS_MISSING,
    ORPHAN,
    PARENT_POINTS_INFERRED,
    POINTS_INFERRED,
    POINTS_MISSING,
    POINTS_SUM,
    RESOLUTION_NOTED,
    RULE_MISSING,
    TOTAL_MISMATCH,
    TOTAL_MISSING,
)
from evalkit.problems import Problem, did_you_mean, problem


def check_framework(fw: Framework) -> tuple[Framework, list[Problem]]:
    """Run every consistency check; returns the framework with inferred points filled in."""
    problems = _duplicates(fw) + _orphans(fw)
    fw = _dedupe(fw)
    if fw.points_mode != POINTS_PER_UNIT:
        fw, found = _infer_points(fw)
        problems += found + _sums(fw) + _total(fw)
    problems += _leaves(fw) + _bonus_caps(fw) + _resolutions(fw)
    return fw, problems


def _where(fw: Framework, ind: Indicator, key: str | None = None) -> dict:
    where = {"file": fw.file, "sheet": fw.sheet, "row": ind.row, "indicator": ind.code}
    if key:
        where["column"] = fw.column(key)
    return where


def _duplicates(fw: Framework) -> list[Problem]:
    seen: dict[str, Indicator] = {}
    problems = []
    for ind in fw.indicators:
        if ind.code in seen:
            problems.append(problem(CODE_DUPLICATE, first_row=seen[ind.code].row, **_where(fw, ind, "code")))
        else:
            seen[ind.code] = ind
    return problems


def _dedupe(fw: Framework) -> Framework:
    seen: set[str] = set()
    kept = []
    for ind in fw.indicators:
        if ind.code not in seen:
            seen.add(ind.code)
            kept.append(ind)
    return replace(fw, indicators=tuple(kept))


def _orphans(fw: Framework) -> list[Problem]:
    codes = fw.codes()
    problems = []
    for ind in fw.indicators:
        parent = ind.parent_code
        if parent is not None and parent not in codes:
            hint = did_you_mean(parent, [c for c in codes if c.count(".") == parent.count(".")])
            problems.append(problem(ORPHAN, parent=parent, hint=hint or "。", **_where(fw, ind, "code")))
    return problems


def _infer_points(fw: Framework) -> tuple[Framework, list[Problem]]:
    """Fill a missing child's points when exactly one child of a parent with points lacks them,
    and a missing parent's points from children that all have theirs; report each inference."""
    problems: list[Problem] = []
    for level in range(1, max((i.level for i in fw.indicators), default=0) + 1):
        for parent in [i for i in fw.indicators if i.level == level]:
            kids = fw.children(parent.code)
            missing = [k for k in kids if k.points is None]
            if parent.points is not None and len(missing) == 1:
                others = sum(k.points for k in kids if k.points is not None)
                value = parent.points - others
                if value >= 0:
                    child = missing[0]
                    fw = fw.replace_indicator(replace(child, points=value, points_inferred=True))
                    problems.append(problem(POINTS_INFERRED, parent=parent.code, parent_points=parent.points,
                                            others=others, value=value, **_where(fw, child, "points")))
    for parent in sorted(fw.indicators, key=lambda i: -i.level):
        kids = fw.children(parent.code)
        if parent.points is None and kids and all(k.points is not None for k in kids):
            value = sum(k.points for k in kids)
            fw = fw.replace_indicator(replace(parent, points=value, points_inferred=True))
            problems.append(problem(PARENT_POINTS_INFERRED, value=value, **_where(fw, parent, "points")))
    for ind in fw.indicators:
        if ind.points is None and fw.effective_kind(ind.code) != "deduction":
            problems.append(problem(POINTS_MISSING, **_where(fw, ind, "points")))
    return fw, problems


def _sums(fw: Framework) -> list[Problem]:
    problems = []
    for parent in fw.indicators:
        kids = fw.children(parent.code)
        if not kids or parent.points is None or any(k.points is None for k in kids):
            continue
        total = sum(k.points for k in kids)
        if abs(total - parent.points) > 1e-9:
            listing = " + ".join(f"{k.code} {k.points:g}" for k in kids)
            problems.append(problem(POINTS_SUM, points=parent.points, total=total, children=listing,
                                    **_where(fw, parent, "points")))
    return problems


def _total(fw: Framework) -> list[Problem]:
    scored = [r for r in fw.roots() if r.kind == "scored"]
    if any(r.points is None for r in scored):
        return []
    total = sum(r.points for r in scored)
    where = {"file": fw.file, "sheet": fw.sheet}
    if fw.total is None:
        return [problem(TOTAL_MISSING, total=total, **where)]
    if abs(total - fw.total) > 1e-9:
        return [problem(TOTAL_MISMATCH, total=total, declared=fw.total, **where)]
    return []


def _leaves(fw: Framework) -> list[Problem]:
    problems = []
    for leaf in fw.leaves():
        if not leaf.methods and not leaf.unknown_methods:
            problems.append(problem(METHODS_MISSING, **_where(fw, leaf, "methods")))
        if not leaf.rule:
            problems.append(problem(RULE_MISSING, **_where(fw, leaf, "rule")))
    return problems


def _bonus_caps(fw: Framework) -> list[Problem]:
    problems = []
    for ind in fw.indicators:
        if ind.kind != "bonus" or ind.cap is not None:
            continue
        ancestors = [fw.get(ind.code.rsplit(".", n)[0]) for n in range(1, ind.level)]
        if not any(a is not None and a.kind == "bonus" and a.cap is not None for a in ancestors):
            problems.append(problem(BONUS_CAP_MISSING, **_where(fw, ind, "cap")))
    return problems


def _resolutions(fw: Framework) -> list[Problem]:
    return [problem(RESOLUTION_NOTED, value=i.resolution, **_where(fw, i, "resolution"))
            for i in fw.indicators if i.resolution]
