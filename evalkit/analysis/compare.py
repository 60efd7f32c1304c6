"""Two evaluations side by side: what a what-if changed (COINr's sensitivity view for this evaluation).

:func:`compare_totals` puts each unit's total, rank and grade before and after next to each other with
the changes; :func:`rank_correlation` gives Spearman's ρ between the two rankings of each category
(Spearman 1904, "The proof and measurement of association between two things", *Am J Psychol*
15:72-101; computed by :func:`scipy.stats.spearmanr`, which gives tied ranks their mean), with the
number of units whose rank or grade changed.  Ranks are compared within a category only: seed 002
ranks units against the others of their category.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.stats import spearmanr

COMPARE_LABELS = {
    "category": "类别", "unit": "单位编号", "name": "单位", "total_before": "原总分", "total_after": "假设总分",
    "change": "总分变化", "rank_before": "原名次", "rank_after": "假设名次", "rank_change": "名次上升",
    "grade_before": "原等级", "grade_after": "假设等级", "grade_changed": "等级改变",
}


def compare_totals(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Per unit: total, rank and grade before and after, and the changes (``rank_change`` > 0: moved up)."""
    keep = ["category", "unit", "name", "total", "rank", "grade"]
    both = before[keep].merge(after[["unit", "total", "rank", "grade"]], on="unit", suffixes=("_before", "_after"),
                              how="outer")
    both["change"] = (both["total_after"] - both["total_before"]).round(6)
    both["rank_change"] = (both["rank_before"] - both["rank_after"]).astype("Int64")
    both["grade_changed"] = both["grade_before"].fillna("") != both["grade_after"].fillna("")
    both = both[[*COMPARE_LABELS]].sort_values(["category", "rank_after", "unit"], kind="stable").reset_index(drop=True)
    both.attrs["labels"] = dict(COMPARE_LABELS)
    return both


def rank_correlation(compared: pd.DataFrame) -> pd.DataFrame:
    """Spearman's ρ between the rankings before and after, per category, with the units that moved."""
    rows = []
    for category, group in compared.groupby("category", sort=True):
        pairs = group.dropna(subset=["rank_before", "rank_after"])
        rho = math.nan
        if len(pairs) >= 2 and pairs["rank_before"].nunique() > 1 and pairs["rank_after"].nunique() > 1:
            rho = float(spearmanr(pairs["rank_before"].astype(float), pairs["rank_after"].astype(float)).statistic)
        elif len(pairs) >= 2 and (pairs["rank_before"] == pairs["rank_after"]).all():
            rho = 1.0
        rows.append({"category": category, "units": len(group), "spearman_rho": rho,
                     "rank_changed": int((group["rank_change"].fillna(0) != 0).sum()),
                     "grade_changed": int(group["grade_changed"].sum()),
                     "max_rank_shift": int(group["rank_change"].abs().max()) if group["rank_change"].notna().any() else 0,
                     "mean_abs_change": float(group["change"].abs().mean())})
    frame = pd.DataFrame(rows, columns=["category", "units", "spearman_rho", "rank_changed", "grade_changed",
                                        "max_rank_shift", "mean_abs_change"])
    frame.attrs["labels"] = {"category": "类别", "units": "单位数", "spearman_rho": "Spearman ρ",
                             "rank_changed": "名次改变的单位数", "grade_changed": "等级改变的单位数",
                             "max_rank_shift": "最大名次变动", "mean_abs_change": "总分平均绝对变化"}
    return frame
