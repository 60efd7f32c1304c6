"""Every unit's self-assessment (自评) in the demo, written and imported through
:mod:`evalkit.selfassess`, with the deliberate self-report outside the sampled interval.

Units score themselves from their scored points plus a little optimism (below the self-score
check's gap) and report their 即办件 counts (2.2.1) as sampled — except one weak unit, which
claims every instant case was done on the spot.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.pipeline.demo.chance import clip
from evalkit.pipeline.demo.settings import SCORED_SELF_LIMIT, SELF_INDICATOR
from evalkit.pipeline.demo.state import DemoState
from evalkit.pipeline.demo.summary import DemoProblem
from evalkit.project import evaluate, open_project
from evalkit.selfassess import write_selfassessment
from evalkit.stats import wilson_interval


def write_selfassessments(g: DemoState, root: Path) -> DemoProblem | None:
    """Write and import every unit's self-assessment; returns the deliberate self-report, if a unit could lie."""
    project = open_project(root)  # the framework, the unit list and the deadline, read once for every unit
    fw, units, deadline = project.framework, project.units, project.config.selfassess.deadline
    leaves = [ind for ind in fw.indicators if fw.is_leaf(ind.code) and ind.points]
    evaluation = None
    if g.counter <= SCORED_SELF_LIMIT:  # small projects: self-scores from the real scores
        evaluation = evaluate(project, draws=0)[0]
    shares = _instant_shares(g)
    candidates = sorted((share, uid) for uid, (share, n, (low, high)) in shares.items() if high < 0.9)
    liar = candidates[0][1] if candidates else ""
    figures = {}
    for u in g.units.units:
        result = evaluation.unit(u.id) if evaluation is not None else None
        claims, found = _claims(g, u.id, leaves, result, shares, liar)
        figures = found or figures
        sa, problems = write_selfassessment(root, u.id, claims, fw, units, deadline=deadline)
        if sa is None:
            raise AssertionError(f"self-assessment of {u.id}: {[p.message for p in problems if p.is_error]}")
    if not liar:
        return None
    low, high = figures["interval"]
    return DemoProblem(
        "self_report", "self-report-outside-interval", "", liar,
        f"单位 {liar} 自评表自报即办件即办率 100%（{figures['claimed']}/{figures['n']}），抽查为 {figures['share']:.1%}"
        f"（95% 区间 {low:.1%}–{high:.1%}）", indicator=SELF_INDICATOR)


def _instant_shares(g: DemoState) -> dict[str, tuple[float, int, tuple[float, float]]]:
    """Per unit: 2.2.1 as sampled (approved rows, tallied while generating) — share, n, Wilson interval."""
    shares = {}
    for u in g.units.units:
        n, done = g.instant.get(u.id, (0, 0))
        if n:
            shares[u.id] = (done / n, n, wilson_interval(done, n))
    return shares


def _claims(g: DemoState, unit: str, leaves: list, result, shares: dict, liar: str) -> tuple[dict[str, dict], dict]:
    """The unit's claims per leaf, and the liar's sampled figures (empty for every other unit)."""
    q = g.quality[unit]
    claims: dict[str, dict] = {}
    figures = {}
    for ind in leaves:
        leaf = result.leaf(ind.code) if result is not None else None
        if leaf is not None and leaf.score is not None:
            base = leaf.score
        else:  # estimated from the unit's latent quality
            base = ind.points * clip(q["q"] + g.rng.gauss(0, 0.1)) if ind.code != "3.1" else 0.0
        optimism = 1.0 if ind.code == SELF_INDICATOR and unit == liar else g.rng.uniform(0.0, 0.2)
        claims[ind.code] = {"self_score": round(min(ind.points, base + optimism * ind.points), 1)}
        if ind.code == SELF_INDICATOR and unit in shares:
            share, n, interval = shares[unit]
            done = n if unit == liar else round(share * n)
            claims[ind.code].update(numerator=done, denominator=n, rate=round(100 * done / n, 1),
                                    note="据本单位政务大厅办件系统统计")
            if unit == liar:
                figures = {"claimed": done, "n": n, "share": share, "interval": interval}
    return claims, figures
