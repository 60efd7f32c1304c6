"""Resampling what a leaf's score rests on: draws of its share, centred on the estimate.

A leaf's share is a ratio of sums over its observations, ``ŝ = Σa / Σb``
(:class:`~evalkit.scoring.leaves.Sample`: a rate's rows met / rows answered, num / den, a
checklist's items met / checked, a rubric's level shares, a mean's ratings, a penalty's
events).  Each draw gives every resampled unit an independent Exp(1) weight ``w`` and
recomputes ``s* = Σ w a / Σ w b``: the Bayesian bootstrap of Rubin, D. B. (1981), "The
Bayesian bootstrap", *Annals of Statistics* 9:130-134 (normalised Exp(1) weights are the
Dirichlet(1, …, 1) weights of the resampled units).  Its draws are centred on ``ŝ`` — unlike a
uniform-prior Beta(x + 1, n − x + 1), which pulls every share toward ½.

What is resampled (the resampling unit) follows how the evidence was gathered:

* **records** — when the leaf rests on at least :data:`MIN_CLUSTERS` records, the records are
  the clusters: all the rows of one visit or call session, and all the counts of one row (five
  calls to one number), move together (Davison, A. C. & Hinkley, D. V. 1997, *Bootstrap Methods
  and their Application*, §3.8, resampling clusters).  Ratings of one thing by several
  assessors (a rubric, a mean) are resampled so from two records on, when each record gives one;
* **rows** — with fewer records, there are too few to show how records vary; each record is
  kept (a certainty unit, as survey practice treats a stratum with one primary unit) and the
  sampled elements inside it are resampled: its repeat rows (a citizen, an online item, a call
  group — each row's counts together), independently within each record;
* **counts** — one row or record giving ``x`` of ``n`` (17 of 18 guides checked) is ``n``
  elements: its Bayesian bootstrap is Beta(x, n − x), again centred on x / n;
* **fixed** — a single observation (one interview's rubric level) shows no variability; it is
  held at its value, as are manual scores, ledger tasks and rates marked ``sampled=no``.

Three corrections are applied to the deviations ``s* − ŝ``.  The Bayesian bootstrap's variance
of a mean of ``m`` units is (m − 1)/(m + 1) of the unbiased estimate, so deviations are scaled
by √((m + 1)/(m − 1)).  A variance estimated from few units calls for Student's t rather than
the normal quantile, so they are also scaled by t(df, 1 − α/2) / z(1 − α/2), df = units less
the records they were resampled in — the "expanded percentile interval" of Hesterberg, T. C.
(2015), "What teachers should know about the bootstrap", *The American Statistician*
69(4):371-386.  Where the units were drawn without replacement from a frame of known size ``N``
(the draws in ``draws/``: the rows carry the drawn case ids or item codes), they are scaled by
√(1 − f), f = m / N, the finite-population correction (Cochran 1977, §2.6; the rescaling of
Rao, J. N. K. & Wu, C. F. J. 1988, *JASA* 83:231-241).  Shares are then kept in their range.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from evalkit.scoring.drawn import Key, UnitDrawn
from evalkit.scoring.leaves import Sample
from evalkit.stats.distributions import normal_quantile, t_quantile

MIN_CLUSTERS = 5  # fewer records than this cannot show how records vary: resample inside them


@dataclass(frozen=True)
class ShareDraws:
    """A leaf's resampled shares and how they were made."""

    shares: np.ndarray
    mode: str        # "records" | "rows" | "counts"
    units: int       # resampling units per record, or in all (m)
    fpc: float       # the sampling fraction f used (0 when the frame is unknown)
    df: int = 0      # degrees of freedom of the variance: units less the records they were resampled in


class UnitWeights:
    """Exp(1) weights of one unit's records and rows for every draw, from the unit's own seed.

    Every record the unit's samples mention gets one row of weights, and every (record, row)
    another, each block in sorted order from a generator of its own (made the first time a leaf
    asks for it), so the draws do not depend on the order leaves ask for them; leaves that use the
    same record (or row) use the same weights, so they move together.  Counts (Beta draws) come
    from a third generator, in the framework's leaf order.
    """

    def __init__(self, samples: Mapping[str, Sample], draws: int, seed: np.random.SeedSequence) -> None:
        self.samples, self.draws = samples, draws
        self._records_seed, self._rows_seed, counts_seed = seed.spawn(3)
        self.rng = np.random.default_rng(counts_seed)
        self._records: list | None = None   # [keys → row, rows, how many rows drawn, generator]: see _block
        self._rows: list | None = None

    def _block(self, keys: list, seed: np.random.SeedSequence) -> list:
        """Keys → rows of the block, the rows drawn so far and the block's generator: rows are drawn only as far
        as a leaf needs them (a generator fills its output in order, so the first ``k`` rows are the same whether
        ``k`` or all rows are drawn, at once or in parts)."""
        return [{k: i for i, k in enumerate(keys)}, np.empty((len(keys), self.draws)), 0, np.random.default_rng(seed)]

    def _rows_of(self, block: list, at: list[int]) -> np.ndarray:
        index, matrix, drawn, rng = block
        need = max(at, default=-1) + 1
        if need > drawn:
            rng.standard_exponential(out=matrix[drawn:need])
            block[2] = need
        return matrix[at]

    def of_records(self, records: list[str]) -> np.ndarray:
        if self._records is None:
            keys = sorted({r for s in self.samples.values() for r in s.records})
            self._records = self._block(keys, self._records_seed)
        index = self._records[0]
        return self._rows_of(self._records, [index[r] for r in records])

    def of_rows(self, keys: list[Key]) -> np.ndarray:
        if self._rows is None:
            every = sorted({(r, -1 if i is None else i) for s in self.samples.values() for r, i in zip(s.records, s.rows)})
            self._rows = self._block(every, self._rows_seed)
        index = self._rows[0]
        return self._rows_of(self._rows, [index[(r, -1 if i is None else i)] for r, i in keys])


def _fraction(keys: list, drawn: Mapping[Key, int], per_record: bool) -> float:
    """The sampling fraction m / N when every resampled unit is a drawn element of one frame, else 0: given up
    at the first unit that is not (a record without exactly one drawn row, a row not drawn), so a unit's
    :class:`~evalkit.scoring.drawn.UnitDrawn` reads only the records asked about until then."""
    sizes = set()
    if per_record:
        of_record = drawn.sizes if isinstance(drawn, UnitDrawn) else _by_record(drawn)
        for k in keys:
            found = of_record(k)
            if len(found) != 1:
                return 0.0
            sizes.add(found[0])
    else:
        for k in keys:
            size = drawn.get(k)
            if size is None:
                return 0.0
            sizes.add(size)
    return min(len(keys) / sizes.pop(), 1.0) if len(sizes) == 1 else 0.0


def _by_record(drawn: Mapping[Key, int]):
    """A plain mapping's frame sizes of each record's drawn rows, as :meth:`UnitDrawn.sizes` gives them."""
    by_record: dict[str, list[int]] = {}
    for (record, _), size in drawn.items():
        by_record.setdefault(record, []).append(size)
    return lambda record: by_record.get(record, [])


def _sums(sample: Sample, by_row: bool) -> dict:
    """Σa and Σb per cluster: per record, or per (record, row) with ``by_row`` (added in the observations' order)."""
    sums: dict = {}
    keys = zip(sample.records, sample.rows) if by_row else sample.records
    for k, a, b in zip(keys, sample.a, sample.b):
        got = sums.get(k)
        sums[k] = (a, b) if got is None else (got[0] + a, got[1] + b)
    return sums


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return num / np.maximum(den, 1e-300)


def _by_records(sample: Sample, weights: UnitWeights, drawn: Mapping[Key, int]) -> ShareDraws:
    sums = _sums(sample, by_row=False)
    records = sorted(sums)
    w = weights.of_records(records)  # records × draws
    a = np.array([sums[r][0] for r in records])
    b = np.array([sums[r][1] for r in records])
    return ShareDraws(_ratio(a @ w, b @ w), "records", len(records), _fraction(records, drawn, per_record=True),
                      len(records) - 1)


def _by_rows(sample: Sample, weights: UnitWeights, drawn: Mapping[Key, int]) -> ShareDraws | None:
    sums = _sums(sample, by_row=True)
    per_record: dict[str, list[Key]] = {}
    for key in sorted(sums, key=lambda k: (k[0], -1 if k[1] is None else k[1])):
        per_record.setdefault(key[0], []).append(key)
    sizes = [len(v) for v in per_record.values() if len(v) >= 2]
    if not sizes:
        return None
    num = np.zeros(weights.draws)
    den = np.zeros(weights.draws)
    for members in per_record.values():
        a = np.array([sums[k][0] for k in members])
        b = np.array([sums[k][1] for k in members])
        if len(members) < 2:  # a record of one row: kept as it is
            num, den = num + a.sum(), den + b.sum()
            continue
        v = weights.of_rows(members)  # Dirichlet weights within the record, scaled to its number of rows
        scale = len(members) / v.sum(axis=0)
        num, den = num + (a @ v) * scale, den + (b @ v) * scale
    resampled = [k for v in per_record.values() if len(v) >= 2 for k in v]
    return ShareDraws(_ratio(num, den), "rows", round(sum(sizes) / len(sizes)),
                      _fraction(resampled, drawn, per_record=False), sum(sizes) - len(sizes))


def _by_counts(sample: Sample, weights: UnitWeights) -> ShareDraws | None:
    if len(sample.a) != 1:
        return None
    x, n = sample.a[0], sample.b[0]
    if not (float(x).is_integer() and float(n).is_integer() and 0 < x < n):
        return None
    return ShareDraws(weights.rng.beta(x, n - x, size=weights.draws), "counts", int(n), 0.0, int(n) - 1)


@functools.cache
def _expansion(confidence: float, df: int) -> float:
    """t(df, 1 − α/2) / z(1 − α/2): the expanded percentile interval's factor (the same few degrees of freedom
    recur in every unit)."""
    level = 1 - (1 - confidence) / 2
    return t_quantile(level, df) / normal_quantile(level)


def share_draws(sample: Sample, weights: UnitWeights, drawn: Mapping[Key, int], low: float = 0.0,
                high: float = 1.0, confidence: float = 0.95, ratings: bool = False) -> ShareDraws | None:
    """Resampled shares of a leaf, centred on its estimate and corrected (None: held fixed).

    ``ratings``: the observations are ratings of one thing by several assessors (a rubric, a mean),
    so two or more records of one rating each are resampled as records however few they are."""
    if not sample.a or sum(sample.b) <= 0:
        return None
    records = len(set(sample.records))
    if records >= MIN_CLUSTERS or ratings and records >= 2 and len(set(zip(sample.records, sample.rows))) == records:
        found = _by_records(sample, weights, drawn)
    else:
        found = _by_rows(sample, weights, drawn) or _by_counts(sample, weights)
    if found is None or found.units < 2:
        return None
    estimate = sum(sample.a) / sum(sample.b)
    expand = _expansion(confidence, max(found.df, 1))
    scale = np.sqrt((1 - found.fpc) * (found.units + 1) / (found.units - 1)) * expand
    shares = np.clip(estimate + scale * (found.shares - estimate), low, high)
    return ShareDraws(shares, found.mode, found.units, found.fpc, found.df)
