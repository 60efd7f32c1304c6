"""Rank stability: how often a unit's grade or rank changes when its sampled rates vary.

Each leaf scored from a sampled rate (``x`` of ``n``) has a posterior for the
true rate; with a uniform prior it is Beta(x + 1, n − x + 1) (Bayes–Laplace;
see e.g. Gelman et al. 2013, *Bayesian Data Analysis*, 3rd ed., §2.4).  For
``draws`` draws from ``numpy.random.default_rng(seed)`` every such rate is
redrawn, mapped through its rule's thresholds to points, and the tree, totals,
grades and competition ranks are recomputed with the same arithmetic as the
point estimate (:mod:`evalkit.scoring.tree`).  A unit whose grade changes in, say, 30 %
of draws sits on a cut-off.  The seed is stored in the result, so the figure
is reproducible.  Leaves from ledgers (``sampled=no``), ratings and manual
scores are held fixed: only sampling error is simulated.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from evalkit.framework import Framework
from evalkit.scoring.results import Stability
from evalkit.scoring.rules import Rule, Span, parse_rule
from evalkit.scoring.tree import grade_of, ranks_of_draws, totals


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


def _draw_leaves(result, rng: np.random.Generator, draws: int) -> dict:
    """Leaf values for one unit: arrays for sampled rates, the point score for the rest."""
    values: dict = {}
    for leaf in result.leaves:
        if leaf.sampled and leaf.score is not None and leaf.x is not None and leaf.n > 0 and leaf.status != "zero":
            shares = rng.beta(leaf.x + 1, leaf.n - leaf.x + 1, size=draws)
            values[leaf.indicator] = fraction_array(parse_rule(leaf.rule), shares) * leaf.points
        else:
            values[leaf.indicator] = leaf.score
    return values


def rank_stability(fw: Framework, results: list, settings) -> list:
    """The results with :class:`evalkit.scoring.results.Stability` filled in for every unit."""
    draws = max(1, int(settings.draws))
    rng = np.random.default_rng(settings.seed)
    simulated: dict[str, np.ndarray] = {}
    for r in results:
        innovation = sum(e.points for e in r.events if e.bonus)
        adjust = sum(e.points for e in r.events if not e.bonus)
        total = totals(fw, _draw_leaves(r, rng, draws), innovation, adjust).total
        simulated[r.unit] = np.broadcast_to(np.asarray(total, dtype=float), (draws,)).copy()
    out = []
    for category in dict.fromkeys(r.category for r in results):
        members = [r for r in results if r.category == category]
        ranks = ranks_of_draws({r.unit: simulated[r.unit] for r in members})
        bands = settings.bands(category)
        for r in members:
            grades = [grade_of(float(t), bands) for t in simulated[r.unit]]
            low, high = np.percentile(simulated[r.unit], [2.5, 97.5])
            stability = Stability(
                draws=draws, seed=settings.seed,
                grade_changes=float(np.mean([g != r.grade for g in grades])),
                rank_changes=float(np.mean(ranks[r.unit] != r.rank)),
                rank_range=(int(ranks[r.unit].min()), int(ranks[r.unit].max())),
                total_interval=(float(low), float(high)))
            out.append(replace(r, stability=stability))
    order = {r.unit: i for i, r in enumerate(results)}
    return sorted(out, key=lambda r: order[r.unit])
