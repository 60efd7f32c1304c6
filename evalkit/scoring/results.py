"""What scoring gives: each unit's scorecard and the whole evaluation, with the settings used.

:class:`Evaluation` holds, per unit (:class:`UnitResult`), every leaf's score with its maximum,
rule, input figures, the records used and every record left out with the reason
(:mod:`evalkit.scoring.leaves`), the tree (:mod:`evalkit.scoring.tree`), the adjustments applied
(:mod:`evalkit.scoring.events`), grade, rank, ties, the category's performance weight and the
uncertainty of the total, grade and rank (:class:`Stability`, :mod:`evalkit.scoring.uncertainty`).

A unit with a leaf that could not be scored (or an adjustment that could not be applied) has a
**provisional** total (待定): ``provisional`` is True, ``pending`` names what is missing and why,
``total_range`` is where the total will lie once they are settled; it has no rank and no grade
unless ``ScoringSettings.rank_provisional`` says to rank it anyway (then the reports mark it).
``Evaluation.to_json()`` is what ``evalkit score --json`` prints.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass

from evalkit.problems import Problem
from evalkit.scoring.events import AppliedEvent
from evalkit.scoring.evidence import LeftOut
from evalkit.scoring.leaves import LeafScore
from evalkit.scoring.tree import DEFAULT_GRADES, GradeBand, NodeScore


@dataclass(frozen=True)
class ScoringSettings:
    """Project settings for scoring; ``grade_bands`` maps a category id (or ``*``) to its band table."""

    include_received: bool = False
    grade_bands: Mapping[str, tuple[GradeBand, ...]] = field(default_factory=dict)
    seed: int = 20181102
    draws: int = 1000
    confidence: float = 0.95
    rank_provisional: bool = False

    def bands(self, category: str) -> tuple[GradeBand, ...]:
        return tuple(self.grade_bands.get(category) or self.grade_bands.get("*") or DEFAULT_GRADES)


@dataclass(frozen=True)
class Stability:
    """The uncertainty of a unit's total, grade and rank over seeded resampling draws
    (:mod:`evalkit.scoring.uncertainty`).

    ``total_interval`` is the central ``confidence`` interval of the total; ``grade_changes``
    the share of draws whose grade differs from the reported one and ``rank_changes`` that for
    the rank; ``rank_interval`` the central ``confidence`` interval of the rank (quantiles, not
    the extremes).  Grade and rank figures are None for a unit that is not ranked (provisional).
    ``resampled`` names the leaves whose evidence was resampled (the others are held at their
    score: manual scores, ledger tasks, censuses, single observations); ``shift`` is how far the
    draws were moved so that their median is the reported total (the bootstrap's bias where a
    share meets a threshold, see docs/uncertainty.md).
    """

    draws: int
    seed: int
    grade_changes: float | None
    rank_changes: float | None
    rank_interval: tuple[int, int] | None
    total_interval: tuple[float, float]
    confidence: float = 0.95
    method: str = "bayesian-bootstrap"
    resampled: tuple[str, ...] = ()
    shift: float = 0.0

    @property
    def rank_range(self) -> tuple[int, int] | None:
        """The rank interval (kept under its old name; since issue 17 quantiles, not min–max)."""
        return self.rank_interval


@dataclass(frozen=True)
class Pending:
    """What keeps a unit's total provisional: a leaf without a score or an adjustment not applied."""

    kind: str          # "leaf" or "event"
    code: str          # indicator code or event id
    name: str
    reason: str


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
    provisional: bool = False
    pending: tuple[Pending, ...] = ()
    total_range: tuple[float, float] | None = None

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
        """The category's units, best first; units without a rank (provisional) last, by total."""
        return sorted((u for u in self.units if u.category == category),
                      key=lambda u: (u.rank is None, u.rank or 0, -u.total if u.rank is None else 0, u.unit))

    def to_json(self) -> dict:
        """Plain JSON-able dict of everything (what ``evalkit score --json`` prints)."""
        settings = asdict(self.settings)
        settings["grade_bands"] = {k: [asdict(b) for b in v] for k, v in self.settings.grade_bands.items()}
        return {"framework": self.framework, "settings": settings,
                "units": [plain(u) for u in self.units], "problems": [p.to_dict() for p in self.problems],
                "unassigned": [plain(x) for x in self.unassigned]}


_ATOMS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}   # a dataclass -> its fields' names, found once


def plain(value):
    """What ``dataclasses.asdict`` gives for ``value``, the same types included, in a quarter of the time.

    ``asdict`` asks each value what it is with several calls and deep-copies every text and number (a
    province's results hold about 400,000 values); here a text, number or None is itself, a dataclass's
    fields are looked up once per class, and anything else is handled as ``asdict`` handles it."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):   # a named tuple: built from its fields
        return kind(*[plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return kind(plain(v) for v in value)
    if isinstance(value, dict):
        return kind((plain(k), plain(v)) for k, v in value.items())
    return copy.deepcopy(value)
