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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm
from scipy.stats import t as t_dist

from evalkit.scoring.leaves import Sample

MIN_CLUSTERS = 5  # fewer records than this cannot show how records vary: resample inside them

Key = tuple[str, int | None]  # (record, repeat row); row None = the record's own answers


@dataclass(frozen=True)
class ShareDraws:
    """A leaf's resampled shares and how they were made."""

    shares: np.ndarray
    mode: str        # "records" | "rows" | "counts"
    units: int       # resampling units per record, or in all (m)
    fpc: float       # the sampling fraction f used (0 when the frame is unknown)
    df: int = 0      # degrees of freedom of the variance: units less the records they were resampled in


class UnitWeights:
    """Exp(1) weights of one unit's records and rows for every draw, from the unit's own generator.

    Every record and every (record, row) the unit's samples mention gets one row of weights, in
    sorted order, so the draws do not depend on the order leaves ask for them; leaves that use
    the same record (or row) use the same weights, so they move together.
    """

    def __init__(self, samples: Mapping[str, Sample], draws: int, rng: np.random.Generator) -> None:
        records = sorted({r for s in samples.values() for r in s.records})
        rows = sorted({(r, -1 if i is None else i) for s in samples.values() for r, i in zip(s.records, s.rows)})
        self.index = {("record", r, 0): k for k, r in enumerate(records)}
        self.index.update({("row", r, i): len(records) + k for k, (r, i) in enumerate(rows)})
        self.matrix = rng.standard_exponential((len(self.index), draws)) if self.index else np.zeros((0, draws))
        self.rng = rng
        self.draws = draws

    def of_records(self, records: list[str]) -> np.ndarray:
        return self.matrix[[self.index[("record", r, 0)] for r in records]]

    def of_rows(self, keys: list[Key]) -> np.ndarray:
        return self.matrix[[self.index[("row", r, -1 if i is None else i)] for r, i in keys]]


def _fraction(keys: list, drawn: Mapping[Key, int], per_record: bool) -> float:
    """The sampling fraction m / N when every resampled unit is a drawn element of one frame, else 0."""
    sizes = set()
    for key in keys:
        if per_record:
            hits = [n for (r, _), n in drawn.items() if r == key]
            if len(hits) != 1:
                return 0.0
            sizes.add(hits[0])
        elif key in drawn:
            sizes.add(drawn[key])
        else:
            return 0.0
    if len(sizes) != 1:
        return 0.0
    return min(len(keys) / sizes.pop(), 1.0)


def _by_records(sample: Sample, weights: UnitWeights, drawn: Mapping[Key, int]) -> ShareDraws:
    records = sorted(set(sample.records))
    where = {r: k for k, r in enumerate(records)}
    w = weights.of_records(records)[[where[r] for r in sample.records]]  # elements × draws
    a, b = np.asarray(sample.a)[:, None], np.asarray(sample.b)[:, None]
    return ShareDraws((w * a).sum(axis=0) / np.maximum((w * b).sum(axis=0), 1e-300), "records", len(records),
                      _fraction(records, drawn, per_record=True), len(records) - 1)


def _by_rows(sample: Sample, weights: UnitWeights, drawn: Mapping[Key, int]) -> ShareDraws | None:
    keys = sorted(set(zip(sample.records, sample.rows)), key=lambda k: (k[0], -1 if k[1] is None else k[1]))
    per_record: dict[str, list[Key]] = {}
    for key in keys:
        per_record.setdefault(key[0], []).append(key)
    sizes = [len(v) for v in per_record.values() if len(v) >= 2]
    if not sizes:
        return None
    raw = weights.of_rows(keys)
    scaled = np.ones_like(raw)
    position = {k: i for i, k in enumerate(keys)}
    for members in per_record.values():
        if len(members) < 2:
            continue
        idx = [position[k] for k in members]
        scaled[idx] = len(members) * raw[idx] / raw[idx].sum(axis=0)  # Dirichlet weights within the record
    w = scaled[[position[k] for k in zip(sample.records, sample.rows)]]
    a, b = np.asarray(sample.a)[:, None], np.asarray(sample.b)[:, None]
    resampled = [k for v in per_record.values() if len(v) >= 2 for k in v]
    return ShareDraws((w * a).sum(axis=0) / np.maximum((w * b).sum(axis=0), 1e-300), "rows",
                      round(sum(sizes) / len(sizes)), _fraction(resampled, drawn, per_record=False),
                      sum(sizes) - len(sizes))


def _by_counts(sample: Sample, weights: UnitWeights) -> ShareDraws | None:
    if len(sample.a) != 1:
        return None
    x, n = sample.a[0], sample.b[0]
    if not (float(x).is_integer() and float(n).is_integer() and 0 < x < n):
        return None
    return ShareDraws(weights.rng.beta(x, n - x, size=weights.draws), "counts", int(n), 0.0, int(n) - 1)


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
    level = 1 - (1 - confidence) / 2
    expand = float(t_dist.ppf(level, max(found.df, 1)) / norm.ppf(level))
    scale = np.sqrt((1 - found.fpc) * (found.units + 1) / (found.units - 1)) * expand
    shares = np.clip(estimate + scale * (found.shares - estimate), low, high)
    return ShareDraws(shares, found.mode, found.units, found.fpc, found.df)
