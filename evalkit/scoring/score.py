"""Scoring: evidence → points per leaf → tree → final score → grade and rank.

:func:`score` takes loaded inputs (a project's are loaded once by :mod:`evalkit.project`) and
gives an :class:`~evalkit.scoring.results.Evaluation`: per unit, every leaf's score with its
trace, the tree, the seed 002 adjustments applied, the grade within the category, the
competition rank with the units it ties with, the category's performance weight (seed 002
第七条: categories 1–2 full, 3 at 70 %, 4 at 50 %, 5 published only) and the uncertainty of
the total, grade and rank.  Problems found on the way (rule errors, insufficient evidence,
faulty events or grade bands, caps applied, provisional totals) are in ``problems``; nothing
stops scoring.

Caps are applied as the seeds write them, each with a warning; a leaf an error left without
a score makes the unit's total provisional rather than counting 0
(:mod:`evalkit.scoring.unit_totals`, :mod:`evalkit.scoring.ranking`).

A per-unit framework (Jilin City's: each unit's points come from its own task table) is scored
through a :class:`TaskLeaves` — the ledger's side of it lives in :mod:`evalkit.ledger`, which
scoring does not know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from evalkit.config import UnitList
from evalkit.forms import Instrument
from evalkit.framework import Framework, Indicator
from evalkit.io.heap import paused_gc
from evalkit.problems import Problem, problem
from evalkit.scoring.drawn import FrameSizes, drawn_index
from evalkit.scoring.events import Event, check_events
from evalkit.scoring.evidence import LeftOut, left_out, remembered_rows, unit_records, units_indexed
from evalkit.scoring.leaves import LeafScore, Sample, leaf_of_tally, manual_leaf, score_leaf_tally
from evalkit.scoring.manual import ManualScore, manual_problems
from evalkit.scoring.problems import RECORD_UNIT_UNLISTED, SCORE_INSUFFICIENT, SCORE_NO_RULE
from evalkit.scoring.ranking import grade_and_rank, provisional_problems
from evalkit.scoring.results import Evaluation, ScoringSettings
from evalkit.scoring.reuse import UnitReuse, UnitScored, unit_key
from evalkit.scoring.rule_checks import parsed_rules, validate_rules
from evalkit.scoring.tally import Tally, kept_tally
from evalkit.scoring.tree import check_grade_bands
from evalkit.scoring.uncertainty import is_drawn, leaf_points, rank_stability, shares_drawn, totals_drawn, unit_seed
from evalkit.scoring.unit_totals import cap_problems, event_bounds, pending_events, unit_result

PUBLISHED_ONLY_ZH = "仅通报，不纳入年度绩效考核（吉市办发〔2018〕15号 第七条）"


def _leaf_problems(leaf: LeafScore) -> list[Problem]:
    where = {"unit": leaf.unit, "indicator": leaf.indicator}
    if leaf.status in ("insufficient", "zero", "flagged"):
        return [problem(SCORE_INSUFFICIENT, detail=leaf.figures, **where)]
    if leaf.status == "no_rule":
        return [problem(SCORE_NO_RULE, **where)]
    return []


class TaskLeaves(Protocol):
    """How a per-unit framework is scored: each unit's own framework and its task leaves."""

    def unit_framework(self, fw: Framework, unit: str) -> Framework:
        """The unit's framework: its applicable tasks with its own points."""

    def leaf(self, indicator: Indicator, unit: str) -> LeafScore:
        """The score of a 台账 leaf for the unit, with its trace."""


def score_unit_leaves(fw: Framework, rules: Mapping, unit: str, views: Sequence, instruments: Mapping[str, Instrument],
                      settings: ScoringSettings, manual: Sequence[ManualScore], tasks: TaskLeaves | None = None
                      ) -> tuple[list[LeafScore], list[Problem], dict[str, Sample]]:
    """Every leaf of one unit, the problems of its leaves (rule 台账: from ``tasks``) and the
    observations each score rests on (for :mod:`evalkit.scoring.uncertainty`)."""
    leaves, tallies = unit_tallies(fw, rules, unit, views, instruments, settings, manual, tasks)
    return leaves, unit_leaf_problems(fw, rules, unit, leaves, manual, tasks), _samples(leaves, tallies)


def _samples(leaves: Sequence[LeafScore], tallies: Sequence[Tally | None]) -> dict[str, Sample]:
    """Each leaf's observations by its code (the leaves with a tally that has any)."""
    return {leaf.indicator: sample for leaf, tally in zip(leaves, tallies)
            if tally is not None and (sample := tally.sample()) is not None}


def _from_tasks(rule, tasks: TaskLeaves | None) -> bool:
    """Whether a leaf is a 台账 task scored from the unit's task table (a per-unit framework's)."""
    return rule is not None and rule.kind == "ledger" and tasks is not None


def unit_tallies(fw: Framework, rules: Mapping, unit: str, views: Sequence, instruments: Mapping[str, Instrument],
                 settings: ScoringSettings, manual: Sequence[ManualScore], tasks: TaskLeaves | None = None
                 ) -> tuple[list[LeafScore], list[Tally | None]]:
    """Every leaf of one unit and the tally it was finished from (:func:`evalkit.scoring.leaves.score_leaf_tally`;
    None for a manual or 台账 leaf)."""
    leaves, tallies = [], []
    for ind in fw.leaves():
        rule = rules.get(ind.code)
        if _from_tasks(rule, tasks):
            leaf, tally = tasks.leaf(ind, unit), None
        else:
            leaf, tally = score_leaf_tally(ind, rule, unit, views, instruments,
                                           include_received=settings.include_received, manual=manual)
        leaves.append(leaf)
        tallies.append(tally)
    return leaves, tallies


def unit_leaf_problems(fw: Framework, rules: Mapping, unit: str, leaves: Sequence[LeafScore],
                       manual: Sequence[ManualScore], tasks: TaskLeaves | None = None) -> list[Problem]:
    """The problems of a unit's leaves in leaf order: a manual leaf's manual scores, then each leaf's own."""
    problems: list[Problem] = []
    for ind, leaf in zip(fw.leaves(), leaves):
        rule = rules.get(ind.code)
        if _from_tasks(rule, tasks):
            continue
        if rule is None or rule.kind == "manual":
            problems += manual_problems(ind, rule, unit, manual)
        problems += _leaf_problems(leaf)
    return problems


def leaves_again(fw: Framework, rules: Mapping, unit: str, kept: UnitScored,
                 manual: Sequence[ManualScore]) -> list[LeafScore] | None:
    """A unit's leaves finished again from the tallies a rerun kept, under the rules as they are now (the key
    vouches for all else: :func:`evalkit.scoring.reuse.unit_key`); None when the leaves resampled are not the ones
    that were (the kept shares do not fit: the unit is scored again)."""
    leaves = []
    for ind, tally in zip(fw.leaves(), kept.tallies):
        rule = rules.get(ind.code)
        leaves.append(manual_leaf(ind, rule, unit, manual) if tally is None or rule is None
                      else leaf_of_tally(ind, rule, unit, tally))
    return leaves if tuple(map(is_drawn, leaves)) == kept.drawn else None


def score(fw: Framework, units: UnitList, instruments: Mapping[str, Instrument], records: Sequence, *,
          settings: ScoringSettings | None = None, events: Sequence[Event] = (),
          manual: Sequence[ManualScore] = (), stability: bool = True, tasks: TaskLeaves | None = None,
          frames: FrameSizes | None = None, reuse: UnitReuse | None = None) -> Evaluation:
    """Score every unit of the list from the records (current views, deleted ones included).

    ``tasks`` scores the 台账 leaves of a per-unit framework: each unit gets its own points per
    task and its not-applicable tasks drop out.  ``frames`` gives, per unit, the ids drawn from a
    sampling frame and the size of the unit's part of the frame (the finite-population correction
    of the uncertainty, :mod:`evalkit.scoring.uncertainty`).

    It runs with the cyclic garbage collector paused (scoring makes hundreds of thousands of small
    objects and no cycles, and the collector's passes over the records cost more than the scoring).  Each unit
    is scored with its records' repeat rows listed once for all its leaves that read them
    (:func:`evalkit.scoring.evidence.remembered_rows`), and its leaves and totals drawn for the uncertainty at once
    (:func:`evalkit.scoring.uncertainty.shares_drawn`, :func:`~evalkit.scoring.uncertainty.totals_drawn`): neither the
    rows listed nor the observations a unit's scores rest on are kept while the next unit is scored.

    ``reuse`` (a rerun's: :mod:`evalkit.scoring.reuse`) gives back each unit whose leaves were counted and drawn
    before from the very same inputs (their tallies and shares drawn, finished again under the rules as they are:
    :func:`leaves_again`), and keeps the others as they are scored; the results are the same."""
    with paused_gc(), units_indexed():
        return _score(fw, units, instruments, records, settings=settings or ScoringSettings(), events=events,
                      manual=manual, stability=stability, tasks=tasks, frames=frames, reuse=reuse)


def _score(fw: Framework, units: UnitList, instruments: Mapping[str, Instrument], records: Sequence, *,
           settings: ScoringSettings, events: Sequence[Event], manual: Sequence[ManualScore], stability: bool,
           tasks: TaskLeaves | None, frames: FrameSizes | None, reuse: UnitReuse | None) -> Evaluation:
    problems = validate_rules(fw, instruments)
    for category in {*settings.grade_bands, *(c.id for c in units.categories)}:
        if category in settings.grade_bands:
            problems += check_grade_bands(settings.grade_bands[category], category)
    events = list(events)
    applied, found = check_events(events, {u.id for u in units.units})
    problems += found
    rules = parsed_rules(fw, instruments)
    drawn = None   # the records' drawn rows by unit (drawn_index), found when a unit's shares are first drawn
    results, drawn_totals = [], {}
    if not stability or tasks is not None or not isinstance(records, (list, tuple)):
        reuse = None   # only whole units, leaves and draws, scored from a list of records and the common framework
    draws = max(1, int(settings.draws))
    for index, unit in enumerate(units.units):
        unit_fw = tasks.unit_framework(fw, unit.id) if tasks is not None else fw
        key = None if reuse is None else unit_key(fw, rules, unit.id, index, unit_records(records, unit.id),
                                                  instruments, settings, manual, (frames or {}).get(unit.id) or {})
        kept = None if key is None else reuse.get(key)
        leaves = None if kept is None else leaves_again(unit_fw, rules, unit.id, kept, manual)
        shares = None if leaves is None else kept.shares
        if leaves is not None:
            reuse.took(key)
        else:
            with remembered_rows():
                leaves, tallies = unit_tallies(unit_fw, rules, unit.id, records, instruments, settings, manual, tasks)
        problems += unit_leaf_problems(unit_fw, rules, unit.id, leaves, manual, tasks)
        mine = [a for e, a in zip(events, applied) if a is not None and e.unit == unit.id]
        result = unit_result(unit_fw, units, unit.id, leaves, mine, pending_events(unit.id, events, applied),
                             event_bounds(unit.id, events, applied))
        problems += cap_problems(unit_fw, result)
        results.append(result)
        if stability:
            if shares is None:
                if drawn is None:   # made when first needed: not at all when every unit is taken
                    drawn = drawn_index(records, frames or {})
                shares = shares_drawn(result.leaves, _samples(leaves, tallies), draws, unit_seed(settings, index),
                                      drawn.get(unit.id, {}), settings.confidence)
                if key is not None:
                    reuse.put(key, UnitScored(tuple(kept_tally(t) for t in tallies),
                                              tuple(map(is_drawn, leaves)), shares))
            drawn_totals[unit.id] = totals_drawn(unit_fw, result, leaf_points(result.leaves, shares), draws)
    results = grade_and_rank(results, settings)
    problems += provisional_problems(results, settings)
    if stability:
        results = rank_stability(results, settings, drawn_totals)
    unassigned = _unassigned(records, units, problems)
    return Evaluation(fw.id, tuple(results), tuple(problems), settings, tuple(unassigned))


def _unassigned(records: Sequence, units: UnitList, problems: list[Problem]) -> list[LeftOut]:
    """Records of units not in the list: not used anywhere, so said here."""
    out = []
    listed = {u.id for u in units.units}
    for view in records:
        if view.unit not in listed:
            out.append(left_out(view.instance_id, "unit_unknown", unit=view.unit))
            problems.append(problem(RECORD_UNIT_UNLISTED, record=view.instance_id, unit=view.unit))
    return out
