"""Fleiss' kappa: agreement of several raters classifying the same subjects into categories.

Fleiss, J. L. (1971), "Measuring nominal scale agreement among many raters",
*Psychological Bulletin* 76(5):378-382.  The data are a subjects × categories
table of counts ``n_ij`` (how many raters put subject ``i`` in category ``j``),
each subject rated by ``n`` raters (not necessarily the same ones).  With ``N``
subjects::

    p_j  = Σ_i n_ij / (N n)                       share of all ratings in category j
    P_i  = (Σ_j n_ij² − n) / (n (n − 1))          agreement on subject i
    P̄    = Σ_i P_i / N,   P̄e = Σ_j p_j²
    κ    = (P̄ − P̄e) / (1 − P̄e)

and per category ``κ_j = 1 − Σ_i n_ij (n − n_ij) / (N n (n − 1) p_j q_j)``
(Fleiss 1971, eq. 9).  Fleiss' worked example (Table 1: 30 patients, 6
psychiatrists, 5 diagnoses) gives κ = .430.

Standard errors:

* ``se0``, under the hypothesis κ = 0 (for the z test), is the corrected
  large-sample formula of Fleiss, J. L., Nee, J. C. M. & Landis, J. R. (1979),
  "Large sample variance of kappa in the case of different sets of raters",
  *Psychological Bulletin* 86(5):974-977 (also Fleiss, Levin & Paik 2003,
  *Statistical Methods for Rates and Proportions*, 3rd ed., §18.1)::

      se0(κ)   = √2 / (Σ p_j q_j √(N n (n − 1))) · √((Σ p_j q_j)² − Σ p_j q_j (q_j − p_j))
      se0(κ_j) = √(2 / (N n (n − 1)))

  It needs every subject rated by the same number of raters (None otherwise).
* ``se``, for a confidence interval, is the jackknife over subjects
  (Efron, B. & Tibshirani, R. J. 1993, *An Introduction to the Bootstrap*,
  ch. 11), which holds whatever the true κ.

When subjects have different numbers of raters (each at least two), ``P_i`` uses
each subject's own ``n_i`` and ``p_j`` the pooled ratings — the usual
generalisation; ``se0`` is then not given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import check_confidence, z_value
from .distributions import normal_sf


@dataclass(frozen=True)
class FleissKappa:
    """Fleiss' kappa with its parts, standard errors, test and interval.

    ``categories`` maps each category (its column label, or its index) to
    ``(p_j, κ_j)``; ``z`` and ``p`` test κ = 0 with ``se0``; ``lower`` /
    ``upper`` are ``κ ∓ z·se`` at ``confidence``.
    """

    value: float
    p_bar: float
    p_e: float
    se: float
    se0: float | None
    z: float | None
    p: float | None
    lower: float
    upper: float
    confidence: float
    n_subjects: int
    n_raters: int | None
    categories: dict
    category_se0: float | None


def _counts(table: object) -> np.ndarray:
    try:
        counts = np.array(table, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError("计数表 table 必须是对象 × 类别的整数矩阵（每格为把该对象归入该类别的评估员人数）") from error
    if counts.ndim != 2 or counts.shape[0] < 2 or counts.shape[1] < 2:
        raise ValueError(f"计数表 table 至少需要 2 个对象、2 个类别，现在的形状是 {counts.shape}")
    if not np.isfinite(counts).all() or (counts < 0).any() or (counts != np.round(counts)).any():
        raise ValueError("计数表 table 的每一格必须是不小于 0 的整数（评估员人数）")
    if (counts.sum(axis=1) < 2).any():
        row = int(np.argmax(counts.sum(axis=1) < 2)) + 1
        raise ValueError(f"计数表 table 第 {row} 个对象的评估员少于 2 人：每个对象至少要有 2 位评估员评定")
    return counts


def _kappa(counts: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """(κ, P̄, P̄e, p_j) of a counts table; NaN when P̄e = 1 (every rating in one category)."""
    n_i = counts.sum(axis=1)
    p_j = counts.sum(axis=0) / n_i.sum()
    p_i = ((counts * counts).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    p_bar, p_e = float(p_i.mean()), float((p_j * p_j).sum())
    value = (p_bar - p_e) / (1 - p_e) if p_e < 1 else math.nan
    return value, p_bar, p_e, p_j


def _jackknife_se(counts: np.ndarray) -> float:
    """Jackknife standard error of κ over subjects (NaN draws left out)."""
    n = counts.shape[0]
    values = np.array([_kappa(np.delete(counts, i, axis=0))[0] for i in range(n)])
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return math.nan
    return float(math.sqrt((len(values) - 1) / len(values) * ((values - values.mean()) ** 2).sum()))


def fleiss_kappa(table: Sequence[Sequence[int]], categories: Sequence[object] | None = None,
                 confidence: float = 0.95) -> FleissKappa:
    """Fleiss' (1971) kappa of a subjects × categories table of rater counts.

    ``categories`` labels the columns (default 0, 1, …).  Raises ``ValueError``
    (Chinese message) for a malformed table, a subject with fewer than two
    raters, or ratings all in one category (no expected disagreement: κ undefined).
    """
    counts = _counts(table)
    level = check_confidence(confidence)
    labels = list(categories) if categories is not None else list(range(counts.shape[1]))
    if len(labels) != counts.shape[1]:
        raise ValueError(f"类别 categories 有 {len(labels)} 个，计数表 table 有 {counts.shape[1]} 列：两者应一致")
    value, p_bar, p_e, p_j = _kappa(counts)
    if not math.isfinite(value):
        raise ValueError("计数表 table 中所有评定都落在同一类别，期望一致率为 1，κ 无定义")
    n_i = counts.sum(axis=1)
    big_n = counts.shape[0]
    q_j = 1 - p_j
    per_category = {}
    for label, p, q, column in zip(labels, p_j, q_j, counts.T):
        kappa_j = 1 - float((column * (n_i - column) / (n_i * (n_i - 1))).sum()) / float(big_n * p * q) \
            if p * q > 0 else math.nan
        per_category[label] = (float(p), float(kappa_j))
    raters = int(n_i[0]) if (n_i == n_i[0]).all() else None
    se0 = z = p_value = category_se0 = None
    if raters is not None:
        pq = float((p_j * q_j).sum())
        scale = big_n * raters * (raters - 1)
        se0 = math.sqrt(2) / (pq * math.sqrt(scale)) * math.sqrt(max(pq * pq - float((p_j * q_j * (q_j - p_j)).sum()), 0))
        category_se0 = math.sqrt(2 / scale)
        z = value / se0 if se0 > 0 else math.inf
        p_value = 2 * normal_sf(abs(z)) if math.isfinite(z) else 0.0
    se = _jackknife_se(counts)
    half = z_value(level) * se if math.isfinite(se) else math.nan
    return FleissKappa(value=float(value), p_bar=p_bar, p_e=p_e, se=se, se0=se0, z=z, p=p_value,
                       lower=float(value - half), upper=float(value + half), confidence=level,
                       n_subjects=big_n, n_raters=raters, categories=per_category, category_se0=category_se0)


def category_counts(ratings: Sequence[Sequence[object]]) -> tuple[list[list[int]], list[object]]:
    """Rows of raw ratings (one list of category labels per subject, None = not rated) as a counts table.

    Subjects with fewer than two ratings are left out; the categories come in first-seen order.
    """
    labels: list[object] = []
    rows = []
    for subject in ratings:
        given = [r for r in subject if r is not None]
        if len(given) < 2:
            continue
        for r in given:
            if r not in labels:
                labels.append(r)
        rows.append(given)
    table = [[row.count(label) for label in labels] for row in rows]
    return table, labels
