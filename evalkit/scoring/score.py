"""Scoring: evidence → points per leaf → tree → final score → grade and rank.

:func:`score` takes loaded inputs (a project's are loaded once by :mod:`evalkit.project`) and
gives an :class:`~evalkit.scoring.results.Evaluation`: per unit, every leaf's score with its
trace, the tree, the seed 002 adjustments applied, the grade within the category, the
competition rank with the units it ties with, the category's performance weight (seed 002
第七条: categories 1–2 full, 3 at 70 %, 4 at 50 %, 5 published only) and the rank-stability
figure.  Problems found on the way (rule errors, insufficient evidence, faulty events or grade
bands) are in ``problems``; nothing stops scoring.

A per-unit framework (Jilin City's: each unit's points come from its own task table) is scored
through a :class:`TaskLeaves` — the ledger's side of it lives in :mod:`evalkit.ledger`, which
scoring does not know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from evalkit.config import UnitList
from evalkit.forms import Instrument
from evalkit.framework import Framework, Indicator
from evalkit.problems import Problem, problem
from evalkit.scoring.events import AppliedEvent, Event, check_events
from evalkit.scoring.evidence import LeftOut, left_out
from evalkit.scoring.leaves import LeafScore, ManualScore, score_leaf
from evalkit.scoring.problems import (
    MANUAL_ABOVE_MAX,
    MANUAL_MISSING,
    MANUAL_NO_JUSTIFICATION,
    RECORD_UNIT_UNLISTED,
    SCORE_INSUFFICIENT,
    SCORE_NO_RULE,
)
from evalkit.scoring.results import Evaluation, ScoringSettings, UnitResult
from evalkit.scoring.rule_checks import parsed_rules, validate_rules
from evalkit.scoring.tree import (
    check_grade_bands,
    competition_ranks,
    grade_of,
    node_scores,
    rounded,
    totals,
)
from evalkit.scoring.uncertainty import rank_stability

PUBLISHED_ONLY_ZH = "仅通报，不纳入年度绩效考核（吉市办发〔2018〕15号 第七条）"


def _leaf_problems(leaf: LeafScore, manual: Sequence[ManualScore], limit: float) -> list[Problem]:
    where = {"unit": leaf.unit, "indicator": leaf.indicator}
    found = []
    for m in manual:
        if m.unit == leaf.unit and m.indicator == leaf.indicator:
            if not 0 <= m.points <= limit:
                found.append(problem(MANUAL_ABOVE_MAX, value=f"{m.points:g}", limit=f"{limit:g}", **where))
            if not m.justification.strip():
                found.append(problem(MANUAL_NO_JUSTIFICATION, value=f"{m.points:g}", **where))
    if leaf.status in ("insufficient", "zero", "flagged"):
        found.append(problem(SCORE_INSUFFICIENT, detail=leaf.figures, **where))
    elif leaf.status == "no_rule":
        found.append(problem(SCORE_NO_RULE, **where))
    elif leaf.status == "manual_missing" and not found:
        found.append(problem(MANUAL_MISSING, **where))
    return found


class TaskLeaves(Protocol):
    """How a per-unit framework is scored: each unit's own framework and its task leaves."""

    def unit_framework(self, fw: Framework, unit: str) -> Framework:
        """The unit's framework: its applicable tasks with its own points."""

    def leaf(self, indicator: Indicator, unit: str) -> LeafScore:
        """The score of a 台账 leaf for the unit, with its trace."""


def score_unit_leaves(fw: Framework, rules: Mapping, unit: str, views: Sequence, instruments: Mapping[str, Instrument],
                      settings: ScoringSettings, manual: Sequence[ManualScore],
                      tasks: TaskLeaves | None = None) -> tuple[list[LeafScore], list[Problem]]:
    """Every leaf of one unit, with the problems of its leaves (rule 台账: from ``tasks``)."""
    leaves, problems = [], []
    for ind in fw.leaves():
        rule = rules.get(ind.code)
        if rule is not None and rule.kind == "ledger" and tasks is not None:
            leaves.append(tasks.leaf(ind, unit))
            continue
        leaf = score_leaf(ind, rule, unit, views, instruments, include_received=settings.include_received,
                          manual=manual)
        limit = min(ind.points or 0.0, rule.get("max", ind.points or 0.0)) if rule else ind.points or 0.0
        leaves.append(leaf)
        problems += _leaf_problems(leaf, manual, limit)
    return leaves, problems


def _unit_result(fw: Framework, units: UnitList, unit_id: str, leaves: list[LeafScore],
                 events: list[AppliedEvent]) -> UnitResult:
    unit = units.get(unit_id)
    cat = units.category(unit.category) if unit else None
    leaf_values = {s.indicator: s.score for s in leaves}
    innovation = sum(e.points for e in events if e.bonus)
    adjust = sum(e.points for e in events if not e.bonus)
    t = totals(fw, leaf_values, innovation, adjust)
    return UnitResult(
        unit=unit_id, name=unit.name if unit else unit_id, category=unit.category if unit else "",
        category_name=cat.name if cat else "", weight=cat.weight if cat else 1.0,
        published_only=bool(cat and cat.published_only), scored=rounded(t.scored), bonus_raw=rounded(t.bonus_raw),
        bonus_cap=float(t.bonus_cap), bonus=rounded(t.bonus), deductions=rounded(t.deductions),
        adjustments=rounded(t.adjustments), total=rounded(t.total), complete=all(s.score is not None for s in leaves),
        leaves=tuple(leaves), nodes=node_scores(fw, leaf_values), events=tuple(events))


def grade_and_rank(results: list[UnitResult], settings: ScoringSettings) -> list[UnitResult]:
    """Grades by the category's bands and competition ranks within each category, ties named."""
    out = []
    for category in dict.fromkeys(r.category for r in results):
        members = [r for r in results if r.category == category]
        ranks = competition_ranks({r.unit: r.total for r in members})
        bands = settings.bands(category)
        for r in members:
            tied = tuple(o.unit for o in members if o.unit != r.unit and ranks[o.unit] == ranks[r.unit])
            out.append(replace(r, grade=grade_of(r.total, bands), rank=ranks[r.unit], tied_with=tied))
    order = {r.unit: i for i, r in enumerate(results)}
    return sorted(out, key=lambda r: order[r.unit])


def score(fw: Framework, units: UnitList, instruments: Mapping[str, Instrument], records: Sequence, *,
          settings: ScoringSettings | None = None, events: Sequence[Event] = (),
          manual: Sequence[ManualScore] = (), stability: bool = True, tasks: TaskLeaves | None = None) -> Evaluation:
    """Score every unit of the list from the records (current views, deleted ones included).

    ``tasks`` scores the 台账 leaves of a per-unit framework: each unit gets its own points per
    task and its not-applicable tasks drop out."""
    settings = settings or ScoringSettings()
    problems = validate_rules(fw, instruments)
    for category in {*settings.grade_bands, *(c.id for c in units.categories)}:
        if category in settings.grade_bands:
            problems += check_grade_bands(settings.grade_bands[category], category)
    applied, found = check_events(events, {u.id for u in units.units})
    problems += found
    rules = parsed_rules(fw, instruments)
    results = []
    for unit in units.units:
        unit_fw = tasks.unit_framework(fw, unit.id) if tasks is not None else fw
        leaves, found = score_unit_leaves(unit_fw, rules, unit.id, records, instruments, settings, manual, tasks)
        problems += found
        mine = [a for e, a in zip(events, applied) if a is not None and e.unit == unit.id]
        results.append(_unit_result(unit_fw, units, unit.id, leaves, mine))
    results = grade_and_rank(results, settings)
    if stability:
        results = rank_stability(fw, results, settings)
    unassigned = _unassigned(records, units, problems)
    return Evaluation(fw.id, tuple(results), tuple(problems), settings, tuple(unassigned))


def _unassigned(records: Sequence, units: UnitList, problems: list[Problem]) -> list[LeftOut]:
    """Records of units not in the list: not used anywhere, so said here."""
    out = []
    for view in records:
        if units.get(view.unit) is None:
            out.append(left_out(view.instance_id, "unit_unknown", unit=view.unit))
            problems.append(problem(RECORD_UNIT_UNLISTED, record=view.instance_id, unit=view.unit))
    return out
