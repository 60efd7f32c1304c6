"""Sampling results: a proportion estimated from a recorded draw, per stratum and for the whole frame.

The outcomes come from the records (e.g. each spot-checked case of the 回访 draw handled in one trip),
keyed by the sampled id.  Per stratum: the share with its Wilson (1927) interval
(:func:`evalkit.stats.wilson_interval`); for the frame: the design-weighted estimate of
:func:`evalkit.sampling.draw_estimate` (stratified ``Σ W_h p_h`` with Cochran's variance, or Hájek's
ratio for PPS), whose interval needs at least two outcomes in every stratum — when it cannot be
computed the row says why instead of guessing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from evalkit.sampling import draw_estimate
from evalkit.stats import wilson_interval

TOTAL = "合计"
LABELS = {"stratum": "分层", "name": "名称", "population": "总体数", "sampled": "样本数", "n": "有结果数",
          "x": "“是”的个数", "p": "比例", "lower": "区间下限", "upper": "区间上限", "note": "说明"}


def estimates_frame(draw, outcomes: Mapping[str, bool], names: Mapping[str, str] | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
    """One row per stratum of ``draw`` and a 合计 row (see the module docstring)."""
    sampled = {}
    for s in draw.selected:
        sampled[s.stratum] = sampled.get(s.stratum, 0) + 1
    ids = {s.id: s.stratum for s in draw.selected} | {r.id: r.stratum for r in draw.reserve}
    rows = []
    for stratum in draw.strata:
        ys = [bool(v) for i, v in outcomes.items() if ids.get(i) == stratum.key and v is not None]
        x, n = sum(ys), len(ys)
        low, high = wilson_interval(x, n, confidence) if n else (math.nan, math.nan)
        rows.append({"stratum": stratum.key, "name": (names or {}).get(stratum.key, ""), "population": stratum.population,
                     "sampled": sampled.get(stratum.key, 0), "n": n, "x": x, "p": x / n if n else math.nan,
                     "lower": low, "upper": high, "note": "" if n else "没有结果"})
    total = {"stratum": TOTAL, "name": "", "population": draw.population, "sampled": len(draw.selected),
             "n": sum(r["n"] for r in rows), "x": sum(r["x"] for r in rows)}
    usable = {i: v for i, v in outcomes.items() if i in ids and v is not None}
    try:
        est = draw_estimate(draw, usable, confidence)
        total.update(p=est.p, lower=est.lower, upper=est.upper, note=f"按抽样设计加权（{est.estimator}）")
    except ValueError as exc:
        total.update(p=total["x"] / total["n"] if total["n"] else math.nan, lower=math.nan, upper=math.nan,
                     note=f"未加权比例；加权估计无法计算：{exc}")
    frame = pd.DataFrame([*rows, total], columns=[*LABELS])
    frame.attrs.update(labels=dict(LABELS), draw=draw.draw_id, confidence=confidence)
    return frame
