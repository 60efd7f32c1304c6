"""How sure the totals, grades and ranks are: seeded resampling of the evidence actually used.

For ``settings.draws`` draws, every leaf whose score rests on sampled evidence — rates,
checklists, rubrics, means of ratings, penalties — gets a resampled share
(:mod:`evalkit.scoring.resampling`: a Bayesian bootstrap over the records, or the rows inside
a few records, that were used; centred on the estimate; corrected for few units and, where the
frame size is known, for sampling without replacement), mapped through its rule to points; the
tree, bonus cap and adjustments are applied with the same arithmetic as the point estimate
(:mod:`evalkit.scoring.tree`).  Manual scores, ledger tasks, censuses (``sampled=no``) and
single observations are held at their score.

A total is a sum of clipped shares (full points above ``full``, none below ``zero``), so even
draws centred on each share put the total's draws a little below the estimate when a share
sits near a threshold.  The draws of each unit's total are therefore shifted so that their
median is the reported total (a bias correction, Efron, B. & Tibshirani, R. J. 1993, *An
Introduction to the Bootstrap*, §10.6) and kept within the totals the leaves allow; the shift
is reported.  From these draws:

* ``total_interval`` — the central ``confidence`` interval (percentiles) of the total;
* ``grade_changes`` — the share of draws whose grade differs from the reported grade: the
  probability, given the evidence, that the grade is not the one printed;
* ``rank_changes`` / ``rank_interval`` — the share of draws with another rank, and the central
  ``confidence`` interval of the rank (quantiles, so one odd draw does not widen it), ranks
  recomputed in every draw among the units of the category that are ranked.

Unit ``i`` of the list draws from ``numpy.random.SeedSequence((seed, i))`` (its records, its rows
and its counts each from a child of it, :class:`~evalkit.scoring.resampling.UnitWeights`); the
seed is stored in the result, so every figure is reproducible.  The method is stated in
docs/uncertainty.md and checked for calibration by simulation in tests/test_uncertainty.py
(coverage of the true total close to the nominal level on projects with known rates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from evalkit.framework import Framework
from evalkit.scoring.leaves import LeafScore, Sample
from evalkit.scoring.ranking import ranked
from evalkit.scoring.resampling import Key, UnitWeights, share_draws
from evalkit.scoring.results import ScoringSettings, Stability, UnitResult
from evalkit.scoring.rules import Rule, Span, parse_rule
from evalkit.scoring.tree import ranks_of_draws, totals

RESAMPLED_KINDS = ("rate", "checklist", "rubric", "mean", "penalty")
UnitDraws = tuple[np.ndarray, tuple[str, ...], float]   # a unit's totals drawn, the leaves resampled, the shift
_RULES: dict[str, Rule] = {}


def _rule(text: str) -> Rule:
    rule = _RULES.get(text)
    if rule is None:
        rule = _RULES[text] = parse_rule(text)
    return rule


def fraction_array(rule: Rule, shares: np.ndarray) -> np.ndarray:
    """Vectorised :func:`evalkit.scoring.rules.share_to_fraction`."""
    if rule.has("bands"):
        spans = sorted(((k, v) for k, v in rule.get("bands") if isinstance(k, Span)), key=lambda kv: kv[0].low)
        out = np.zeros_like(shares)
        for index, (span, value) in enumerate(spans):
            inside = (shares >= span.low) & ((shares < span.high) | ((index == len(spans) - 1) & (shares == span.high)))
            out = np.where(inside, value, out)
        return out
    full, zero = rule.get("full"), rule.get("zero")
    if isinstance(full, float) and isinstance(zero, float) and full != zero:
        return np.clip((shares - zero) / (full - zero), 0.0, 1.0)
    return np.clip(shares, 0.0, 1.0)


LeafShares = tuple[np.ndarray, float]
"""A resampled leaf's shares drawn (centred and corrected, :func:`evalkit.scoring.resampling.share_draws`) and the
sum of its sample's denominators: what its points are drawn from, whatever its thresholds and points."""


def is_drawn(leaf: LeafScore) -> bool:
    """Whether a leaf, as scored, is one to resample (with a sample, a sampled one): scored, and of a kind that is."""
    return leaf.score is not None and leaf.status in ("scored", "flagged") and leaf.kind in RESAMPLED_KINDS


def leaf_shares(leaf: LeafScore, sample: Sample | None, weights: UnitWeights, drawn: Mapping[Key, int],
                confidence: float = 0.95) -> LeafShares | None:
    """A leaf's resampled shares, or None when it is held at its score (:func:`points_of`: its points)."""
    if not is_drawn(leaf) or sample is None or (leaf.kind in ("rate", "checklist") and not leaf.sampled):
        return None
    if leaf.kind == "mean":
        scale = _rule(leaf.rule).get("scale")
        found = share_draws(sample, weights, drawn, scale.low, scale.high, confidence, ratings=True)
    else:
        found = share_draws(sample, weights, drawn, confidence=confidence, ratings=leaf.kind == "rubric")
    return None if found is None else (found.shares, sum(sample.b))


def points_of(leaf: LeafScore, shares: LeafShares) -> np.ndarray:
    """The points a leaf's resampled shares earn through its rule (its thresholds, scale or deduction) and points."""
    rule = _rule(leaf.rule)
    drawn, denominator = shares
    if leaf.kind == "mean":
        scale = rule.get("scale")
        return (drawn - scale.low) / (scale.high - scale.low) * leaf.points
    if leaf.kind == "rubric":
        return drawn * leaf.points
    if leaf.kind == "penalty":
        events = drawn * denominator
        deduction = np.minimum(np.minimum(rule.get("max", leaf.points), leaf.points), events * rule.get("each"))
        return leaf.points - deduction
    return fraction_array(rule, drawn) * leaf.points


def shares_drawn(leaves, samples: Mapping[str, Sample], draws: int, seed: np.random.SeedSequence,
                 drawn: Mapping[Key, int], confidence: float) -> dict[str, LeafShares]:
    """The resampled shares of each of a unit's leaves that is not held at its score (:func:`leaf_shares`), in leaf
    order: what its leaves' points are drawn from, whatever their thresholds (kept for the next rerun by
    :mod:`evalkit.scoring.reuse`, with which leaves were drawn: the Beta draws follow the leaves drawn, in order)."""
    weights = UnitWeights(samples, draws, seed)
    found = {}
    for leaf in leaves:
        shares = leaf_shares(leaf, samples.get(leaf.indicator), weights, drawn, confidence)
        if shares is not None:
            found[leaf.indicator] = shares
    return found


def leaf_points(leaves, shares: Mapping[str, LeafShares]) -> dict[str, np.ndarray]:
    """The points each drawn leaf earns in every draw (:func:`points_of`), in leaf order."""
    return {leaf.indicator: points_of(leaf, shares[leaf.indicator]) for leaf in leaves if leaf.indicator in shares}


def leaf_values(leaves, samples: Mapping[str, Sample], draws: int, seed: np.random.SeedSequence,
                drawn: Mapping[Key, int], confidence: float) -> dict[str, np.ndarray]:
    """The resampled points of each of a unit's leaves that is not held at its score (:func:`shares_drawn` mapped by
    :func:`leaf_points`), in leaf order: what a unit's totals are drawn from, whatever its adjustments."""
    return leaf_points(leaves, shares_drawn(leaves, samples, draws, seed, drawn, confidence))


def totals_drawn(fw: Framework, result: UnitResult, resampled: Mapping[str, np.ndarray], draws: int) -> UnitDraws:
    """The unit's total in every draw (centred on the reported total), the leaves resampled, the shift: from the
    points its leaves drew (:func:`leaf_points`) and its scorecard's adjustments."""
    values: dict = {}
    low: dict = {}
    high: dict = {}
    for leaf in result.leaves:
        found = resampled.get(leaf.indicator)
        values[leaf.indicator] = leaf.score if found is None else found
        low[leaf.indicator] = leaf.score if found is None else 0.0
        high[leaf.indicator] = leaf.score if found is None else leaf.points
    innovation = sum(e.points for e in result.events if e.bonus)
    adjust = sum(e.points for e in result.events if not e.bonus)
    total = np.broadcast_to(np.asarray(totals(fw, values, innovation, adjust).total, dtype=float), (draws,)).copy()
    if not resampled:
        return total, (), 0.0
    shift = float(result.total - np.median(total))
    floor = float(totals(fw, low, innovation, adjust).total)
    ceiling = float(totals(fw, high, innovation, adjust).total)
    return np.clip(total + shift, floor, ceiling), tuple(resampled), shift


def _unit_draws(fw: Framework, result: UnitResult, samples: Mapping[str, Sample], draws: int,
                seed: np.random.SeedSequence, drawn: Mapping[Key, int],
                confidence: float) -> UnitDraws:
    """The unit's total in every draw (centred on the reported total), the leaves resampled, the shift."""
    return totals_drawn(fw, result, leaf_values(result.leaves, samples, draws, seed, drawn, confidence), draws)


def _grades(totals_drawn: np.ndarray, bands) -> np.ndarray:
    """:func:`evalkit.scoring.tree.grade_of` of every draw (the first band that holds, as there)."""
    out = np.full(totals_drawn.shape, None, dtype=object)
    for band in reversed(tuple(bands)):
        holds = np.ones(totals_drawn.shape, dtype=bool)
        if band.low is not None:
            holds &= totals_drawn >= band.low
        if band.high is not None:
            holds &= totals_drawn < band.high
        out[holds] = band.grade
    return out


def unit_seed(settings: ScoringSettings, index: int) -> np.random.SeedSequence:
    """The seed of unit ``index`` of the list's draws (:func:`leaf_values`)."""
    return np.random.SeedSequence((settings.seed, index))


def rank_stability(results: list[UnitResult], settings: ScoringSettings,
                   drawn_totals: Mapping[str, UnitDraws]) -> list[UnitResult]:
    """The results with :class:`~evalkit.scoring.results.Stability` filled in for every unit, from each unit's
    :func:`totals_drawn`."""
    draws = max(1, int(settings.draws))
    alpha = (1 - settings.confidence) / 2
    simulated = {unit: found[0] for unit, found in drawn_totals.items()}
    resampled = {unit: found[1] for unit, found in drawn_totals.items()}
    shifts = {unit: found[2] for unit, found in drawn_totals.items()}
    out = []
    for category in dict.fromkeys(r.category for r in results):
        members = [r for r in results if r.category == category]
        taking_part = [r for r in members if ranked(r, settings)]
        ranks = ranks_of_draws({r.unit: simulated[r.unit] for r in taking_part}) if taking_part else {}
        bands = settings.bands(category)
        for r in members:
            t = simulated[r.unit]
            low, high = np.quantile(t, [alpha, 1 - alpha])
            grade_changes = rank_changes = rank_interval = None
            if r.unit in ranks and r.rank is not None:
                grade_changes = float(np.mean(_grades(t, bands) != r.grade))
                rank_changes = float(np.mean(ranks[r.unit] != r.rank))
                rank_interval = (int(np.quantile(ranks[r.unit], alpha, method="lower")),
                                 int(np.quantile(ranks[r.unit], 1 - alpha, method="higher")))
            out.append(replace(r, stability=Stability(
                draws=draws, seed=settings.seed, grade_changes=grade_changes, rank_changes=rank_changes,
                rank_interval=rank_interval, total_interval=(float(low), float(high)),
                confidence=settings.confidence, resampled=resampled[r.unit], shift=shifts[r.unit])))
    order = {r.unit: i for i, r in enumerate(results)}
    return sorted(out, key=lambda r: order[r.unit])
