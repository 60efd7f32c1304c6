"""Points for one leaf indicator of one unit, from its rule and the unit's records.

The rule's kind reduces the admitted records to a tally (:mod:`evalkit.scoring.tally`: the
evidence count ``n``, the observed share, the input figures in plain Chinese, the records used
and left out, the observations as a :class:`~evalkit.scoring.tally.Sample`); the rule's
thresholds then give the fraction of points (:func:`thresholded`: ``full``/``zero`` or
``bands``).  When ``n`` is below the rule's ``min_n``, ``insufficient`` decides: ``none`` no
score, ``zero`` zero points, ``flag`` the score of what there is, flagged.

A sampled rate (``rate`` or ``checklist`` unless ``sampled=no``) carries the
Wilson (1927) interval of its share, mapped through the rule's thresholds to an
interval of points, and the trace says it (「95 % 置信区间 …（Wilson）」).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from evalkit.forms import Instrument
from evalkit.framework import Indicator
from evalkit.scoring.describe import thresholds_zh
from evalkit.scoring.evidence import LeftOut, admitted_pool
from evalkit.scoring.manual import ManualScore, manual_outcome
from evalkit.scoring.rules import Rule, share_to_fraction
from evalkit.scoring.tally import Sample, Tally, base_tally, percent
from evalkit.stats import wilson_interval

STATUS_ZH = {"scored": "已计分", "flagged": "证据不足，按现有证据计分（已标记）", "zero": "证据不足，计 0 分",
             "insufficient": "证据不足，不计分", "no_rule": "未设置评分规则", "manual_missing": "待人工评分",
             "manual_invalid": "人工评分无效，待更正", "ledger_missing": "未导入任务分解表"}


@dataclass(frozen=True)
class LeafScore:
    """A leaf's score for one unit with everything needed to defend it."""

    unit: str
    indicator: str
    name: str
    points: float
    score: float | None
    status: str
    rule: str
    kind: str
    figures: str
    n: int = 0
    share: float | None = None
    fraction: float | None = None
    x: float | None = None
    sampled: bool = False
    share_interval: tuple[float, float] | None = None
    interval: tuple[float, float] | None = None
    records: tuple[str, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    justification: str = ""
    observed: str = ""  # the trace in brief (「符合 15 / 共 24」, 「①1/1 ②0/1」): what a printed scorecard shows


@functools.cache
def _wilson(x: int, n: int) -> tuple[float, float]:
    """:func:`evalkit.stats.wilson_interval` (95 %) of x of n, remembered: each rate leaf asks twice, and the
    normal quantile it starts from is slow to compute."""
    return wilson_interval(x, n)


def instruments_of(rule: Rule) -> set[str]:
    return {ref.instrument for ref in rule.fields()}


def thresholded(rule: Rule, base: Tally) -> Tally:
    """A copy of a tally from :func:`base_tally` with the rule's thresholds applied: the fraction of points its share
    earns and the figures that say how (``base`` is left as it was: a rerun keeps it, :mod:`evalkit.scoring.reuse`)."""
    tally = replace(base)
    if tally.fraction is None and tally.share is not None:
        tally.fraction = share_to_fraction(rule, tally.share)
    if rule.kind in ("rate", "checklist") and tally.share is not None:
        if rule.has("full") or rule.has("bands"):
            tally.figures += f"；{thresholds_zh(rule)} → 得分比例 {percent(tally.fraction or 0)}"
        if tally.sampled and tally.x is not None and 0 < tally.n and tally.x <= tally.n:
            low, high = _wilson(int(tally.x), int(tally.n))
            tally.figures += f"；比例的 95 % 置信区间 {percent(low)}–{percent(high)}（Wilson）"
    return tally


def _interval(rule: Rule, tally: Tally, points: float) -> tuple[tuple | None, tuple | None]:
    if not tally.sampled or tally.x is None or tally.n <= 0 or tally.x > tally.n:
        return None, None
    low, high = _wilson(int(tally.x), int(tally.n))
    ends = sorted((share_to_fraction(rule, end) or 0.0) * points for end in (low, high))
    return (low, high), (ends[0], ends[1])


def score_leaf(ind: Indicator, rule: Rule | None, unit: str, views: Sequence, instruments: Mapping[str, Instrument],
               *, include_received: bool = False, manual: Sequence[ManualScore] = ()) -> LeafScore:
    """Score one leaf for one unit from all records (the unit's are picked here)."""
    return score_leaf_sample(ind, rule, unit, views, instruments, include_received=include_received,
                             manual=manual)[0]


def score_leaf_sample(ind: Indicator, rule: Rule | None, unit: str, views: Sequence,
                      instruments: Mapping[str, Instrument], *, include_received: bool = False,
                      manual: Sequence[ManualScore] = ()) -> tuple[LeafScore, Sample | None]:
    """:func:`score_leaf` and the observations the score rests on (None for a manual score)."""
    leaf, tally = score_leaf_tally(ind, rule, unit, views, instruments, include_received=include_received,
                                   manual=manual)
    return leaf, None if tally is None else tally.sample()


def score_leaf_tally(ind: Indicator, rule: Rule | None, unit: str, views: Sequence,
                     instruments: Mapping[str, Instrument], *, include_received: bool = False,
                     manual: Sequence[ManualScore] = ()) -> tuple[LeafScore, Tally | None]:
    """:func:`score_leaf` and the tally it was finished from, before the rule's thresholds (None for a manual
    score): :func:`leaf_of_tally` gives the same leaf again from it, whatever the thresholds are then."""
    if rule is None or rule.kind == "manual":
        return manual_leaf(ind, rule, unit, manual), None
    admitted_views, left = admitted_pool(views, unit, instruments_of(rule), include_received)
    found = base_tally(rule, ind, admitted_views, instruments)
    found.left = left + found.left
    return leaf_of_tally(ind, rule, unit, found), found


def _base(ind: Indicator, rule: Rule | None, unit: str) -> dict:
    return dict(unit=unit, indicator=ind.code, name=ind.name, points=ind.points or 0.0,
                rule=rule.text if rule else ind.rule, kind=rule.kind if rule else "")


def manual_leaf(ind: Indicator, rule: Rule | None, unit: str, manual: Sequence[ManualScore]) -> LeafScore:
    """The leaf of a manual rule, or of none (人工评分)."""
    base = _base(ind, rule, unit)
    got = manual_outcome(ind, rule, unit, manual)
    if got.points is None:
        return LeafScore(score=None, status=got.status, figures=got.figures, observed=got.figures, **base)
    points = base["points"]
    fraction = got.points / points if points else 0.0
    return LeafScore(score=got.points, status="scored", figures=got.figures, observed=got.figures, n=1,
                     fraction=fraction, records=tuple(got.entry.evidence), justification=got.entry.justification,
                     **base)


def leaf_of_tally(ind: Indicator, rule: Rule, unit: str, tally: Tally) -> LeafScore:
    """The leaf scored from a tally of :func:`base_tally` (its pool's records left out included), the rule's
    thresholds applied; ``tally`` is not changed."""
    base = _base(ind, rule, unit)
    return _finish(rule, thresholded(rule, tally), base["points"], base)


def _finish(rule: Rule, tally: Tally, points: float, base: dict) -> LeafScore:
    enough = tally.n >= rule.min_n and tally.fraction is not None
    if enough:
        status, score = "scored", tally.fraction * points
    elif rule.insufficient == "zero":
        status, score = "zero", 0.0
    elif rule.insufficient == "flag" and tally.fraction is not None:
        status, score = "flagged", tally.fraction * points
    else:
        status, score = "insufficient", None
    figures = tally.figures or "没有可用证据"
    observed = tally.observed or figures
    if not enough:
        short = f"（证据 {tally.n} 份，规则要求至少 {rule.min_n} 份：{STATUS_ZH[status]}）"
        figures += short
        observed = (tally.observed + short) if tally.observed else figures
    share_iv, points_iv = _interval(rule, tally, points)
    return LeafScore(score=score, status=status, figures=figures, observed=observed, n=tally.n, share=tally.share,
                     fraction=tally.fraction,
                     x=tally.x, sampled=tally.sampled, share_interval=share_iv,
                     interval=points_iv if score is not None else None, records=tuple(tally.used),
                     left_out=tuple(tally.left), **base)
