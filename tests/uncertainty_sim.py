"""A synthetic evaluation with known rates, for checking the uncertainty method by simulation.

Each simulated unit has true parameters drawn at random; its records are generated from them the
way the field gathers evidence:

* 1.2.3 「已公布事项的实际操作情况」: two service-user check visits of 12 citizens each; a citizen
  made at most one trip with probability ``p`` (rule: ≥ 90 % full, ≤ 50 % none, linear between);
* 2.2.3 「电话咨询接通率」: one hotline test of 8 call groups, 3 dials each; each group has its own
  connection probability drawn from Beta with mean ``mu`` (dials of one group are correlated: a
  busy line stays busy), so the 24 dials are not 24 independent trials (≥ 95 % full, ≤ 60 % none);
* 1.1.2 「可行性分析」: six expert reviews, one score 1–5 each, 1 + Binomial(4, (m − 1)/4)
  (mean ``m``; scored linearly on the 1..5 scale).

The true total is what the rules give for the true ``p``, ``mu`` and ``m``.  :func:`coverage`
scores every unit with :func:`evalkit.scoring.score` and counts the units whose
``total_interval`` holds their true total.  tests/test_uncertainty.py runs a small simulation;
bench/uncertainty.py a large one, with scenarios near the thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scoring_helpers import framework, shipped_instruments

from evalkit.config import Category, Unit, UnitList
from evalkit.scoring import ScoringSettings, score

RULES = [
    ("1", "制度", 70, "", "", ""), ("1.1", "政策", 30, "", "", ""),
    ("1.1.2", "可行性分析", 30, "", "", "mean(field=expert_review.scores.score, scale=1..5)"),
    ("1.2", "事项", 40, "", "", ""),
    ("1.2.3", "实际操作", 40, "", "", "rate(where=service_user_check.citizens.trips <= 1, full=90%, zero=50%)"),
    ("2", "效果", 30, "", "", ""), ("2.2", "实施", 30, "", "", ""),
    ("2.2.3", "接通率", 30, "", "", "rate(num=hotline_test.calls.calls_connected, den=hotline_test.calls.calls_made, "
                                     "full=95%, zero=60%)"),
]
SCENARIOS = {  # ranges of the true p, mu and m
    "interior": ((0.55, 0.88), (0.65, 0.93), (2.0, 4.6)),
    "near-thresholds": ((0.84, 0.97), (0.90, 0.995), (3.5, 4.9)),
    "low": ((0.40, 0.62), (0.50, 0.72), (1.3, 2.6)),
}


@dataclass(frozen=True)
class SimRecord:
    """What scoring reads of a record view."""

    instance_id: str
    unit: str
    instrument_id: str
    answers: dict
    state: str = "approved"
    deleted: bool = False
    submitted: str = "2018-11-20T09:00:00+08:00"
    assessor: str = "张三"
    revisions: int = 1
    conflicts: tuple = field(default=())


def linear(share: float, full: float, zero: float) -> float:
    return min(1.0, max(0.0, (share - zero) / (full - zero)))


def true_total(p: float, mu: float, m: float) -> float:
    return 40 * linear(p, 0.9, 0.5) + 30 * linear(mu, 0.95, 0.6) + 30 * (m - 1) / 4


def unit_records(unit: str, p: float, mu: float, m: float, rng: np.random.Generator) -> list[SimRecord]:
    records = []
    for visit in range(2):
        citizens = [{"trips": 1 if rng.random() < p else 2} for _ in range(12)]
        records.append(SimRecord(f"{unit}-s{visit}", unit, "service_user_check", {"citizens": citizens}))
    rows = []
    for _ in range(8):
        q = rng.beta(8 * mu, 8 * (1 - mu))
        rows.append({"calls_made": 3, "calls_connected": int(rng.binomial(3, q))})
    records.append(SimRecord(f"{unit}-h", unit, "hotline_test", {"calls": rows}))
    for expert in range(6):
        value = 1 + int(rng.binomial(4, (m - 1) / 4))
        records.append(SimRecord(f"{unit}-e{expert}", unit, "expert_review",
                                 {"scores": [{"indicator": "1.1.2", "score": value}]}))
    return records


def simulate(n_units: int, seed: int, scenario: str = "interior") -> tuple[UnitList, list, dict[str, float]]:
    """Units with their true totals and records (one category)."""
    rng = np.random.default_rng(seed)
    (p_low, p_high), (mu_low, mu_high), (m_low, m_high) = SCENARIOS[scenario]
    units, records, truth = [], [], {}
    for i in range(n_units):
        unit = f"u{i:04d}"
        p, mu, m = rng.uniform(p_low, p_high), rng.uniform(mu_low, mu_high), rng.uniform(m_low, m_high)
        units.append(Unit(unit, f"单位{i}", "1"))
        records += unit_records(unit, p, mu, m, rng)
        truth[unit] = true_total(p, mu, m)
    return UnitList(tuple(units), (Category("1", "第一类", 1.0),)), records, truth


def coverage(n_units: int, seed: int, *, scenario: str = "interior", draws: int = 400,
             confidence: float = 0.95) -> dict:
    """Score a simulated project; the share of units whose interval holds the true total, and more."""
    unit_list, records, truth = simulate(n_units, seed, scenario)
    settings = ScoringSettings(seed=seed, draws=draws, confidence=confidence)
    evaluation = score(framework(RULES, total=100), unit_list, shipped_instruments(), records, settings=settings)
    inside, widths, estimate_inside = [], [], []
    for u in evaluation.units:
        low, high = u.stability.total_interval
        inside.append(low - 1e-9 <= truth[u.unit] <= high + 1e-9)
        estimate_inside.append(low - 1e-9 <= u.total <= high + 1e-9)
        widths.append(high - low)
    return {"coverage": float(np.mean(inside)), "estimate_inside": float(np.mean(estimate_inside)),
            "mean_width": float(np.mean(widths)), "units": n_units, "draws": draws,
            "problems": sorted({p.code for p in evaluation.problems})}
