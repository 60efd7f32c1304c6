"""Scoring and checking a project: what ``evalkit score``, ``evalkit check``, ``evalkit rerun`` and the
scoring page all call, so they cannot disagree.

:func:`evaluate` scores every unit of a :class:`~evalkit.project.Project` with the lead evaluator's
adjustments (``adjustments.xlsx``), the task ledger of a per-unit framework and the ``[scoring]``
settings of ``evalkit.toml`` (each overridable for one run, and a what-if's changed thresholds, points,
rules, grades or adjustments in memory: :mod:`evalkit.project.whatif`); :func:`project_checks` runs every
cross-record check with the evaluation period, the assessor list and the units'
self-assessments.  Both read nothing themselves: the project has read its inputs once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from evalkit.checks import evaluation_checks, record_checks
from evalkit.config import ScoringConfig
from evalkit.ledger import LedgerTasks
from evalkit.problems import Problem
from evalkit.project.project import Project
from evalkit.project.whatif import OverrideError, Overrides, what_if_inputs
from evalkit.scoring import Evaluation, FrameSizes, ScoringSettings, UnitReuse, score

EQUAL_PROBABILITY = ("srs", "systematic", "stratified")


def scoring_settings(config: ScoringConfig, *, include_received: bool | None = None, seed: int | None = None,
                     draws: int | None = None) -> ScoringSettings:
    """The settings of one run: ``[scoring]`` of evalkit.toml, with what the caller overrides.

    ``include_received`` widens only: ``True`` here or in the file counts received records too.
    """
    return ScoringSettings(include_received=bool(include_received) or config.include_received,
                           seed=config.seed if seed is None else seed,
                           draws=config.draws if draws is None else draws, rank_provisional=config.rank_provisional)


def frame_sizes(draws: Iterable, unit_ids: set[str]) -> FrameSizes:
    """Per unit, the ids drawn for it from a frame and the size of its part of the frame.

    Only equal-probability draws stratified by unit (the demo's 办件记录 and 事项清单 draws:
    strata 单位) say how large each unit's population is; their selected and reserve ids are
    elements of a frame of that size (the finite-population correction of the uncertainty)."""
    out: dict[str, dict[str, int]] = {}
    for d in draws:
        if getattr(d.design, "method", "") not in EQUAL_PROBABILITY:
            continue
        sizes = {s.key: s.population for s in d.strata if s.key in unit_ids}
        for item in (*d.selected, *d.reserve):
            if item.stratum in sizes:
                out.setdefault(item.stratum, {})[item.id] = sizes[item.stratum]
    return out


def evaluate(project: Project, *, include_received: bool | None = None, seed: int | None = None,
             draws: int | None = None, stability: bool = True,
             overrides: Overrides | Mapping | None = None, reuse: UnitReuse | None = None
             ) -> tuple[Evaluation, list[Problem]]:
    """Score the project; returns (evaluation, problems of the adjustments).

    The evaluation's own problems start with what made inputs unusable (the settings, a broken
    framework or unit list, damaged record files, the ledger), followed by scoring's.
    ``overrides`` scores a what-if in memory (:class:`~evalkit.project.whatif.Overrides`; a
    mistake in them raises :class:`~evalkit.project.whatif.OverrideError`); nothing is written.
    ``reuse``: units scored before from the same inputs, taken again (:mod:`evalkit.scoring.reuse`: a rerun's cache,
    or :attr:`Project.scored_units` in memory — a what-if's framework, settings and manual scores make each unit's
    key, so a what-if takes what it shares with the scoring before and scores the rest).
    """
    settings = scoring_settings(project.config.scoring, include_received=include_received, seed=seed, draws=draws)
    fw, units = project.framework, project.units
    loaded = [*project.config_problems, *(p for p in project.framework_problems if p.is_error),
              *(p for p in project.units_problems if p.is_error), *project.record_problems]
    adjustments = list(project.adjustment_problems)
    if fw is None or units is None:
        if overrides:
            raise OverrideError("项目的框架或单位名单无法读取，无法计算假设情形：请先运行 evalkit validate 改正。")
        return Evaluation(fw.id if fw else "", (), tuple(loaded), settings), adjustments
    ledger = project.ledger_inputs
    events, manual = [*project.events, *ledger.events], project.manual_scores
    what_if = Overrides.of(overrides)
    if what_if:
        changed = what_if_inputs(what_if, fw, units, events, manual, settings, project.instruments)
        fw, units, events, manual, settings = (changed.framework, changed.units, changed.events, changed.manual,
                                               changed.settings)
    result = score(fw, units, project.instruments, project.records, settings=settings,
                   events=events, manual=manual, stability=stability,
                   tasks=LedgerTasks(ledger.ledger) if ledger.ledger is not None else None,
                   frames=frame_sizes(project.draws, {u.id for u in units.units}),
                   reuse=reuse)
    if what_if.events:
        _added_events_apply(what_if, result)
    problems = (*loaded, *ledger.problems, *result.problems)
    return Evaluation(result.framework, result.units, problems, settings, result.unassigned), adjustments


def _added_events_apply(what_if: Overrides, result: Evaluation) -> None:
    """A what-if's own event that scoring refused (unknown kind, bad points …) is an OverrideError."""
    ids = {e.id for e in what_if.events}
    refused = [p for p in result.problems if p.is_error and p.record in ids and p.code.startswith("event-")]
    if refused:
        raise OverrideError("假设的加减分事项无法计入：" + "；".join(p.message for p in refused), refused)


def project_checks(project: Project, evaluation: Evaluation, *,
                   record_problems: list[Problem] | None = None) -> list[Problem]:
    """Every cross-record check of a scored project (what ``evalkit check`` prints and every report lists):
    duplicates, rater agreement, coverage, logic, dates outside the evaluation period, unknown
    assessors, and the units' self-assessments against the scores.

    ``record_problems``: those of :func:`project_record_checks` at the evaluation's ``include_received``, when they
    are made already (a rerun makes them in a forked child while it scores); the same list either way."""
    selfassess = project.selfassess_inputs
    if record_problems is None:
        record_problems = project_record_checks(project, include_received=evaluation.settings.include_received)
    return list(record_problems) + evaluation_checks(
        evaluation, reports=list(selfassess.reports), claimed_scores=list(selfassess.claimed),
        submitted=None if selfassess.submitted is None else set(selfassess.submitted)) + list(selfassess.problems)


def project_record_checks(project: Project, *, include_received: bool) -> list[Problem]:
    """The checks of :func:`project_checks` that read the records alone (:func:`evalkit.checks.record_checks`:
    duplicates, service users counted twice, rater agreement, logic) with the unit list, the evaluation period and
    the assessor list; ``include_received`` as the evaluation's settings have it."""
    units = project.units
    return record_checks(project.records, project.instruments, unit_ids={u.id for u in units.units} if units else None,
                         include_received=include_received, period=project.config.period,
                         assessors=project.known_assessors)
