"""Points per unit: a unit's 100 points spread over its applicable tasks, equally or by area weight
(``[ledger] points`` of evalkit.toml), rounded by the largest-remainder method at 0.01 so they add
up to exactly 100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalkit import stats
from evalkit.ledger.model import FrameworkTask
from evalkit.ledger.problems import LEDGER_AREA_WEIGHT_MISSING
from evalkit.ledger.settings import LedgerSettings
from evalkit.problems import Problem, problem


def largest_remainder(weights: Mapping[int, float], total: float = 100.0) -> dict[int, float]:
    """Split ``total`` in proportion to ``weights`` in 0.01 steps so the parts add up to exactly ``total``.

    :func:`evalkit.stats.largest_remainder` on cents: each part is first rounded down to 0.01; the
    cents left over go one each to the parts with the largest remainders (ties: the smaller key
    first) — the largest-remainder (Hamilton) method.  No weight (or all zero): every part 0.
    """
    if not weights or sum(weights.values()) <= 0:
        return {k: 0.0 for k in weights}
    cents = stats.largest_remainder(round(total * 100), weights)
    return {k: c / 100 for k, c in cents.items()}


def allocate_points(fw_tasks: Mapping[int, FrameworkTask], applicable: Sequence[int], settings: LedgerSettings,
                    unit: str = "", names: Mapping[str, str] | None = None) -> tuple[dict[int, float], list[Problem]]:
    """Points per applicable 序号 (others 0): equal, or by area weight then equal within the area."""
    applicable = sorted(applicable)
    problems: list[Problem] = []
    weights: dict[int, float] = {n: 1.0 for n in applicable}
    if settings.points == "area" and applicable:
        areas: dict[str, list[int]] = {}
        for n in applicable:
            areas.setdefault(fw_tasks[n].area_code, []).append(n)
        missing = [a for a in areas if a not in settings.area_weights]
        for a in missing:
            problems.append(problem(LEDGER_AREA_WEIGHT_MISSING, indicator=a, name=fw_tasks[areas[a][0]].area,
                                    record=unit))
        if not missing and sum(settings.area_weights[a] for a in areas) > 0:
            # two steps, each by largest remainder at 0.01: the total over the areas, then each area's share
            # over its tasks — so both every area and the unit add up exactly
            area_points = largest_remainder({i: settings.area_weights[a] for i, a in enumerate(areas)}, settings.total)
            points: dict[int, float] = {}
            for i, ns in enumerate(areas.values()):
                points.update(largest_remainder({n: 1.0 for n in ns}, area_points[i]))
            return {n: points.get(n, 0.0) for n in fw_tasks}, problems
    points = largest_remainder(weights, settings.total)
    return {n: points.get(n, 0.0) for n in fw_tasks}, problems
