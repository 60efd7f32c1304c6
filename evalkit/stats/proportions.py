"""Confidence intervals for one proportion and the stratified proportion.

Interval for one proportion (:func:`wilson_interval`,
:func:`clopper_pearson_interval`, :func:`proportion_estimate`)
    Wilson score interval (Wilson, E. B. 1927, "Probable inference, the law
    of succession, and statistical inference", *JASA* 22:209-212), with the
    optional continuity correction in the closed form of Newcombe, R. G.
    (1998), "Two-sided confidence intervals for the single proportion:
    comparison of seven methods", *Stat Med* 17:857-872 (his methods 3 and
    4); and the exact interval of Clopper, C. J. & Pearson, E. S. (1934),
    "The use of confidence or fiducial limits illustrated in the case of the
    binomial", *Biometrika* 26:404-413 (Newcombe's method 5) from beta
    quantiles.  Newcombe recommends the score interval for routine use.

Stratified proportion (:func:`stratified_proportion`)
    ``p_st = Σ W_h p_h`` with ``W_h = N_h / N`` and the unbiased variance
    estimator ``v(p_st) = Σ W_h² (1 - f_h) p_h (1 - p_h) / (n_h - 1)``,
    ``f_h = n_h / N_h`` (Cochran, W. G. 1977, *Sampling Techniques*, 3rd ed.,
    ch. 5; Lohr, S. L. 2010, *Sampling: Design and Analysis*, 2nd ed., §3.2).
    The interval is the normal (Wald) interval ``p_st ± z √v`` clipped to
    [0, 1], the textbook choice of both books.  It is poor when a stratum has
    very few units or p is near 0 or 1 (a stratum with p_h = 0 contributes no
    variance at all); report the per-stratum Wilson intervals alongside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ._checks import check_confidence, check_count, check_xn, z_value

PROPORTION_METHODS = ("wilson", "wilson-cc", "clopper-pearson")


def wilson_interval(x: int, n: int, confidence: float = 0.95, cc: bool = False) -> tuple[float, float]:
    """Wilson (1927) score interval for ``x`` successes out of ``n``.

    With ``cc=True`` the continuity-corrected form (Newcombe 1998, method 4)
    is used; the lower limit is 0 when ``x == 0`` and the upper limit 1 when
    ``x == n``.
    """
    x, n = check_xn(x, n)
    z = z_value(confidence)
    p, q, z2 = x / n, 1 - x / n, z * z
    denom = 2 * (n + z2)
    if not cc:
        half = z * math.sqrt(z2 + 4 * n * p * q)
        return max(0.0, (2 * n * p + z2 - half) / denom), min(1.0, (2 * n * p + z2 + half) / denom)
    lower = 0.0
    if x > 0:
        root = math.sqrt(max(0.0, z2 - 2 - 1 / n + 4 * p * (n * q + 1)))
        lower = max(0.0, (2 * n * p + z2 - 1 - z * root) / denom)
    upper = 1.0
    if x < n:
        root = math.sqrt(max(0.0, z2 + 2 - 1 / n + 4 * p * (n * q - 1)))
        upper = min(1.0, (2 * n * p + z2 + 1 + z * root) / denom)
    return lower, upper


def clopper_pearson_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact Clopper & Pearson (1934) interval from beta quantiles.

    Lower limit ``Beta(α/2; x, n-x+1)`` (0 when ``x == 0``), upper limit
    ``Beta(1-α/2; x+1, n-x)`` (1 when ``x == n``).
    """
    from scipy.stats import beta  # noqa: PLC0415 - scipy.stats takes half a second to import

    x, n = check_xn(x, n)
    alpha = 1 - check_confidence(confidence)
    lower = 0.0 if x == 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lower, upper


@dataclass(frozen=True)
class Proportion:
    """A proportion ``p = x / n`` with its confidence interval."""

    x: int
    n: int
    p: float
    lower: float
    upper: float
    method: str
    confidence: float


def proportion_estimate(
    x: int, n: int, method: str = "wilson", confidence: float = 0.95
) -> Proportion:
    """``x / n`` with a ``"wilson"``, ``"wilson-cc"`` or ``"clopper-pearson"`` interval."""
    x, n = check_xn(x, n)
    if method == "wilson":
        lower, upper = wilson_interval(x, n, confidence)
    elif method == "wilson-cc":
        lower, upper = wilson_interval(x, n, confidence, cc=True)
    elif method == "clopper-pearson":
        lower, upper = clopper_pearson_interval(x, n, confidence)
    else:
        raise ValueError(f"区间方法 method 必须是 {'、'.join(PROPORTION_METHODS)} 之一，收到 {method!r}")
    return Proportion(x=x, n=n, p=x / n, lower=lower, upper=upper, method=method,
                      confidence=float(confidence))


# --------------------------------------------------------------------------
# stratified proportion
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StratumProportion:
    """One stratum's contribution to a stratified estimate."""

    key: str
    x: int
    n: int
    population: int
    weight: float
    p: float
    variance_term: float


@dataclass(frozen=True)
class StratifiedProportion:
    """Stratified estimate ``p_st`` with its standard error and normal interval."""

    p: float
    se: float
    lower: float
    upper: float
    confidence: float
    z: float
    n: int
    population: int
    strata: tuple[StratumProportion, ...]


def _check_stratum_triple(key: str, triple: object) -> tuple[int, int, int]:
    """Validate one ``(x, n, N)`` triple of :func:`stratified_proportion`."""
    if not isinstance(triple, (tuple, list)) or len(triple) != 3:
        raise ValueError(f"分层「{key}」必须给出 (x, n, N) 三个数，收到 {triple!r}")
    x, n, big_n = triple
    label = f"分层「{key}」的"
    n = check_count(n, "n", label + "样本量", minimum=2)
    x = check_count(x, "x", label + "“是”的个数")
    big_n = check_count(big_n, "N", label + "总体单元数", minimum=1)
    if x > n:
        raise ValueError(f"{label}“是”的个数 x={x} 不能大于样本量 n={n}")
    if n > big_n:
        raise ValueError(f"{label}样本量 n={n} 不能大于总体单元数 N={big_n}")
    return x, n, big_n


def stratified_proportion(
    strata: Mapping[str, tuple[int, int, int]], confidence: float = 0.95
) -> StratifiedProportion:
    """Stratified estimate of a proportion from ``{stratum: (x_h, n_h, N_h)}``.

    ``p_st = Σ W_h p_h``, ``v = Σ W_h² (1 - n_h/N_h) p_h q_h / (n_h - 1)``
    (Cochran 1977, ch. 5; Lohr 2010, §3.2); interval ``p_st ± z √v`` clipped
    to [0, 1].  Each stratum needs ``n_h >= 2``.
    """
    if not isinstance(strata, Mapping) or not strata:
        raise ValueError("分层数据 strata 必须是非空的 {分层: (x, n, N)} 字典")
    z = z_value(confidence)
    triples = {key: _check_stratum_triple(key, value) for key, value in strata.items()}
    population = sum(big_n for _, _, big_n in triples.values())
    parts = []
    for key, (x, n, big_n) in triples.items():
        weight, p = big_n / population, x / n
        term = weight * weight * (1 - n / big_n) * p * (1 - p) / (n - 1)
        parts.append(StratumProportion(key, x, n, big_n, weight, p, term))
    p_st = sum(part.weight * part.p for part in parts)
    se = math.sqrt(sum(part.variance_term for part in parts))
    return StratifiedProportion(
        p=p_st, se=se, lower=max(0.0, p_st - z * se), upper=min(1.0, p_st + z * se),
        confidence=float(confidence), z=z, n=sum(part.n for part in parts),
        population=population, strata=tuple(parts),
    )
