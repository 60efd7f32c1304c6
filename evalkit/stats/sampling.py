"""Sample size and allocation across strata.

Sample size for a proportion (:func:`sample_size_proportion`)
    Cochran's infinite-population size ``n0 = z² p (1-p) / e²`` and the
    finite population correction ``n = n0 / (1 + (n0 - 1) / N)``
    (Cochran, W. G. 1977, *Sampling Techniques*, 3rd ed., Wiley, §4.4),
    multiplied by the design effect ``deff`` of a clustered or weighted
    design (Kish, L. 1965, *Survey Sampling*, Wiley: the sample a
    complex design needs is ``deff`` times the simple random sample).  The
    design effect is applied after the finite population correction.  The
    completed interviews needed are rounded up first, and only then divided
    by the expected response rate and rounded up again (the sample to contact
    is the whole number of completes needed over the response rate) — dividing the unrounded size
    would give 769 contacts for 385 completes at a rate of 0.5, which yield
    only 384.5.  The number to draw is capped at the population
    (``SampleSize.capped`` says so).

Allocation across strata (:func:`allocate`)
    Proportional allocation ``n_h = n N_h / N`` (Cochran 1977, ch. 5;
    Lohr, S. L. 2010, *Sampling: Design and Analysis*, 2nd ed., §3.4),
    rounded by the largest-remainder (Hamilton) method with exact fractions so
    the parts add up to the total, ties broken by stratum key; equal
    allocation; or a fixed allocation checked against the frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import TypeVar

from ._checks import ceil_tolerant, check_count, is_int, is_real, open_unit, z_value

ALLOCATION_METHODS = ("proportional", "equal", "fixed")

K = TypeVar("K")


@dataclass(frozen=True)
class SampleSize:
    """Required sample size and every step of its computation.

    ``n0`` is Cochran's infinite-population size, ``n_fpc`` the size after the
    finite population correction (equal to ``n0`` when ``population`` is
    None), ``n_deff = n_fpc * deff`` and ``n_final`` the number of units to
    draw: ``ceil(n_deff / response_rate)``, at least 1 and at most
    ``population``.  ``capped`` is True when the population limit was hit,
    i.e. a census does not reach the requested precision after design effect
    and non-response.  The intermediate values are not rounded.
    """

    p: float
    margin: float
    confidence: float
    population: int | None
    deff: float
    response_rate: float
    z: float
    n0: float
    n_fpc: float
    n_deff: float
    n_final: int
    capped: bool
    n_completes: int = 0


def _check_sample_size_args(p, margin, population, deff, response_rate) -> None:
    """Validate the non-confidence arguments of :func:`sample_size_proportion`."""
    if not is_real(p) or not 0 <= float(p) <= 1:
        raise ValueError(f"预期比例 p 必须在 0 到 1 之间（含端点），收到 {p!r}")
    open_unit(margin, "margin", "边际误差")
    if population is not None:
        check_count(population, "population", "总体规模", minimum=1)
    if not is_real(deff) or float(deff) <= 0:
        raise ValueError(f"设计效应 deff 必须大于 0，收到 {deff!r}")
    if not is_real(response_rate) or not 0 < float(response_rate) <= 1:
        raise ValueError(f"应答率 response_rate 必须大于 0 且不超过 1，收到 {response_rate!r}")


def sample_size_proportion(
    p: float = 0.5,
    margin: float = 0.05,
    confidence: float = 0.95,
    population: int | None = None,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> SampleSize:
    """Sample size to estimate a proportion within ``±margin`` (Cochran 1977, §4.4).

    ``p=0.5`` is the conservative choice.  The defaults give the textbook 385;
    with ``population=1000`` the answer is 278.  ``p`` of 0 or 1 gives
    ``n0 = 0``; ``n_final`` is then 1.
    """
    _check_sample_size_args(p, margin, population, deff, response_rate)
    z = z_value(confidence)
    p, margin = float(p), float(margin)
    n0 = z * z * p * (1 - p) / (margin * margin)
    if population is None or n0 == 0:
        n_fpc = n0
    else:  # n0 / (1 + (n0 - 1)/N) = n0 N / (n0 + (N - 1)): no 0/0 when N = 1 and n0 is tiny
        n_fpc = n0 * int(population) / (n0 + (int(population) - 1))
    n_deff = n_fpc * float(deff)
    n_completes = max(1, ceil_tolerant(n_deff))  # completes first, then the contacts they need
    n_final = ceil_tolerant(n_completes / float(response_rate))
    capped = population is not None and n_final > int(population)
    if capped:
        n_final = int(population)
    return SampleSize(
        p=p, margin=margin, confidence=float(confidence),
        population=None if population is None else int(population),
        deff=float(deff), response_rate=float(response_rate), z=z,
        n0=n0, n_fpc=n_fpc, n_deff=n_deff, n_final=n_final, capped=capped, n_completes=n_completes,
    )


def sample_size_per_stratum(
    stratum_sizes: Mapping[str, int],
    p: float | Mapping[str, float] = 0.5,
    margin: float = 0.05,
    confidence: float = 0.95,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> dict[str, SampleSize]:
    """Sample size for each stratum treated as its own reporting domain.

    Applies :func:`sample_size_proportion` with the stratum's size as the
    population.  ``p`` is one value for all strata or a mapping by stratum.
    """
    sizes = _check_stratum_sizes(stratum_sizes)
    if isinstance(p, Mapping):
        missing = [key for key in sizes if key not in p]
        if missing:
            raise ValueError(f"预期比例 p 缺少分层「{missing[0]}」的取值")
    result = {}
    for key, size in sizes.items():
        p_h = p[key] if isinstance(p, Mapping) else p
        result[key] = sample_size_proportion(
            p=p_h, margin=margin, confidence=confidence, population=size,
            deff=deff, response_rate=response_rate,
        )
    return result


# --------------------------------------------------------------------------
# allocation across strata
# --------------------------------------------------------------------------


def _check_stratum_sizes(stratum_sizes: Mapping[str, int]) -> dict[str, int]:
    """Validate ``{stratum: N_h}``: non-empty, every size a positive integer."""
    if not isinstance(stratum_sizes, Mapping) or not stratum_sizes:
        raise ValueError("分层规模 stratum_sizes 必须是非空的 {分层: 单元数} 字典")
    sizes = {}
    for key, size in stratum_sizes.items():
        if not is_int(size) or int(size) < 1:
            raise ValueError(f"分层规模 stratum_sizes 中「{key}」的单元数必须是正整数，收到 {size!r}")
        sizes[key] = int(size)
    return sizes


def _too_small(key: str, size: int, wanted: int) -> ValueError:
    """The error for a stratum asked for more units than it has."""
    return ValueError(f"分层「{key}」只有 {size} 个单元，不足分配的 {wanted} 个")


def largest_remainder(total: int, weights: Mapping[K, Real]) -> dict[K, int]:
    """Split the integer ``total`` in proportion to ``weights`` (Hamilton's method).

    Weights may be integers, floats or fractions; each is taken exactly
    (``Fraction(w)``: a float by its binary value), so each part gets the
    floor of its exact quota ``total * w / Σw`` without float error; the units
    left over go to the largest remainders, ties broken by the keys in their
    natural sorted order (for stratum names: alphabetical).
    """
    exact = {key: Fraction(w) for key, w in weights.items()}
    weight_sum = sum(exact.values())
    if not exact:
        return {}
    if weight_sum <= 0 or any(w < 0 for w in exact.values()):
        raise ValueError(f"权重 weights 必须是非负数且不全为 0，收到 {dict(weights)!r}")
    quotas = {key: total * w / weight_sum for key, w in exact.items()}
    parts = {key: math.floor(q) for key, q in quotas.items()}
    left = total - sum(parts.values())
    order = sorted(quotas, key=lambda key: (-(quotas[key] - parts[key]), key))
    for key in order[:left]:
        parts[key] += 1
    return parts


def _allocate_proportional(total: int, sizes: dict[str, int], minimum: int) -> dict[str, int]:
    """Proportional allocation; strata whose quota is below ``minimum`` get it.

    The strata raised to the minimum are taken out and the rest of the sample
    is shared proportionally among the others, repeatedly until no quota is
    below the minimum.  Quotas never exceed stratum sizes (``total <= N``).
    """
    at_minimum: set[str] = set()
    while True:
        free = {key: size for key, size in sizes.items() if key not in at_minimum}
        remaining = total - minimum * len(at_minimum)
        pop = sum(free.values())
        low = {key for key, size in free.items() if Fraction(remaining * size, pop) < minimum}
        if not low:
            break
        at_minimum |= low
    parts = largest_remainder(remaining, free)
    parts.update({key: minimum for key in at_minimum})
    return parts


def _allocate_equal(total: int, sizes: dict[str, int]) -> dict[str, int]:
    """Equal allocation; a stratum smaller than its share is taken whole.

    What the small strata cannot take is shared equally among the others;
    the units left after integer division go to the first strata in sorted
    key order.
    """
    parts: dict[str, int] = {}
    open_keys = sorted(sizes, key=str)
    remaining = total
    while open_keys:
        share = Fraction(remaining, len(open_keys))
        small = [key for key in open_keys if sizes[key] <= share]
        if not small:
            break
        for key in small:
            parts[key] = sizes[key]
            remaining -= sizes[key]
            open_keys.remove(key)
    if open_keys:
        base, extra = divmod(remaining, len(open_keys))
        for index, key in enumerate(open_keys):
            parts[key] = base + (1 if index < extra else 0)
    return parts


def _allocate_fixed(total, sizes, fixed, minimum) -> dict[str, int]:
    """Check a user-given allocation against sizes, minimum and total."""
    if not isinstance(fixed, Mapping):
        raise ValueError("method=\"fixed\" 时必须提供 fixed（{分层: 样本量} 字典）")
    unknown = [key for key in fixed if key not in sizes]
    if unknown:
        raise ValueError(f"fixed 中的分层「{unknown[0]}」不在 stratum_sizes 中")
    parts = {}
    for key, size in sizes.items():
        if key not in fixed:
            raise ValueError(f"fixed 缺少分层「{key}」的样本量")
        wanted = check_count(fixed[key], "fixed", f"分层「{key}」的样本量")
        if wanted > size:
            raise _too_small(key, size, wanted)
        if wanted < minimum:
            raise ValueError(f"分层「{key}」的样本量 {wanted} 小于每层最少样本量 minimum={minimum}")
        parts[key] = wanted
    if sum(parts.values()) != total:
        raise ValueError(f"fixed 各层样本量之和为 {sum(parts.values())}，与样本总量 total={total} 不一致")
    return parts


def allocate(
    total: int,
    stratum_sizes: Mapping[str, int],
    method: str = "proportional",
    fixed: Mapping[str, int] | None = None,
    minimum: int = 0,
) -> dict[str, int]:
    """Allocate ``total`` sample units to strata; the parts sum to ``total``.

    ``method``: ``"proportional"`` (n_h ∝ N_h, largest-remainder rounding,
    strata below ``minimum`` raised to it and the rest re-shared),
    ``"equal"`` (same number per stratum; a stratum smaller than its share
    is taken whole and the excess re-shared) or ``"fixed"`` (``fixed`` is
    checked and returned).  No stratum ever gets more than its size.
    The result keeps the key order of ``stratum_sizes``.
    """
    sizes = _check_stratum_sizes(stratum_sizes)
    total = check_count(total, "total", "样本总量")
    minimum = check_count(minimum, "minimum", "每层最少样本量")
    if method not in ALLOCATION_METHODS:
        raise ValueError(f"分配方法 method 必须是 {'、'.join(ALLOCATION_METHODS)} 之一，收到 {method!r}")
    if total > sum(sizes.values()):
        raise ValueError(f"样本总量 total={total} 超过了各层单元数之和 {sum(sizes.values())}")
    for key, size in sizes.items():
        if minimum > size:
            raise _too_small(key, size, minimum)
    if minimum * len(sizes) > total:
        raise ValueError(
            f"样本总量 total={total} 不足以让 {len(sizes)} 个分层每层至少分到 minimum={minimum} 个"
        )
    if method == "proportional":
        parts = _allocate_proportional(total, sizes, minimum)
    elif method == "equal":
        parts = _allocate_equal(total, sizes)
    else:
        parts = _allocate_fixed(total, sizes, fixed, minimum)
    return {key: parts[key] for key in sizes}
