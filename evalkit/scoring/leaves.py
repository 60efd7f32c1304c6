"""Points for one leaf indicator of one unit, from its rule and the unit's records.

Each rule kind (see :mod:`evalkit.scoring.rules` and docs/rules.md) reduces the
admitted records to a tally: the evidence count ``n`` (rows for a rate, the
denominator's sum for ``num``/``den``, checks for a checklist, ratings for a
rubric or mean, rows observed for a penalty), the observed share, the fraction
of points and the input figures in plain Chinese (「为办成此事共跑了几次（含本次）≤ 1：
17/20 = 85 %」: fields by their labels, choices by theirs, :mod:`evalkit.scoring.describe`).
When ``n`` is below the rule's ``min_n``, ``insufficient`` decides: ``none`` no score,
``zero`` zero points, ``flag`` the score of what there is, flagged.

A sampled rate (``rate`` or ``checklist`` unless ``sampled=no``) carries the
Wilson (1927) interval of its share, mapped through the rule's thresholds to an
interval of points, and the trace says it (「95 % 置信区间 …（Wilson）」).

Every tally also keeps its observations as a :class:`Sample` (record, repeat row and the
two numbers each adds to the share's numerator and denominator), so that the uncertainty
of the score can be worked out by resampling what was actually used
(:mod:`evalkit.scoring.resampling`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evalkit.forms import Instrument
from evalkit.framework import Indicator
from evalkit.scoring.describe import condition_zh, field_zh, pct, thresholds_zh
from evalkit.scoring.evidence import (
    LeftOut,
    Obs,
    Resolved,
    admitted_pool,
    gather,
    held,
    left_out,
    number,
    resolve,
)
from evalkit.scoring.manual import ManualScore, manual_outcome
from evalkit.scoring.rules import Condition, FieldRef, Rule, share_to_fraction
from evalkit.stats import wilson_interval

STATUS_ZH = {"scored": "已计分", "flagged": "证据不足，按现有证据计分（已标记）", "zero": "证据不足，计 0 分",
             "insufficient": "证据不足，不计分", "no_rule": "未设置评分规则", "manual_missing": "待人工评分",
             "manual_invalid": "人工评分无效，待更正", "ledger_missing": "未导入任务分解表"}


@dataclass(frozen=True)
class Sample:
    """A leaf's observations for resampling: per observation its record, repeat row (None outside a
    repeat) and what it adds to the share's numerator ``a`` and denominator ``b`` (share = Σa / Σb)."""

    records: tuple[str, ...]
    rows: tuple[int | None, ...]
    a: tuple[float, ...]
    b: tuple[float, ...]


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


@dataclass
class _Tally:
    n: int = 0
    share: float | None = None
    fraction: float | None = None
    figures: str = ""
    observed: str = ""
    x: float | None = None
    sampled: bool = False
    used: list[str] = field(default_factory=list)
    left: list[LeftOut] = field(default_factory=list)
    elements: list[tuple[str, int | None, float, float]] = field(default_factory=list)
    columns: tuple | None = None   # or the elements as the Sample's four columns (a rule that counts answers met)

    def sample(self) -> Sample | None:
        if self.columns is not None:
            return Sample(*self.columns) if self.columns[0] else None
        if not self.elements:
            return None
        records, rows, a, b = zip(*self.elements)
        return Sample(records, rows, a, b)


def _met_columns(per_field: list[list[Obs]], flags_of: list[list[bool]]) -> tuple:
    """The observations of one or more conditions as a Sample's columns: record, row, 1.0 or 0.0 for met or not,
    1.0 — the elements ``(o.record, o.row, float(f), 1.0)`` in order, made a column at a time."""
    records: list = []
    rows: list = []
    a: list = []
    for obs, flags in zip(per_field, flags_of):
        if obs:
            found = tuple(zip(*obs))
            records += found[0]
            rows += found[1]
            a += map(float, flags)
    return tuple(records), tuple(rows), tuple(a), (1.0,) * len(records)


@functools.cache
def _wilson(x: int, n: int) -> tuple[float, float]:
    """:func:`evalkit.stats.wilson_interval` (95 %) of x of n, remembered: each rate leaf asks twice, and the
    normal quantile it starts from is slow to compute."""
    return wilson_interval(x, n)


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _resolved(rule: Rule, refs: Sequence[FieldRef], instruments: Mapping[str, Instrument]) -> list[Resolved]:
    return [r for r in (resolve(ref, instruments) for ref in refs) if r is not None]


def _collect(views: list, fields: list[Resolved], leaf: str, tally: _Tally) -> list[list[Obs]]:
    """Observations per field over the records; records without any go to ``left`` with the reason
    (:func:`evalkit.scoring.evidence.gather`)."""
    per_field, used, left = gather(views, fields, leaf)
    tally.used += used
    tally.left += left
    return per_field


def _rate_where(rule: Rule, views: list, instruments, leaf: str, tally: _Tally) -> None:
    cond: Condition = rule.get("where")
    (obs,) = _collect(views, _resolved(rule, [cond.field], instruments), leaf, tally)
    flags = held(cond, [o[2] for o in obs])
    tally.columns = _met_columns([obs], [flags])
    tally.n, tally.x = len(obs), float(sum(flags))
    tally.sampled = rule.get("sampled", "yes") != "no"
    if tally.n:
        tally.share = tally.x / tally.n
        tally.figures = f"{condition_zh(cond, instruments)}：{tally.x:g}/{tally.n} = {_pct(tally.share)}"
        tally.observed = f"符合 {tally.x:g} / 共 {tally.n}"


def _rate_num_den(rule: Rule, views: list, instruments, leaf: str, tally: _Tally) -> None:
    fields = _resolved(rule, [rule.get("num"), rule.get("den")], instruments)
    if len(fields) < 2:
        return
    nums, dens = _collect(views, fields, leaf, tally)
    den_by_key = {(o.record, o.row): number(o.value) for o in dens}
    pairs = [(o.record, o.row, number(o.value), den_by_key.get((o.record, o.row))) for o in nums]
    pairs = [(r, i, a, b) for r, i, a, b in pairs if a is not None and b is not None]
    x, n = sum(p[2] for p in pairs), sum(p[3] for p in pairs)
    tally.elements = [(r, i, float(a), float(b)) for r, i, a, b in pairs]
    tally.n, tally.x = int(n), x
    tally.sampled = rule.get("sampled", "yes") != "no" and float(x).is_integer() and float(n).is_integer() and x <= n
    if n > 0:
        tally.share = x / n
        tally.figures = (f"{field_zh(rule.get('num'), instruments)} ÷ {field_zh(rule.get('den'), instruments)}："
                         f"{x:g}/{n:g} = {_pct(tally.share)}")
        tally.observed = f"{x:g} ÷ {n:g}"


def _checklist(rule: Rule, views: list, instruments, leaf: str, tally: _Tally) -> None:
    conds: tuple[Condition, ...] = rule.get("items")
    fields = _resolved(rule, [c.field for c in conds], instruments)
    if len(fields) < len(conds):
        return
    per_field = _collect(views, fields, leaf, tally)
    flags_of = [held(c, [o[2] for o in obs]) for c, obs in zip(conds, per_field)]
    met = [sum(flags) for flags in flags_of]
    checked = [len(obs) for obs in per_field]
    tally.columns = _met_columns(per_field, flags_of)
    tally.n, tally.x = sum(checked), float(sum(met))
    tally.sampled = rule.get("sampled", "yes") != "no"
    if tally.n:
        tally.share = tally.x / tally.n
        parts = "；".join(f"{condition_zh(c, instruments)} {m}/{k}" for c, m, k in zip(conds, met, checked))
        tally.figures = f"{parts}；合计 {tally.x:g}/{tally.n} = {_pct(tally.share)}"
        tally.observed = " ".join(f"{_item_mark(i)}{m}/{k}" for i, (m, k) in enumerate(zip(met, checked))) \
            + f"，合计 {tally.x:g}/{tally.n}"


def _field_list(rule: Rule) -> list[FieldRef]:
    value = rule.get("field")
    return list(value) if isinstance(value, tuple) else [value]


def _rubric(rule: Rule, views: list, instruments, leaf: str, tally: _Tally) -> None:
    levels = rule.levels()
    obs = [o for group in _collect(views, _resolved(rule, _field_list(rule), instruments), leaf, tally) for o in group]
    valid = [o for o in obs if str(o.value) in levels]
    _drop_unused(tally, obs, valid, "invalid_value")
    tally.elements = [(o.record, o.row, float(levels[str(o.value)]), 1.0) for o in valid]
    tally.n = len(valid)
    if valid:
        tally.share = sum(levels[str(o.value)] for o in valid) / len(valid)
        tally.fraction = tally.share
        counts = {k: sum(str(o.value) == k for o in valid) for k in levels}
        names = _level_names(rule, instruments)
        shown = "、".join(f"{names.get(k, k)}（{pct(v)}）{counts[k]} 个" for k, v in levels.items() if counts[k])
        tally.figures = f"{len(valid)} 个评议：{shown}；平均 {_pct(tally.share)}"
        tally.observed = f"{len(valid)} 个评议：" + "、".join(f"{names.get(k, k)} {counts[k]}" for k in levels if counts[k])


def _mean(rule: Rule, views: list, instruments, leaf: str, tally: _Tally) -> None:
    scale = rule.get("scale")
    obs = [o for group in _collect(views, _resolved(rule, _field_list(rule), instruments), leaf, tally) for o in group]
    valid = [(o, number(o.value)) for o in obs]
    valid = [(o, v) for o, v in valid if v is not None and scale.low <= v <= scale.high]
    _drop_unused(tally, obs, [o for o, _ in valid], "not_relevant")
    tally.elements = [(o.record, o.row, float(v), 1.0) for o, v in valid]
    tally.n = len(valid)
    if valid:
        mean = sum(v for _, v in valid) / len(valid)
        tally.share = mean
        tally.fraction = (mean - scale.low) / (scale.high - scale.low)
        tally.observed = f"{len(valid)} 个评分，平均 {mean:.2f}"
        tally.figures = (f"{len(valid)} 个评分，平均 {mean:.2f}（量表 {scale.low:g}–{scale.high:g}）"
                         f" → ({mean:.2f}−{scale.low:g})/({scale.high:g}−{scale.low:g}) = {_pct(tally.fraction)}")


def _drop_unused(tally: _Tally, obs: list[Obs], valid: list[Obs], reason: str) -> None:
    """Records used only through values the rule cannot read move to ``left`` with ``reason``."""
    keep = {o.record for o in valid}
    for record in dict.fromkeys(o.record for o in obs):
        if record not in keep:
            tally.used.remove(record)
            value = next(o.value for o in obs if o.record == record)
            tally.left.append(left_out(record, reason, value=value))


def _penalty(rule: Rule, views: list, instruments, leaf: str, tally: _Tally, points: float) -> None:
    cond: Condition = rule.get("where")
    (obs,) = _collect(views, _resolved(rule, [cond.field], instruments), leaf, tally)
    tally.n = len(obs)
    flags = held(cond, [o[2] for o in obs])
    events = sum(flags)
    tally.columns = _met_columns([obs], [flags])
    each, cap = rule.get("each"), rule.get("max", points)
    deduction = min(cap, min(points, events * each))
    if tally.n:
        tally.fraction = (points - deduction) / points if points else 0.0
        tally.share = float(events)
        tally.observed = f"{tally.n} 次观察中 {events} 次，扣 {deduction:g} 分"
        tally.figures = (f"{tally.n} 次观察中 {events} 次「{condition_zh(cond, instruments)}」，每次扣 {each:g} 分"
                         f"（最多扣 {min(cap, points):g}）：{points:g} − {deduction:g} = {points - deduction:g}")


def _item_mark(index: int) -> str:
    """The circled number of a checklist item, as :func:`evalkit.scoring.describe.describe_rule` numbers them."""
    return "①②③④⑤⑥⑦⑧⑨⑩"[index] if index < 10 else f"{index + 1}."


def _level_names(rule: Rule, instruments: Mapping[str, Instrument]) -> dict[str, str]:
    """Rubric level codes → their choice labels in the (first) rated field's list."""
    fields = _field_list(rule)
    found = resolve(fields[0], instruments) if fields and isinstance(fields[0], FieldRef) else None
    inst = instruments.get(fields[0].instrument) if found is not None else None
    options = inst.choices.get(found.field.list_name, ()) if inst is not None else ()
    return {o.name: o.label or o.name for o in options}


_KINDS = {"rate": None, "checklist": _checklist, "rubric": _rubric, "mean": _mean}


def instruments_of(rule: Rule) -> set[str]:
    return {ref.instrument for ref in rule.fields()}


def tally_rule(rule: Rule, ind: Indicator, views: list, instruments: Mapping[str, Instrument]) -> _Tally:
    """The tally of admitted records for one rule (manual rules are handled by :func:`score_leaf`)."""
    tally = _Tally()
    if rule.kind == "rate":
        (_rate_where if rule.has("where") else _rate_num_den)(rule, views, instruments, ind.code, tally)
    elif rule.kind == "penalty":
        _penalty(rule, views, instruments, ind.code, tally, ind.points or 0.0)
    elif rule.kind in _KINDS:
        _KINDS[rule.kind](rule, views, instruments, ind.code, tally)
    if tally.fraction is None and tally.share is not None:
        tally.fraction = share_to_fraction(rule, tally.share)
    if rule.kind in ("rate", "checklist") and tally.share is not None:
        if rule.has("full") or rule.has("bands"):
            tally.figures += f"；{thresholds_zh(rule)} → 得分比例 {_pct(tally.fraction or 0)}"
        if tally.sampled and tally.x is not None and 0 < tally.n and tally.x <= tally.n:
            low, high = _wilson(int(tally.x), int(tally.n))
            tally.figures += f"；比例的 95 % 置信区间 {_pct(low)}–{_pct(high)}（Wilson）"
    return tally


def _interval(rule: Rule, tally: _Tally, points: float) -> tuple[tuple | None, tuple | None]:
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
    points = ind.points or 0.0
    base = dict(unit=unit, indicator=ind.code, name=ind.name, points=points, rule=rule.text if rule else ind.rule,
                kind=rule.kind if rule else "")
    if rule is None or rule.kind == "manual":
        got = manual_outcome(ind, rule, unit, manual)
        if got.points is None:
            return LeafScore(score=None, status=got.status, figures=got.figures, observed=got.figures, **base), None
        fraction = got.points / points if points else 0.0
        return LeafScore(score=got.points, status="scored", figures=got.figures, observed=got.figures, n=1,
                         fraction=fraction,
                         records=tuple(got.entry.evidence), justification=got.entry.justification, **base), None
    admitted_views, left = admitted_pool(views, unit, instruments_of(rule), include_received)
    found = tally_rule(rule, ind, admitted_views, instruments)
    found.left = left + found.left
    return _finish(rule, found, points, base), found.sample()


def _finish(rule: Rule, tally: _Tally, points: float, base: dict) -> LeafScore:
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
