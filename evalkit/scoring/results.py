"""What scoring gives: each unit's scorecard and the whole evaluation, with the settings used.

:class:`Evaluation` holds, per unit (:class:`UnitResult`), every leaf's score with its maximum,
rule, input figures, the records used and every record left out with the reason
(:mod:`evalkit.scoring.leaves`), the tree (:mod:`evalkit.scoring.tree`), the adjustments applied
(:mod:`evalkit.scoring.events`), grade, rank, ties, the category's performance weight and the
rank-stability figure (:class:`Stability`, :mod:`evalkit.scoring.uncertainty`).
``Evaluation.to_json()`` is what ``evalkit score --json`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

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
