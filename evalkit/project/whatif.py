"""What-if evaluations in memory: the project scored with changed thresholds, points, rules,
grade cut-offs or adjustments, and nothing written.

``evaluate(project, overrides=...)`` (:mod:`evalkit.project.evaluate`) takes an :class:`Overrides`,
or a plain mapping with the same keys, and scores changed copies of the inputs the project has
already read (the files are never read again, never written):

* ``thresholds`` ``{leaf: {parameter: value}}`` — one parameter of a leaf's 评分规则 changed, e.g.
  the 即办率 rule's full-points threshold from 95 % to 90 %: ``{"2.2.1": {"full": 0.9}}`` (``"90%"``
  and any value in the rule language — a condition, a band map — are accepted too);
* ``rules`` ``{leaf: "rule text"}`` — a leaf's whole rule replaced (docs/rules.md);
* ``points`` ``{indicator: points}`` — the framework's weights (分值).  A parent given without its
  children spreads its new points over them in their present proportions (``{"1": 50, "2": 50}``);
  the result must still add up as the framework check requires;
* ``grades`` ``{category or "*": {grade: lower bound}}`` — grade cut-offs, e.g.
  ``{"*": {"优秀": 85, "良好": 75, "达标": 60, "不达标": None}}``; the lowest grade takes every
  score below the next one;
* ``category_weights`` ``{category: weight}`` — the performance weights (绩效权重, seed 002 第七条);
* ``events`` / ``drop_events`` — adjustments (加减分事项) added, or replaced by their 编号, and removed;
* ``manual`` / ``drop_manual`` — manual scores added or replaced (per unit and indicator), and
  removed (``(unit, indicator)`` pairs);
* ``include_received`` — count records not reviewed yet;
* ``rank_provisional`` — rank and grade units whose total is provisional (待定), marked as such.

Every override is checked before scoring: an unknown key, indicator, unit or category (with a
did-you-mean), a parameter the rule does not take, a rule that does not parse, points that no
longer add up raise :class:`OverrideError` with a Chinese message naming it — a what-if that
silently did nothing would be compared with the real scores as if it had.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

from evalkit.config import UnitList
from evalkit.forms import Instrument
from evalkit.framework import POINTS_PER_UNIT, Framework, check_framework
from evalkit.problems import Problem, did_you_mean
from evalkit.scoring import (
    Condition,
    Event,
    FieldRef,
    GradeBand,
    ManualScore,
    RuleSyntaxError,
    ScoringSettings,
    Span,
    parse_rule,
    validate_rules,
)


class OverrideError(ValueError):
    """An override that cannot be applied; the message (Chinese) names it and says how to fix it."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Overrides:
    """What a what-if changes (see the module docstring); every part empty by default."""

    thresholds: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    rules: Mapping[str, str] = field(default_factory=dict)
    points: Mapping[str, float] = field(default_factory=dict)
    grades: Mapping[str, object] = field(default_factory=dict)
    category_weights: Mapping[str, float] = field(default_factory=dict)
    events: Sequence[Event] = ()
    drop_events: Sequence[str] = ()
    manual: Sequence[ManualScore] = ()
    drop_manual: Sequence[tuple[str, str]] = ()
    include_received: bool | None = None
    rank_provisional: bool | None = None

    @classmethod
    def of(cls, value: Overrides | Mapping | None) -> Overrides:
        """An :class:`Overrides` from itself, a mapping with its keys, or None (nothing changed)."""
        if value is None:
            return cls()
        if isinstance(value, Overrides):
            return value
        if not isinstance(value, Mapping):
            raise OverrideError(f"overrides 应为字典或 Overrides，实际为 {type(value).__name__}。")
        known = [f.name for f in fields(cls)]
        for key in value:
            if key not in known:
                raise OverrideError(f"不认识的调整项「{key}」{did_you_mean(key, known) or '。'}可用的有：{'、'.join(known)}。")
        data = dict(value)
        data["events"] = tuple(_event(e) for e in data.get("events", ()))
        data["manual"] = tuple(_manual(m) for m in data.get("manual", ()))
        data["drop_events"] = tuple(str(e) for e in data.get("drop_events", ()))
        data["drop_manual"] = tuple(tuple(map(str, m)) for m in data.get("drop_manual", ()))
        return cls(**data)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) not in (None, (), {}) for f in fields(self))

    def describe(self) -> list[str]:
        """One Chinese line per change (for tables and chart titles)."""
        lines = [f"指标 {c} 规则参数 {k} = {_value_text(_value(v))}" for c, ps in self.thresholds.items()
                 for k, v in ps.items()]
        lines += [f"指标 {c} 规则改为 {r}" for c, r in self.rules.items()]
        lines += [f"指标 {c} 分值改为 {p:g}" for c, p in self.points.items()]
        lines += [f"类别 {c} 等级分档改为 {g}" for c, g in self.grades.items()]
        lines += [f"类别 {c} 绩效权重改为 {w:g}" for c, w in self.category_weights.items()]
        lines += [f"加减分事项 {e.id}（{e.unit}，{e.kind}）" for e in self.events]
        lines += [f"去掉加减分事项 {e}" for e in self.drop_events]
        lines += [f"人工评分 {m.unit} {m.indicator} = {m.points:g}" for m in self.manual]
        lines += [f"去掉人工评分 {u} {i}" for u, i in self.drop_manual]
        if self.include_received is not None:
            lines.append("已接收未审核的记录" + ("也计入" if self.include_received else "不计入"))
        if self.rank_provisional is not None:
            lines.append("总分待定的单位" + ("也排名、定等级（标「待定」）" if self.rank_provisional else "不排名"))
        return lines


def _event(value: Event | Mapping) -> Event:
    if isinstance(value, Event):
        return value
    try:
        return Event(**{"evidence": "（假设）", **dict(value)})
    except TypeError as exc:
        raise OverrideError(f"加减分事项 {dict(value)!r} 写法不对（{exc}）：应有 id、unit、kind、evidence，"
                            "创新加分另有 points。") from None


def _manual(value: ManualScore | Mapping) -> ManualScore:
    if isinstance(value, ManualScore):
        return value
    try:
        return ManualScore(**{"justification": "（假设）", **dict(value)})
    except TypeError as exc:
        raise OverrideError(f"人工评分 {dict(value)!r} 写法不对（{exc}）：应有 unit、indicator、points、justification。") from None


# ---------------------------------------------------------------- rule values and text


def _value(value: object) -> object:
    """A threshold as the rule language holds it: numbers as floats, ``"90%"`` and rule text parsed."""
    if isinstance(value, bool):
        raise OverrideError(f"参数值 {value} 无效：请写数字（如 0.9 或 \"90%\"）或规则中的写法。")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return parse_rule(f"x(v={value})").get("v")
        except RuleSyntaxError as exc:
            raise OverrideError(f"参数值「{value}」无法解析：{exc}。写法见 docs/rules.md。") from None
    return value


def _number_text(value: float) -> str:
    if not math.isfinite(value):
        raise OverrideError(f"参数值 {value} 不是有限的数。")
    return f"{value:.12f}".rstrip("0").rstrip(".") or "0"


def _value_text(value: object) -> str:
    """A parsed rule value written back in the rule language (it parses to the same value)."""
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, str):
        return f"'{value}'" if "'" not in value else f'"{value}"'
    if isinstance(value, (FieldRef, Condition)):
        return str(value)
    if isinstance(value, Span):
        return f"{_number_text(value.low)}..{_number_text(value.high)}"
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return "{" + ", ".join(f"{_value_text(k)}: {_value_text(v)}" for k, v in value) + "}"
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return str(value)


def rule_with(text: str, changes: Mapping[str, object]) -> str:
    """The rule ``text`` with some parameters set (added when the rule does not have them yet)."""
    rule = parse_rule(text)
    params = dict(rule.params)
    for key, value in changes.items():
        params[key] = _value(value)
    return f"{rule.kind}(" + ", ".join(f"{k}={_value_text(v)}" for k, v in params.items()) + ")"


# ---------------------------------------------------------------- the framework


def _known(code: str, fw: Framework, what: str = "指标") -> None:
    if fw.get(code) is None:
        raise OverrideError(f"框架 {fw.id} 中没有{what}「{code}」{did_you_mean(code, sorted(fw.codes())) or '。'}")


def _leaf(code: str, fw: Framework) -> None:
    _known(code, fw)
    if not fw.is_leaf(code):
        kids = "、".join(k.code for k in fw.children(code))
        raise OverrideError(f"指标 {code} 有下级指标（{kids}）：评分规则写在末级指标上，请改末级指标的规则。")


def _with_rules(fw: Framework, ov: Overrides) -> Framework:
    for code, changes in ov.thresholds.items():
        _leaf(code, fw)
        ind = fw.get(code)
        if not ind.rule:
            raise OverrideError(f"指标 {code} 没有评分规则，无法只改其参数：请用 rules 给出整条规则。")
        try:
            fw = fw.replace_indicator(replace(ind, rule=rule_with(ind.rule, changes)))
        except RuleSyntaxError as exc:
            raise OverrideError(f"指标 {code} 原有的评分规则无法解析（{exc}）：请先改正框架，或用 rules 给出整条规则。") from None
    for code, text in ov.rules.items():
        _leaf(code, fw)
        fw = fw.replace_indicator(replace(fw.get(code), rule=str(text)))
    return fw


def _with_points(fw: Framework, points: Mapping[str, float]) -> Framework:
    if not points:
        return fw
    if fw.points_mode == POINTS_PER_UNIT:
        raise OverrideError(f"框架 {fw.id} 按单位计分：各任务的分值来自各单位的任务分解表，不能在这里改分值。")
    new: dict[str, float] = {}
    for code, value in points.items():
        _known(code, fw)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise OverrideError(f"指标 {code} 的分值 {value!r} 无效：应为不小于 0 的数字。")
        new[code] = float(value)
    for code in sorted(new, key=lambda c: c.count(".")):
        if any(fw.get(c).parent_code == code for c in points):
            continue
        if fw.children(code) and not fw.get(code).points:
            raise OverrideError(f"指标 {code} 原分值为 0 或空，无法按比例分给下级：请同时给出各下级指标的分值。")
        _spread(fw, code, new[code], points, new)
    changed = fw
    for code, value in new.items():
        changed = changed.replace_indicator(replace(changed.get(code), points=value))
    before = {(p.code, p.indicator) for p in check_framework(fw)[1]}
    broken = [p for p in check_framework(changed)[1] if p.is_error and (p.code, p.indicator) not in before]
    if broken:
        raise OverrideError("改动后的分值不一致：" + "；".join(p.message for p in broken), broken)
    return changed


def _spread(fw: Framework, code: str, value: float, given: Mapping[str, float], new: dict[str, float]) -> None:
    """A parent's new points over its children in their present proportions (the last child takes what
    rounding leaves, so the sum is exact), and on down; children given explicitly are left alone."""
    kids = [k for k in fw.children(code) if k.points is not None]
    old = sum(k.points for k in kids)
    if not kids or not old or any(k.code in given for k in kids):
        return
    shares = [k.points * value / old for k in kids[:-1]]
    for kid, share in zip(kids, [*shares, value - sum(shares)]):
        new[kid.code] = share
        _spread(fw, kid.code, share, given, new)


def _checked_rules(before: Framework, after: Framework, instruments: Mapping[str, Instrument],
                   codes: Iterable[str]) -> None:
    codes = set(codes)
    if not codes:
        return
    old = {(p.code, p.indicator) for p in validate_rules(before, instruments)}
    broken = [p for p in validate_rules(after, instruments)
              if p.is_error and p.indicator in codes and (p.code, p.indicator) not in old]
    if broken:
        raise OverrideError("改动后的评分规则有错误：" + "；".join(p.message for p in broken), broken)


def what_if_framework(fw: Framework, ov: Overrides, instruments: Mapping[str, Instrument]) -> Framework:
    """The framework with the overrides' rules, thresholds and points (checked)."""
    changed = _with_points(_with_rules(fw, ov), ov.points)
    _checked_rules(fw, changed, instruments, [*ov.thresholds, *ov.rules])
    return changed


# ---------------------------------------------------------------- units, grades and adjustments


def _with_weights(units: UnitList, weights: Mapping[str, float]) -> UnitList:
    ids = [c.id for c in units.categories]
    for category, weight in weights.items():
        if category not in ids:
            raise OverrideError(f"单位名单中没有类别「{category}」{did_you_mean(category, ids) or '。'}类别有：{'、'.join(ids)}。")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight >= 0:
            raise OverrideError(f"类别 {category} 的绩效权重 {weight!r} 无效：应为不小于 0 的数字。")
    cats = tuple(replace(c, weight=float(weights[c.id])) if c.id in weights else c for c in units.categories)
    return replace(units, categories=cats)


def grade_bands(cutoffs: object, category: str = "*") -> tuple[GradeBand, ...]:
    """Grade bands from ``{grade: lower bound}`` (highest first after sorting; the lowest grade open below),
    or bands given as :class:`~evalkit.scoring.GradeBand` already."""
    if isinstance(cutoffs, Sequence) and not isinstance(cutoffs, str) and all(isinstance(b, GradeBand) for b in cutoffs):
        return tuple(cutoffs)
    if not isinstance(cutoffs, Mapping) or not cutoffs:
        raise OverrideError(f"类别 {category} 的等级分档应写成 {{等级: 下限}}，如 {{\"优秀\": 85, \"良好\": 75, "
                            "\"达标\": 60, \"不达标\": None}}。")
    bounded = [(g, b) for g, b in cutoffs.items() if b is not None]
    for grade, bound in bounded:
        if isinstance(bound, bool) or not isinstance(bound, (int, float)):
            raise OverrideError(f"类别 {category} 等级「{grade}」的下限 {bound!r} 不是数字。")
    ordered = sorted(bounded, key=lambda gb: -gb[1]) + [(g, None) for g, b in cutoffs.items() if b is None]
    bands, high = [], None
    for i, (grade, low) in enumerate(ordered):
        last = i == len(ordered) - 1
        bands.append(GradeBand(grade, None if last else float(low), high))
        high = None if low is None else float(low)
    return tuple(bands)


def _with_events(events: Sequence[Event], ov: Overrides, units: UnitList) -> list[Event]:
    ids = {e.id for e in events}
    for dropped in ov.drop_events:
        if dropped not in ids:
            raise OverrideError(f"没有编号为「{dropped}」的加减分事项{did_you_mean(dropped, sorted(ids)) or '。'}")
    for e in ov.events:
        _unit(e.unit, units, f"加减分事项 {e.id}")
    replaced = {e.id: e for e in ov.events}
    kept = [replaced.pop(e.id, e) for e in events if e.id not in ov.drop_events]
    return kept + list(replaced.values())


def _with_manual(manual: Sequence[ManualScore], ov: Overrides, units: UnitList, fw: Framework) -> list[ManualScore]:
    have = {(m.unit, m.indicator) for m in manual}
    for pair in ov.drop_manual:
        if tuple(pair) not in have:
            raise OverrideError(f"没有单位 {pair[0]} 指标 {pair[1]} 的人工评分可去掉。")
    for m in ov.manual:
        _unit(m.unit, units, f"人工评分 {m.indicator}")
        _leaf(m.indicator, fw)
        limit = fw.get(m.indicator).points or 0.0
        if not 0 <= m.points <= limit:
            raise OverrideError(f"单位 {m.unit} 指标 {m.indicator} 的人工评分 {m.points:g} 不在 0 到 {limit:g} 之间。")
    new = {(m.unit, m.indicator): m for m in ov.manual}
    dropped = {tuple(p) for p in ov.drop_manual}
    kept = [new.pop((m.unit, m.indicator), m) for m in manual if (m.unit, m.indicator) not in dropped]
    return kept + list(new.values())


def _unit(unit_id: str, units: UnitList, what: str) -> None:
    if units.get(unit_id) is None:
        close = did_you_mean(unit_id, [u.id for u in units.units])
        raise OverrideError(f"{what} 的单位「{unit_id}」不在单位名单中{close or '。'}")


@dataclass(frozen=True)
class WhatIfInputs:
    """The inputs of one what-if: what :func:`evalkit.scoring.score` is given instead of the project's."""

    framework: Framework
    units: UnitList
    events: tuple[Event, ...]
    manual: tuple[ManualScore, ...]
    settings: ScoringSettings


def what_if_inputs(ov: Overrides, fw: Framework, units: UnitList, events: Sequence[Event],
                   manual: Sequence[ManualScore], settings: ScoringSettings,
                   instruments: Mapping[str, Instrument]) -> WhatIfInputs:
    """The project's inputs with the overrides applied, each checked (:class:`OverrideError`)."""
    changed = what_if_framework(fw, ov, instruments)
    cats = [c.id for c in units.categories]
    bands = dict(settings.grade_bands)
    for category, cutoffs in ov.grades.items():
        if category != "*" and category not in cats:
            raise OverrideError(f"单位名单中没有类别「{category}」{did_you_mean(category, cats) or '。'}"
                                "用 \"*\" 表示所有类别。")
        bands[category] = grade_bands(cutoffs, category)
    if ov.include_received is not None:
        settings = replace(settings, include_received=bool(ov.include_received))
    if ov.rank_provisional is not None:
        settings = replace(settings, rank_provisional=bool(ov.rank_provisional))
    return WhatIfInputs(changed, _with_weights(units, ov.category_weights), tuple(_with_events(events, ov, units)),
                        tuple(_with_manual(manual, ov, units, changed)), replace(settings, grade_bands=bands))
