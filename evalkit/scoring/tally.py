"""A leaf's tally: what its rule counts in the unit's admitted records, before the rule's thresholds.

Each rule kind (see :mod:`evalkit.scoring.rules` and docs/rules.md) reduces the admitted records to a tally
(:func:`base_tally`): the evidence count ``n`` (rows for a rate, the denominator's sum for ``num``/``den``, checks
for a checklist, ratings for a rubric or mean, rows observed for a penalty), the observed share, the input figures
in plain Chinese (「为办成此事共跑了几次（含本次）≤ 1：17/20 = 85 %」: fields by their labels, choices by theirs,
:mod:`evalkit.scoring.describe`), the records used and left out, and its observations as a :class:`Sample` (record,
repeat row and the two numbers each adds to the share's numerator and denominator), so that the uncertainty of
the score can be worked out by resampling what was actually used (:mod:`evalkit.scoring.resampling`).

A tally reads no threshold of its rule (:data:`THRESHOLDS`: how a share maps to points, how much evidence is
enough): :mod:`evalkit.scoring.leaves` applies them, so a rerun can keep a tally and apply other thresholds
(:func:`tally_part`, :mod:`evalkit.scoring.reuse`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from evalkit.forms import Instrument
from evalkit.framework import Indicator
from evalkit.scoring.describe import condition_zh, field_zh, pct
from evalkit.scoring.evidence import LeftOut, Obs, Resolved, gather, held, left_out, number, resolve
from evalkit.scoring.rules import Condition, FieldRef, Rule


@dataclass(frozen=True)
class Sample:
    """A leaf's observations for resampling: per observation its record, repeat row (None outside a
    repeat) and what it adds to the share's numerator ``a`` and denominator ``b`` (share = Σa / Σb)."""

    records: tuple[str, ...]
    rows: tuple[int | None, ...]
    a: tuple[float, ...]
    b: tuple[float, ...]



@dataclass
class Tally:
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


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def _resolved(rule: Rule, refs: Sequence[FieldRef], instruments: Mapping[str, Instrument]) -> list[Resolved]:
    return [r for r in (resolve(ref, instruments) for ref in refs) if r is not None]


def _collect(views: list, fields: list[Resolved], leaf: str, tally: Tally) -> list[list[Obs]]:
    """Observations per field over the records; records without any go to ``left`` with the reason
    (:func:`evalkit.scoring.evidence.gather`)."""
    per_field, used, left = gather(views, fields, leaf)
    tally.used += used
    tally.left += left
    return per_field


def _rate_where(rule: Rule, views: list, instruments, leaf: str, tally: Tally) -> None:
    cond: Condition = rule.get("where")
    (obs,) = _collect(views, _resolved(rule, [cond.field], instruments), leaf, tally)
    flags = held(cond, [o[2] for o in obs])
    tally.columns = _met_columns([obs], [flags])
    tally.n, tally.x = len(obs), float(sum(flags))
    tally.sampled = rule.get("sampled", "yes") != "no"
    if tally.n:
        tally.share = tally.x / tally.n
        tally.figures = f"{condition_zh(cond, instruments)}：{tally.x:g}/{tally.n} = {percent(tally.share)}"
        tally.observed = f"符合 {tally.x:g} / 共 {tally.n}"


def _rate_num_den(rule: Rule, views: list, instruments, leaf: str, tally: Tally) -> None:
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
                         f"{x:g}/{n:g} = {percent(tally.share)}")
        tally.observed = f"{x:g} ÷ {n:g}"


def _checklist(rule: Rule, views: list, instruments, leaf: str, tally: Tally) -> None:
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
        tally.figures = f"{parts}；合计 {tally.x:g}/{tally.n} = {percent(tally.share)}"
        tally.observed = " ".join(f"{_item_mark(i)}{m}/{k}" for i, (m, k) in enumerate(zip(met, checked))) \
            + f"，合计 {tally.x:g}/{tally.n}"


def _field_list(rule: Rule) -> list[FieldRef]:
    value = rule.get("field")
    return list(value) if isinstance(value, tuple) else [value]


def _rubric(rule: Rule, views: list, instruments, leaf: str, tally: Tally) -> None:
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
        tally.figures = f"{len(valid)} 个评议：{shown}；平均 {percent(tally.share)}"
        tally.observed = f"{len(valid)} 个评议：" + "、".join(f"{names.get(k, k)} {counts[k]}" for k in levels if counts[k])


def _mean(rule: Rule, views: list, instruments, leaf: str, tally: Tally) -> None:
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
                         f" → ({mean:.2f}−{scale.low:g})/({scale.high:g}−{scale.low:g}) = {percent(tally.fraction)}")


def _drop_unused(tally: Tally, obs: list[Obs], valid: list[Obs], reason: str) -> None:
    """Records used only through values the rule cannot read move to ``left`` with ``reason``."""
    keep = {o.record for o in valid}
    for record in dict.fromkeys(o.record for o in obs):
        if record not in keep:
            tally.used.remove(record)
            value = next(o.value for o in obs if o.record == record)
            tally.left.append(left_out(record, reason, value=value))


def _penalty(rule: Rule, views: list, instruments, leaf: str, tally: Tally, points: float) -> None:
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


# what of a rule only maps a tally's share to its fraction of points, or decides whether the tally is enough
# (evalkit.scoring.leaves.thresholded and leaf_of_tally): never read by base_tally
THRESHOLDS = frozenset({"full", "zero", "bands", "min_n", "insufficient"})


def tally_part(ind: Indicator, rule: Rule | None) -> tuple:
    """All :func:`base_tally` (and the pool it is given) reads of a leaf's indicator and rule: its code, the rule's
    kind and parameters but :data:`THRESHOLDS`, and for a penalty the leaf's points (its deduction's cap)."""
    if rule is None:
        return (ind.code, None)
    params = tuple((k, v) for k, v in rule.params if k not in THRESHOLDS)
    return (ind.code, rule.kind, params, ind.points if rule.kind == "penalty" else None)


def base_tally(rule: Rule, ind: Indicator, views: list, instruments: Mapping[str, Instrument]) -> Tally:
    """The tally of admitted records for one rule before its thresholds (:func:`evalkit.scoring.leaves.thresholded`):
    what it counts, its share, figures and observations; it reads no parameter of :data:`THRESHOLDS`
    (:func:`tally_part`)."""
    tally = Tally()
    if rule.kind == "rate":
        (_rate_where if rule.has("where") else _rate_num_den)(rule, views, instruments, ind.code, tally)
    elif rule.kind == "penalty":
        _penalty(rule, views, instruments, ind.code, tally, ind.points or 0.0)
    elif rule.kind in _KINDS:
        _KINDS[rule.kind](rule, views, instruments, ind.code, tally)
    return tally


def kept_tally(tally: Tally | None) -> Tally | None:
    """A tally from :func:`base_tally` as a rerun keeps it (:mod:`evalkit.scoring.reuse`): without its observations,
    which only the draws read (and the kept shares stand for them)."""
    return None if tally is None else replace(tally, elements=[], columns=None)
