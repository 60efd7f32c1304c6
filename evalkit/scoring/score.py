"""Scoring a project: evidence → points per leaf → tree → final score → grade and rank.

Call :func:`score` with loaded inputs, or :func:`score_project` with a project
folder.  The result (:class:`Evaluation`) holds, per unit, every leaf's score
with its maximum, rule, input figures, the ids of the records used and every
record left out with the reason (:mod:`evalkit.scoring.leaves`), the tree
(:mod:`evalkit.scoring.tree`), the seed 002 adjustments applied (:mod:`evalkit.scoring.events`),
the grade within the category, the competition rank with the units it ties
with, the category's performance weight (seed 002 第七条: categories 1–2 full,
3 at 70 %, 4 at 50 %, 5 published only) and the rank-stability figure
(:mod:`evalkit.scoring.uncertainty`).  Problems found on the way (rule errors,
insufficient evidence, faulty events or grade bands) are in ``problems``;
nothing stops scoring.  ``Evaluation.to_json()`` is what ``evalkit score --json`` prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from evalkit.scoring.events import AppliedEvent, Event, check_events
from evalkit.scoring.evidence import LeftOut, left_out
from evalkit.framework import Framework
from evalkit.forms import Instrument
from evalkit.scoring.leaves import LeafScore, ManualScore, score_leaf
from evalkit.problems import ERROR, WARNING, Problem, problem, register
from evalkit.scoring.rule_checks import parsed_rules, validate_rules
from evalkit.scoring.tree import (
    DEFAULT_GRADES,
    GradeBand,
    NodeScore,
    check_grade_bands,
    competition_ranks,
    grade_of,
    node_scores,
    totals,
)
from evalkit.config import UnitList

SCORE_INSUFFICIENT = register(
    "score-insufficient-evidence", WARNING,
    "单位 {unit} 的指标 {indicator}：{detail}。请补充调查，或确认按规则处理。")
SCORE_NO_RULE = register(
    "score-no-rule", WARNING, "单位 {unit} 的指标 {indicator} 没有可用的评分规则，也没有人工评分：该指标暂不计分。")
MANUAL_MISSING = register(
    "manual-score-missing", WARNING, "单位 {unit} 的指标 {indicator} 规定由评估组长人工评分，尚未评分：该指标暂不计分。")
MANUAL_ABOVE_MAX = register(
    "manual-score-above-max", ERROR,
    "单位 {unit} 的指标 {indicator} 人工评分 {value} 超过上限 {limit}：请改为 0 到 {limit} 之间的分数。")
MANUAL_NO_JUSTIFICATION = register(
    "manual-score-unjustified", ERROR, "单位 {unit} 的指标 {indicator} 人工评分 {value} 没有写明理由：人工评分必须写明依据，否则不计入。")
RECORD_UNIT_UNLISTED = register(
    "score-record-unit-unlisted", WARNING, "记录 {record} 的被评估单位「{unit}」不在单位名单中：该记录不参与任何单位的计分。")

PUBLISHED_ONLY_ZH = "仅通报，不纳入年度绩效考核（吉市办发〔2018〕15号 第七条）"


@dataclass(frozen=True)
class ScoringSettings:
    """Project settings for scoring; ``grade_bands`` maps a category id (or ``*``) to its band table."""

    include_received: bool = False
    grade_bands: Mapping[str, tuple[GradeBand, ...]] = field(default_factory=dict)
    seed: int = 20181102
    draws: int = 1000
    confidence: float = 0.95

    def bands(self, category: str) -> tuple[GradeBand, ...]:
        return tuple(self.grade_bands.get(category) or self.grade_bands.get("*") or DEFAULT_GRADES)


@dataclass(frozen=True)
class Stability:
    """How often a unit's grade or rank changed over seeded draws of its sampled rates."""

    draws: int
    seed: int
    grade_changes: float
    rank_changes: float
    rank_range: tuple[int, int]
    total_interval: tuple[float, float]


@dataclass(frozen=True)
class UnitResult:
    """One unit's scorecard."""

    unit: str
    name: str
    category: str
    category_name: str
    weight: float
    published_only: bool
    scored: float
    bonus_raw: float
    bonus_cap: float
    bonus: float
    deductions: float
    adjustments: float
    total: float
    complete: bool
    grade: str | None = None
    rank: int | None = None
    tied_with: tuple[str, ...] = ()
    leaves: tuple[LeafScore, ...] = ()
    nodes: tuple[NodeScore, ...] = ()
    events: tuple[AppliedEvent, ...] = ()
    stability: Stability | None = None

    def leaf(self, code: str) -> LeafScore | None:
        return next((s for s in self.leaves if s.indicator == code), None)

    def node(self, code: str) -> NodeScore | None:
        return next((n for n in self.nodes if n.indicator == code), None)


@dataclass(frozen=True)
class Evaluation:
    """Every unit's scorecard, the problems met and the settings used (seed included)."""

    framework: str
    units: tuple[UnitResult, ...]
    problems: tuple[Problem, ...]
    settings: ScoringSettings
    unassigned: tuple[LeftOut, ...] = ()

    def unit(self, unit_id: str) -> UnitResult | None:
        return next((u for u in self.units if u.unit == unit_id), None)

    def ranking(self, category: str) -> list[UnitResult]:
        """The category's units, best first."""
        return sorted((u for u in self.units if u.category == category), key=lambda u: (u.rank or 0, u.unit))

    def to_json(self) -> dict:
        """Plain JSON-able dict of everything (what ``evalkit score --json`` prints)."""
        settings = asdict(self.settings)
        settings["grade_bands"] = {k: [asdict(b) for b in v] for k, v in self.settings.grade_bands.items()}
        return {"framework": self.framework, "settings": settings,
                "units": [asdict(u) for u in self.units], "problems": [p.to_dict() for p in self.problems],
                "unassigned": [asdict(x) for x in self.unassigned]}


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


def score_unit_leaves(fw: Framework, rules: Mapping, unit: str, views: Sequence, instruments: Mapping[str, Instrument],
                      settings: ScoringSettings, manual: Sequence[ManualScore],
                      ledger=None) -> tuple[list[LeafScore], list[Problem]]:
    """Every leaf of one unit, with the problems of its leaves (rule 台账: from the task ledger)."""
    from evalkit.ledger import ledger_leaf

    leaves, problems = [], []
    for ind in fw.leaves():
        rule = rules.get(ind.code)
        if rule is not None and rule.kind == "ledger" and ledger is not None:
            task = next((t for t in ledger.unit_tasks(unit) if t.code == ind.code), None)
            leaves.append(ledger_leaf(ind, task, ledger.state(unit, task.task_no if task else -1), ledger.as_of))
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
        published_only=bool(cat and cat.published_only), scored=float(t.scored), bonus_raw=float(t.bonus_raw),
        bonus_cap=float(t.bonus_cap), bonus=float(t.bonus), deductions=float(t.deductions),
        adjustments=float(t.adjustments), total=float(t.total), complete=all(s.score is not None for s in leaves),
        leaves=tuple(leaves), nodes=node_scores(fw, leaf_values), events=tuple(events))


def grade_and_rank(results: list[UnitResult], settings: ScoringSettings) -> list[UnitResult]:
    """Grades by the category's bands and competition ranks within each category, ties named."""
    from dataclasses import replace

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
          manual: Sequence[ManualScore] = (), stability: bool = True, ledger=None) -> Evaluation:
    """Score every unit of the list from the records (current views, deleted ones included).

    ``ledger`` (:class:`evalkit.ledger.ledger.Ledger`) scores the 台账 leaves of a per-unit framework:
    each unit gets its own points per task and its not-applicable tasks drop out."""
    from evalkit.ledger import unit_framework
    from evalkit.scoring.uncertainty import rank_stability

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
        unit_fw = unit_framework(fw, ledger, unit.id) if ledger is not None else fw
        leaves, found = score_unit_leaves(unit_fw, rules, unit.id, records, instruments, settings, manual, ledger)
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


def load_project(root: Path) -> tuple[Framework | None, UnitList | None, dict[str, Instrument], list, list[Problem]]:
    """Framework, unit list, instruments and every record of a project folder, with load problems."""
    from evalkit.framework import read_framework
    from evalkit.forms import load_instrument
    from evalkit.config import load_config
    from evalkit.store import Store
    from evalkit.config import read_units

    config, problems = load_config(Path(root))
    fw, found = read_framework(config.framework_path)
    problems += [p for p in found if p.is_error]
    units, found = read_units(config.units_path)
    problems += [p for p in found if p.is_error]
    instruments: dict[str, Instrument] = {}
    for path in sorted((Path(root) / "instruments").glob("*.xlsx")):
        inst, _ = load_instrument(path, fw.codes() if fw else None)
        if inst is not None:
            instruments[inst.id] = inst
    views, found = Store(Path(root)).load()
    return fw, units, instruments, views, problems + found


def score_project(root: Path, *, include_received: bool = False, events: Sequence[Event] = (),
                  manual: Sequence[ManualScore] = (), grade_bands: Mapping[str, tuple[GradeBand, ...]] | None = None,
                  seed: int = 20181102, draws: int = 1000) -> Evaluation:
    """Score a project folder (what ``evalkit score PROJECT`` runs)."""
    fw, units, instruments, views, problems = load_project(root)
    settings = ScoringSettings(include_received=include_received, grade_bands=dict(grade_bands or {}),
                               seed=seed, draws=draws)
    if fw is None or units is None:
        return Evaluation(fw.id if fw else "", (), tuple(problems), settings)
    from evalkit.ledger import scoring_inputs

    ledger, ledger_events, found = scoring_inputs(root, fw, units)  # per-unit (台账) frameworks only
    problems += found
    result = score(fw, units, instruments, views, settings=settings, events=[*events, *ledger_events], manual=manual,
                   ledger=ledger)
    return Evaluation(result.framework, result.units, tuple(problems) + result.problems, settings, result.unassigned)
