"""Seeded draws from a sampling frame, recorded so anyone can check them.

Every draw uses one ``numpy.random.default_rng(seed)`` and nothing else random.
The frame is first **sorted by id** (Python string order, i.e. Unicode code
points), so the order of rows in the file never matters; strata are processed
in sorted key order.  The same frame bytes, design and seed therefore give the
same draw, byte for byte (with the same numpy; versions are recorded).

Methods (within each stratum; without ``strata`` the frame is one stratum 全部):

``srs``
    Simple random sampling without replacement: a random permutation of the
    stratum, the first ``n_h`` units (Cochran 1977, *Sampling Techniques*,
    3rd ed., ch. 2).  ``π = n_h / N_h``.
``systematic``
    Random start ``r ~ U[0, k)`` with the fractional interval ``k = N_h / n_h``;
    units ``floor(r + j k)``, ``j = 0 … n_h - 1``, in id order (Cochran 1977,
    ch. 8; Madow & Madow 1944).  ``π = n_h / N_h``.
``stratified``
    ``srs`` within the strata of a column (unit, 类型 or any column), allocated
    equal, proportional (largest remainder) or fixed by
    :func:`evalkit.stats.allocate` (Cochran 1977, ch. 5; Kish 1965, *Survey
    Sampling*, ch. 3).  ``systematic`` and ``pps`` may be stratified too.
``pps``
    Probability proportional to size (case volume) without replacement by
    **randomized systematic PPS**: the units are put in random order, then a
    systematic sample is taken on the cumulated sizes with interval
    ``I = X / n`` (Madow 1949, *Ann. Math. Stat.* 20:333-354; random order
    after Goodman & Kish 1950 and Hartley & Rao 1962, *Ann. Math. Stat.*
    33:350-374; Brewer & Hanif 1983, *Sampling with Unequal Probabilities*,
    Springer).  ``π_i = n x_i / X`` exactly.  A unit with ``x_i ≥ I`` is a
    **certainty unit** (``π = 1``): it is taken out, ``n`` and ``X`` are reduced,
    and the test repeated until no unit reaches the interval.  Arithmetic is
    exact (fractions), so exactly ``n`` distinct units are chosen.

Reserve list (non-response): drawn in the same run, after each stratum's
sample, from the stratum's remaining units — for ``srs`` the continuation of
the same permutation, for ``systematic`` a fresh random permutation, for
``pps`` successive sampling proportional to size (exponential keys ``E_i/x_i``,
Efraimidis & Spirakis 2006).  Reserves are used strictly in the recorded order.

Bad input raises :class:`SamplingError` carrying problem records; nothing is
written.  :func:`sample_size` wraps :func:`evalkit.stats.sample_size_proportion`
(Cochran 1977, §4.4; Kish 1965 for the design effect) with the same problem
records.  The draw itself (:func:`evalkit.sampling.draws.draw_sample`, the ``Draw`` record),
writing, reading and verifying records are in :mod:`evalkit.sampling.draws`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from evalkit.problems import Problem, did_you_mean, problem
from evalkit.sampling import frames as fr
from evalkit.sampling.problems import (
    ALLOCATION_INVALID,
    ALLOCATION_UNKNOWN,
    FIXED_MISSING,
    FIXED_NEEDED,
    FIXED_TOTAL,
    FIXED_UNKNOWN,
    METHOD_UNKNOWN,
    N_INVALID,
    N_TOO_LARGE,
    RESERVE_INVALID,
    SEED_INVALID,
    SIZE_CODES,
    STRATA_NEEDED,
    STRATUM_TOO_SMALL,
)
from evalkit.stats import ALLOCATION_METHODS, SampleSize, allocate, sample_size_proportion

METHODS = ("srs", "systematic", "stratified", "pps")
METHOD_ZH = {"srs": "简单随机抽样", "systematic": "系统抽样", "stratified": "分层随机抽样", "pps": "按规模成比例抽样（PPS）"}
ALLOCATION_ZH = {"proportional": "按比例", "equal": "等额", "fixed": "指定"}
WHOLE = "全部"

# argument -> (label, rule, test) for :func:`sample_size`; each has its code (SIZE_CODES), e.g. sample-margin-invalid
SIZE_RULES = {
    "p": ("预期比例 p", "应在 0 到 1 之间（不知道时用 0.5，最保守）", lambda v: 0 <= v <= 1),
    "margin": ("边际误差 margin", "应大于 0 且小于 1（如 0.05 表示 ±5 个百分点）", lambda v: 0 < v < 1),
    "confidence": ("置信水平 confidence", "应大于 0 且小于 1（通常为 0.95）", lambda v: 0 < v < 1),
    "deff": ("设计效应 deff", "应大于 0（简单随机抽样为 1）", lambda v: v > 0),
    "response_rate": ("预期应答率 response_rate", "应大于 0 且不超过 1", lambda v: 0 < v <= 1),
    "population": ("总体规模 population", "应为不小于 1 的整数（不知道时不填，按无限总体计算）", lambda v: v >= 1),
}


class SamplingError(Exception):
    """Bad input for a draw; ``problems`` says what and where.  Nothing was written."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("；".join(p.message for p in self.problems if p.is_error) or "抽样失败")


@dataclass(frozen=True)
class Design:
    """What to draw.  ``n`` may be None with a fixed allocation (then it is the sum).

    ``strata`` is a column (canonical key such as ``unit`` / ``type``, an alias
    such as 单位 / 类型, or any header); ``reserve`` is per stratum.
    """

    method: str
    n: int | None = None
    strata: str | None = None
    allocation: str = "proportional"
    fixed: Mapping[str, int] | None = None
    minimum: int = 0
    size_column: str | None = None
    reserve: int = 0

    @property
    def size_key(self) -> str:
        return self.size_column or "size"

    def to_dict(self) -> dict:
        fixed = None if self.fixed is None else {k: int(v) for k, v in sorted(self.fixed.items())}
        return {"method": self.method, "n": self.n, "strata": self.strata, "allocation": self.allocation,
                "fixed": fixed, "minimum": self.minimum, "size_column": self.size_column, "reserve": self.reserve}


# ---------------------------------------------------------------- checks


def _is_number(value: object, name: str) -> bool:
    if name == "population":
        return _is_count(value, 1)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_count(value: object, minimum: int) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and int(value) >= minimum


def _basic_problems(frame: fr.Frame, design: Design, seed: object) -> list[Problem]:
    out: list[Problem] = []
    where = {"file": frame.file, "sheet": frame.sheet}
    if design.method not in METHODS:
        out.append(problem(METHOD_UNKNOWN, value=design.method, choices="、".join(METHODS), field="method"))
    if design.n is None and design.allocation != "fixed" or design.n is not None and not _is_count(design.n, 1):
        out.append(problem(N_INVALID, value=design.n, field="n"))
    if not _is_count(seed, 0):
        out.append(problem(SEED_INVALID, value=seed, field="seed"))
    if not _is_count(design.reserve, 0):
        out.append(problem(RESERVE_INVALID, value=design.reserve, field="reserve"))
    if not _is_count(design.minimum, 0):
        out.append(problem(ALLOCATION_INVALID, detail=f"每层最少样本量 {design.minimum!r} 应为不小于 0 的整数", field="minimum"))
    if design.allocation not in ALLOCATION_METHODS:
        out.append(problem(ALLOCATION_UNKNOWN, value=design.allocation, choices="、".join(ALLOCATION_METHODS),
                           field="allocation"))
    elif design.allocation == "fixed" and design.fixed is None:
        out.append(problem(FIXED_NEEDED, field="fixed"))
    if design.method == "stratified" and not design.strata:
        out.append(problem(STRATA_NEEDED, field="strata"))
    if not frame.rows:
        out.append(problem(fr.FRAME_EMPTY, what=fr.KIND_ZH[frame.kind], **where))
    return out


def _column_problems(frame: fr.Frame, design: Design) -> list[Problem]:
    out: list[Problem] = []
    if design.strata:
        found = fr.column_problems(frame, design.strata, "按该列分层需要这一列。")
        out += found or fr.stratum_problems(frame, design.strata)
    if design.method == "pps":
        why = "按规模成比例抽样（PPS）需要每个单元的规模（如办件量），可用 --size-column 指定列名。"
        found = fr.column_problems(frame, design.size_key, why)
        out += found or fr.size_problems(frame, design.size_key)
    return out


def _fixed_problems(frame: fr.Frame, design: Design, sizes: Mapping[str, int]) -> list[Problem]:
    fixed = dict(design.fixed or {})
    column = frame.header(design.strata) if design.strata else WHOLE
    where = {"file": frame.file, "sheet": frame.sheet, "column": column}
    out = [problem(FIXED_UNKNOWN, record=k, hint=did_you_mean(k, sizes) or "。", **where) for k in fixed if k not in sizes]
    out += [problem(FIXED_MISSING, record=k, population=n, **where) for k, n in sizes.items() if k not in fixed]
    for key, wanted in fixed.items():
        if not _is_count(wanted, 0):
            out.append(problem(ALLOCATION_INVALID, detail=f"分层「{key}」的样本量 {wanted!r} 应为不小于 0 的整数",
                               record=key, **where))
        elif key in sizes and wanted > sizes[key]:
            out.append(problem(STRATUM_TOO_SMALL, record=key, population=sizes[key], wanted=wanted, **where))
    total = sum(int(v) for v in fixed.values() if _is_count(v, 0))
    if not out and design.n is not None and total != design.n:
        out.append(problem(FIXED_TOTAL, total=total, value=design.n, field="fixed"))
    return out


def _allocation(frame: fr.Frame, design: Design, sizes: dict[str, int]) -> tuple[dict[str, int], list[Problem]]:
    """Sample size per stratum, or the problems that prevent it."""
    if design.allocation == "fixed":
        found = _fixed_problems(frame, design, sizes)
        if found:
            return {}, found
        return {k: int(design.fixed[k]) for k in sizes}, []
    n, population = int(design.n), sum(sizes.values())
    if n > population:
        return {}, [problem(N_TOO_LARGE, value=n, population=population, file=frame.file, sheet=frame.sheet, field="n")]
    column = frame.header(design.strata) if design.strata else WHOLE
    small = [problem(STRATUM_TOO_SMALL, record=k, population=size, wanted=design.minimum, file=frame.file,
                     sheet=frame.sheet, column=column) for k, size in sizes.items() if size < design.minimum]
    if small:
        return {}, small
    try:
        return allocate(n, sizes, design.allocation, minimum=design.minimum), []
    except ValueError as exc:
        return {}, [problem(ALLOCATION_INVALID, detail=str(exc), field="allocation")]


def check_design(frame: fr.Frame, design: Design, seed: object) -> tuple[dict[str, list[fr.FrameRow]], dict[str, int], list[Problem]]:
    """Groups (sorted by id within stratum), allocation and every problem of a design."""
    found = _basic_problems(frame, design, seed)
    if found or (found := _column_problems(frame, design)):
        return {}, {}, found
    groups: dict[str, list[fr.FrameRow]] = {}
    keys = frame.strata(design.strata) if design.strata else [WHOLE] * len(frame.rows)
    for key, row in sorted(zip(keys, frame.rows), key=lambda pair: pair[1].id):
        groups.setdefault(key, []).append(row)
    groups = {key: groups[key] for key in sorted(groups)}
    alloc, found = _allocation(frame, design, {k: len(v) for k, v in groups.items()})
    return groups, alloc, found


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class Pick:
    """One stratum's selection: row indices chosen (id order), π of every row, reserve queue."""

    chosen: list[int]
    probabilities: list[float]
    queue: list[int]
    interval: float | None = None
    start: float | None = None
    certainty: int = 0


def _srs(rng: np.random.Generator, count: int, n: int) -> Pick:
    order = [int(i) for i in rng.permutation(count)]
    return Pick(sorted(order[:n]), [n / count] * count, order[n:])


def _systematic(rng: np.random.Generator, count: int, n: int) -> Pick:
    if n == 0:
        return Pick([], [0.0] * count, [int(i) for i in rng.permutation(count)])
    interval = Fraction(count, n)
    start = Fraction(float(rng.random())) * interval
    chosen = [math.floor(start + j * interval) for j in range(n)]
    taken = set(chosen)
    rest = [i for i in range(count) if i not in taken]
    queue = [rest[int(j)] for j in rng.permutation(len(rest))]
    return Pick(chosen, [n / count] * count, queue, float(interval), float(start))


def _integers(sizes: Sequence[float]) -> list[int]:
    """Sizes scaled to integers exactly (floats are dyadic fractions), so all PPS arithmetic is exact."""
    if all(isinstance(x, int) for x in sizes):
        return list(sizes)
    exact = [Fraction(x) for x in sizes]
    scale = math.lcm(*(x.denominator for x in exact)) if exact else 1
    return [int(x * scale) for x in exact]


def _certainty(sizes: list[int], n: int) -> tuple[set[int], int, int]:
    """Certainty units (size ≥ interval, re-tested after each removal; Brewer & Hanif 1983),
    the sample size ``m`` and the total size ``X`` left for the others."""
    certain: set[int] = set()
    m, total = n, sum(sizes)
    while m > 0:
        new = {i for i, x in enumerate(sizes) if i not in certain and x * m >= total}
        if not new:
            break
        certain |= new
        m, total = m - len(new), total - sum(sizes[i] for i in new)
    return certain, m, total


def inclusion_probabilities(sizes: Sequence[float], n: int) -> list[float]:
    """PPS inclusion probabilities ``π_i = n' x_i / X'`` after taking out certainty units (π = 1).

    They add up to ``n`` (up to float rounding).  Sizes must be positive, ``n <= len(sizes)``.
    """
    return _probabilities(_integers(sizes), n)


def _probabilities(sizes: list[int], n: int) -> list[float]:
    certain, m, total = _certainty(sizes, n)
    return [1.0 if i in certain else m * x / total for i, x in enumerate(sizes)]


def _pps(rng: np.random.Generator, raw_sizes: list[float], n: int) -> Pick:
    sizes = _integers(raw_sizes)
    certain, m, total = _certainty(sizes, n)
    probs = _probabilities(sizes, n)
    chosen, interval, start = sorted(certain), None, None
    if m > 0:
        rest = [i for i in range(len(sizes)) if i not in certain]
        order = [rest[int(j)] for j in rng.permutation(len(rest))]
        u = Fraction(float(rng.random()))  # start = u · X/m; points (u + j) X/m, compared times m · den(u)
        a, b = u.numerator, u.denominator
        point, step, cumulated = a * total, b * total, 0
        for i in order:
            cumulated += sizes[i] * m * b
            if point < cumulated:  # each unit is shorter than the interval: at most one hit
                chosen.append(i)
                point += step
        scale = Fraction(sum(sizes), sum(Fraction(x) for x in raw_sizes))
        interval, start = float(Fraction(total, m) / scale), float(u * Fraction(total, m) / scale)
    taken = set(chosen)
    left = [i for i in range(len(sizes)) if i not in taken]
    keys = rng.standard_exponential(len(left))
    queue = [i for _, i in sorted(zip((float(k) / raw_sizes[i] for k, i in zip(keys, left)), left))]
    return Pick(sorted(chosen), probs, queue, interval, start, len(certain))


def select(method: str, rng: np.random.Generator, rows: list[fr.FrameRow], n: int, sizes: list[float]) -> Pick:
    if method == "pps":
        return _pps(rng, sizes, n)
    if method == "systematic":
        return _systematic(rng, len(rows), n)
    return _srs(rng, len(rows), n)


def sample_size(p: float = 0.5, margin: float = 0.05, confidence: float = 0.95, population: int | None = None,
                deff: float = 1.0, response_rate: float = 1.0) -> SampleSize:
    """:func:`evalkit.stats.sample_size_proportion`, bad arguments as a :class:`SamplingError`.

    Each bad argument is one problem with its own code and ``field``
    (``sample-margin-invalid`` for a margin of 0, ``sample-p-invalid`` for a
    probability outside 0–1, ``sample-population-invalid`` …).
    """
    values = {"p": p, "margin": margin, "confidence": confidence, "deff": deff, "response_rate": response_rate,
              "population": population}
    found = [problem(SIZE_CODES[name], label=label, value=values[name], rule=rule, field=name)
             for name, (label, rule, ok) in SIZE_RULES.items()
             if not (name == "population" and population is None or _is_number(values[name], name) and ok(values[name]))]
    if found:
        raise SamplingError(found)
    return sample_size_proportion(p, margin, confidence, population, deff, response_rate)
