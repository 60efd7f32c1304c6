"""Agreement between raters: Krippendorff's alpha, ICC and outlying raters.

Krippendorff's alpha (:func:`krippendorff_alpha`)
    Computed from the coincidence matrix of the reliability data (observers ×
    units, missing values allowed) as ``α = 1 - (n - 1) Σ o_ck δ²_ck /
    Σ n_c n_k δ²_ck`` with the nominal, ordinal, interval and ratio difference
    functions of Krippendorff, K. (2011), "Computing Krippendorff's
    Alpha-Reliability", Annenberg School for Communication, University of
    Pennsylvania (also Krippendorff 2004, *Content Analysis*, 2nd ed., ch. 11).
    Units with fewer than two values are not pairable and are dropped.

Intraclass correlation (:func:`icc`)
    The six forms of Shrout, P. E. & Fleiss, J. L. (1979), "Intraclass
    correlations: uses in assessing rater reliability", *Psychol Bull*
    86:420-428, from the two-way ANOVA mean squares, with their F tests and
    confidence intervals; the interval of ICC(2,k) is McGraw, K. O. & Wong,
    S. P. (1996), "Forming inferences about some intraclass correlation
    coefficients", *Psychol Methods* 1:30-46 (case 2A, average measures),
    which is the Spearman-Brown step-up of the ICC(2,1) limits.  Only complete
    rows (subjects rated by every rater) are used; incomplete rows are
    dropped and counted in ``ICC.n_dropped``.

Outlying raters (:func:`rater_deviation`)
    Each rater's mean absolute deviation from the leave-one-out mean of the
    other raters on the items they share, scored across raters with the
    modified z-score ``0.6745 (d - median) / MAD`` of Iglewicz, B. & Hoaglin,
    D. C. (1993), *How to Detect and Handle Outliers*, ASQC, whose suggested
    cut-off 3.5 is the default threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import check_confidence, is_real

LEVELS = ("nominal", "ordinal", "interval", "ratio")
ICC_FORMS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")

#: 1 / Φ⁻¹(0.75): makes the median absolute deviation estimate σ for normal data.
MAD_SCALE = 1.4826
#: √(π/2): the same for the mean absolute deviation (Iglewicz & Hoaglin's fallback).
MEAN_AD_SCALE = 1.253314


def _is_missing(value: object) -> bool:
    """None and float NaN are missing values."""
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


# --------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------


def _pairable_units(data: Sequence[Sequence[object]]) -> list[list[object]]:
    """Columns of the reliability matrix with at least two values, missing removed."""
    if isinstance(data, (str, bytes)) or not isinstance(data, (Sequence, np.ndarray)):
        raise ValueError("信度数据 data 必须是评估员 × 单元的二维列表")
    if any(isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)) for row in data):
        raise ValueError("信度数据 data 的每一行必须是一位评估员对各单元的评分列表")
    rows = [list(row) for row in data]
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("信度数据 data 的每一行（每位评估员）必须有相同个数的单元，且不能为空")
    units = []
    for column in zip(*rows):
        values = [value for value in column if not _is_missing(value)]
        if len(values) >= 2:
            units.append(values)
    return units


def _check_values(values: list[object], level: str) -> None:
    """Numeric levels need real numbers; ratio needs them non-negative."""
    if level == "nominal":
        return
    for value in values:
        if not is_real(value):
            raise ValueError(f"{level} 尺度的信度数据 data 只能包含数值，收到 {value!r}")
        if level == "ratio" and float(value) < 0:
            raise ValueError(f"ratio 尺度的信度数据 data 不能有负值，收到 {value!r}")


def _coincidences(units: list[list[object]], values: list[object]) -> np.ndarray:
    """Coincidence matrix ``o_ck = Σ_u n_uc (n_uk - [c=k]) / (m_u - 1)``."""
    index = {value: i for i, value in enumerate(values)}
    matrix = np.zeros((len(values), len(values)))
    for unit in units:
        counts = np.zeros(len(values))
        for value in unit:
            counts[index[value]] += 1
        matrix += (np.outer(counts, counts) - np.diag(counts)) / (len(unit) - 1)
    return matrix


def _squared_differences(values: list[object], marginals: np.ndarray, level: str) -> np.ndarray:
    """Krippendorff's (2011) ``δ²_ck`` for the distinct ``values`` (sorted if not nominal)."""
    size = len(values)
    if level == "nominal":
        return 1.0 - np.eye(size)
    x = np.asarray(values, dtype=float)
    if level == "interval":
        return (x[:, None] - x[None, :]) ** 2
    if level == "ratio":
        total = x[:, None] + x[None, :]
        diff = x[:, None] - x[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total == 0, 0.0, (diff / np.where(total == 0, 1, total)) ** 2)
    cumulative = np.concatenate(([0.0], np.cumsum(marginals)))
    delta = np.zeros((size, size))
    for c in range(size):
        for k in range(c + 1, size):
            between = cumulative[k + 1] - cumulative[c] - (marginals[c] + marginals[k]) / 2
            delta[c, k] = delta[k, c] = between**2
    return delta


def krippendorff_alpha(data: Sequence[Sequence[object]], level: str = "nominal") -> float:
    """Krippendorff's alpha of a raters × units matrix; None or NaN is missing.

    ``level`` is ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.
    Raises ``ValueError`` when fewer than two pairable values remain or when
    all pairable values are equal (no expected disagreement: α undefined).
    """
    if level not in LEVELS:
        raise ValueError(f"测量尺度 level 必须是 {'、'.join(LEVELS)} 之一，收到 {level!r}")
    units = _pairable_units(data)
    if not units:
        raise ValueError("信度数据 data 中没有任何单元至少有两个评分，无法计算 α")
    flat = [value for unit in units for value in unit]
    _check_values(flat, level)
    values = list(dict.fromkeys(flat)) if level == "nominal" else sorted(set(flat))
    coincidences = _coincidences(units, values)
    marginals = coincidences.sum(axis=1)
    n_total = marginals.sum()
    delta = _squared_differences(values, marginals, level)
    expected = float(marginals @ delta @ marginals)
    if expected <= 0:
        raise ValueError("信度数据 data 中所有可配对的评分都相同，期望不一致为 0，α 无定义")
    observed = float((coincidences * delta).sum())
    return 1.0 - (n_total - 1) * observed / expected


# --------------------------------------------------------------------------
# intraclass correlation
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ICC:
    """An intraclass correlation with its F test and confidence interval."""

    value: float
    form: str
    F: float
    df1: int
    df2: int
    p: float
    lower: float
    upper: float
    confidence: float
    n_subjects: int
    n_raters: int
    n_dropped: int


@dataclass(frozen=True)
class _MeanSquares:
    """Two-way ANOVA mean squares of Shrout & Fleiss (1979, Table 1)."""

    n: int
    k: int
    bms: float  # between targets
    wms: float  # within targets (one-way)
    jms: float  # between judges
    ems: float  # residual


def _parse_form(form: object, k: int) -> tuple[int, bool]:
    """``"ICC(2,1)"`` → (2, False); ``"ICC(2,k)"`` or ``"ICC(2,<k>)"`` → (2, True)."""
    text = re.sub(r"\s+", "", str(form)).upper()
    match = re.fullmatch(r"ICC\(([123]),(1|K|\d+)\)", text)
    if not match or match.group(2) not in ("1", "K", str(k)):
        raise ValueError(
            f"ICC 形式 form 必须是 {'、'.join(ICC_FORMS)} 之一（k 可写成评估员人数 {k}），收到 {form!r}"
        )
    return int(match.group(1)), match.group(2) != "1"


def _complete_rows(ratings: object) -> tuple[np.ndarray, int]:
    """Float matrix of the complete rows and the number of rows dropped."""
    try:
        matrix = np.array(ratings, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError("评分 ratings 必须是对象 × 评估员的数值矩阵，每行长度相同") from error
    if matrix.ndim != 2:
        raise ValueError(f"评分 ratings 必须是二维（对象 × 评估员）矩阵，收到 {matrix.ndim} 维")
    if np.isinf(matrix).any():
        raise ValueError("评分 ratings 不能包含无穷大")
    keep = ~np.isnan(matrix).any(axis=1)
    complete = matrix[keep]
    if complete.shape[0] < 2 or complete.shape[1] < 2:
        raise ValueError(
            f"评分 ratings 去掉有缺失的行后至少需要 2 个对象、2 位评估员，现在是 "
            f"{complete.shape[0]} 个对象、{complete.shape[1]} 位评估员"
        )
    return complete, int((~keep).sum())


def _mean_squares(x: np.ndarray) -> _MeanSquares:
    """Mean squares of the targets × judges table ``x``."""
    n, k = x.shape
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_error = max(0.0, ss_total - ss_rows - ss_cols)
    return _MeanSquares(
        n=n, k=k, bms=ss_rows / (n - 1), wms=(ss_total - ss_rows) / (n * (k - 1)),
        jms=ss_cols / (k - 1), ems=ss_error / ((n - 1) * (k - 1)),
    )


def _icc_value(ms: _MeanSquares, model: int, average: bool) -> float:
    """Point estimate of ICC(model, 1) or ICC(model, k) (Shrout & Fleiss 1979, Table 3)."""
    n, k, bms, wms, jms, ems = ms.n, ms.k, ms.bms, ms.wms, ms.jms, ms.ems
    if model == 1:
        num, den = bms - wms, (bms if average else bms + (k - 1) * wms)
    elif model == 2:
        num = bms - ems
        den = bms + (jms - ems) / n if average else bms + (k - 1) * ems + k * (jms - ems) / n
    else:
        num, den = bms - ems, (bms if average else bms + (k - 1) * ems)
    if den <= 0:
        raise ValueError("评分 ratings 没有任何变异（所有评分相同），ICC 无定义")
    return num / den


def _ratio_bounds(f_obs: float, df1: int, df2: int, k: int, average: bool, q: float) -> tuple[float, float]:
    """Limits for ICC(1,·) and ICC(3,·) from the F ratio (Shrout & Fleiss 1979)."""
    from scipy.stats import f as f_dist  # noqa: PLC0415 - scipy.stats takes half a second to import

    if math.isinf(f_obs):
        return 1.0, 1.0
    f_low = f_obs / f_dist.ppf(q, df1, df2)
    f_up = f_obs * f_dist.ppf(q, df2, df1)
    if average:
        return 1 - 1 / f_low, 1 - 1 / f_up
    return (f_low - 1) / (f_low + k - 1), (f_up - 1) / (f_up + k - 1)


def _model2_bounds(ms: _MeanSquares, rho: float, average: bool, q: float) -> tuple[float, float]:
    """Satterthwaite limits for ICC(2,1) (Shrout & Fleiss 1979) and ICC(2,k) (McGraw & Wong 1996)."""
    from scipy.stats import f as f_dist  # noqa: PLC0415

    n, k, bms, jms, ems = ms.n, ms.k, ms.bms, ms.jms, ms.ems
    a = k * rho * jms
    b = (n * (1 + (k - 1) * rho) - k * rho) * ems
    if a == 0 and b == 0:  # no within-target variation at all: ICC = 1
        return 1.0, 1.0
    v = (k - 1) * (n - 1) * (a + b) ** 2 / ((n - 1) * a * a + b * b)
    f_star, f_star2 = f_dist.ppf(q, n - 1, v), f_dist.ppf(q, v, n - 1)
    c = k * jms + (k * n - k - n) * ems
    lower = n * (bms - f_star * ems) / (f_star * c + n * bms)
    upper = n * (f_star2 * bms - ems) / (c + n * f_star2 * bms)
    if average:  # Spearman-Brown step-up = McGraw & Wong (1996) case 2A, ICC(A,k)
        lower, upper = k * lower / (1 + (k - 1) * lower), k * upper / (1 + (k - 1) * upper)
    return lower, upper


def icc(ratings: object, form: str = "ICC(2,1)", confidence: float = 0.95) -> ICC:
    """Intraclass correlation of a subjects × raters matrix (Shrout & Fleiss 1979).

    ``form`` is one of :data:`ICC_FORMS`; the ``k`` may be written as the
    number of raters (``"ICC(3,4)"``).  None or NaN marks a missing rating;
    rows with any missing rating are dropped.  ``F``/``p`` test ICC = 0:
    ``BMS/WMS`` for model 1 and ``BMS/EMS`` for models 2 and 3.
    """
    from scipy.stats import f as f_dist  # noqa: PLC0415

    matrix, dropped = _complete_rows(ratings)
    n, k = matrix.shape
    model, average = _parse_form(form, k)
    q = 1 - (1 - check_confidence(confidence)) / 2
    ms = _mean_squares(matrix)
    value = _icc_value(ms, model, average)
    error_ms = ms.wms if model == 1 else ms.ems
    df1, df2 = n - 1, (n * (k - 1) if model == 1 else (n - 1) * (k - 1))
    f_obs = ms.bms / error_ms if error_ms > 0 else math.inf
    p_value = float(f_dist.sf(f_obs, df1, df2)) if math.isfinite(f_obs) else 0.0
    if model == 2:
        lower, upper = _model2_bounds(ms, _icc_value(ms, 2, False), average, q)
    else:
        lower, upper = _ratio_bounds(f_obs, df1, df2, k, average, q)
    return ICC(
        value=value, form=f"ICC({model},{'k' if average else 1})", F=f_obs, df1=df1, df2=df2,
        p=p_value, lower=float(lower), upper=float(upper), confidence=float(confidence),
        n_subjects=n, n_raters=k, n_dropped=dropped,
    )


# --------------------------------------------------------------------------
# outlying raters
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RaterDeviation:
    """How far one rater is from the others.

    ``mean_abs_deviation`` is the mean over ``n_items`` shared items of
    ``|x_ri - mean of the other raters on i|``; ``z`` the modified z-score of
    that deviation among all raters; ``flagged`` is ``z > threshold``.
    """

    rater: str
    n_items: int
    mean_abs_deviation: float
    z: float
    flagged: bool


def _clean_ratings(ratings_by_rater: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Drop missing ratings; check the rest are numbers; need three raters."""
    if not isinstance(ratings_by_rater, Mapping) or len(ratings_by_rater) < 3:
        raise ValueError("评分 ratings_by_rater 至少需要 3 位评估员（{评估员: {事项: 分数}}），才能判断谁偏离其他人")
    clean: dict[str, dict[str, float]] = {}
    for rater, scores in ratings_by_rater.items():
        if not isinstance(scores, Mapping):
            raise ValueError(f"评估员「{rater}」的评分必须是 {{事项: 分数}} 字典")
        clean[rater] = {}
        for item, score in scores.items():
            if _is_missing(score):
                continue
            if not is_real(score):
                raise ValueError(f"评估员「{rater}」对事项「{item}」的评分必须是数值，收到 {score!r}")
            clean[rater][item] = float(score)
    return clean


def _deviation(rater: str, clean: dict[str, dict[str, float]]) -> tuple[int, float]:
    """Items shared with at least one other rater and the mean absolute deviation."""
    deviations = []
    for item, score in clean[rater].items():
        others = [scores[item] for name, scores in clean.items() if name != rater and item in scores]
        if others:
            deviations.append(abs(score - sum(others) / len(others)))
    if not deviations:
        raise ValueError(f"评估员「{rater}」没有与其他评估员共同评分的事项，无法比较")
    return len(deviations), sum(deviations) / len(deviations)


def _modified_z(values: np.ndarray) -> np.ndarray:
    """Iglewicz & Hoaglin (1993) modified z-scores; all zero when there is no spread."""
    centre = np.median(values)
    spread = np.abs(values - centre)
    if np.median(spread) > 0:
        return (values - centre) / (MAD_SCALE * np.median(spread))
    if spread.mean() > 0:
        return (values - centre) / (MEAN_AD_SCALE * spread.mean())
    return np.zeros_like(values)


def rater_deviation(
    ratings_by_rater: Mapping[str, Mapping[str, float]], threshold: float = 3.5
) -> dict[str, RaterDeviation]:
    """Flag raters far from the others, from ``{rater: {item: score}}``.

    Only items the rater shares with at least one other rater count.  A
    rater is flagged when the modified z-score of their mean absolute
    deviation exceeds ``threshold`` (only the high side: being far, not being
    unusually close).  Needs at least three raters: with two, both are
    equally far from each other.
    """
    if not is_real(threshold) or float(threshold) <= 0:
        raise ValueError(f"阈值 threshold 必须大于 0，收到 {threshold!r}")
    clean = _clean_ratings(ratings_by_rater)
    stats = {rater: _deviation(rater, clean) for rater in clean}
    z = _modified_z(np.array([deviation for _, deviation in stats.values()]))
    return {
        rater: RaterDeviation(rater, n_items, deviation, float(score), bool(score > threshold))
        for (rater, (n_items, deviation)), score in zip(stats.items(), z)
    }
