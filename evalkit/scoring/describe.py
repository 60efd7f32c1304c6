"""Rules in plain Chinese, made from their parts: what the reports going to the government show.

A rule such as ``checklist(items=[site_visit.leader_on_duty = 'yes'])`` is written for the
tool; the government reads 「政务大厅调研：调研时有单位负责同志在大厅带班或值守（是）；按符合
项数占核查项数的比例得分」.  Fields become their labels in the instrument, choice codes their
choice labels, operators words or ``≤ ≥``, thresholds 「≥ 95 % 得满分，≤ 60 % 不得分，其间按比例」.
A field or choice the instruments do not have is shown as written, so a description is never
wrong, only less polished.

:func:`describe_rule` describes a whole rule (the 评分规则 column of the reports);
:func:`condition_zh` and :func:`field_zh` describe its parts (the 计分依据 trace of
:mod:`evalkit.scoring.leaves` uses them).
"""

from __future__ import annotations

from collections.abc import Mapping

from evalkit.forms import Instrument
from evalkit.scoring.evidence import resolve
from evalkit.scoring.rules import Condition, FieldRef, Rule, RuleSyntaxError, Span, parse_rule

OPERATORS_ZH = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
LEDGER_ZH = "按任务台账计分：截止日期前完成（销账）得该任务分值，否则不得分"
MANUAL_ZH = "由评估组长人工评分{limit}，须写明理由"


def pct(value: float) -> str:
    """A share as 「95 %」 (「92.5 %」 when it is not a whole percent)."""
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + " %"


def _label(ref: FieldRef, instruments: Mapping[str, Instrument]) -> tuple[str, object]:
    """The field's label (or its name as written) and its resolved field (None when unknown)."""
    found = resolve(ref, instruments)
    if found is None:
        return str(ref), None
    label = (found.field.label or ref.name).strip().rstrip("：:？?")
    return label, found.field


def field_zh(ref: FieldRef, instruments: Mapping[str, Instrument], *, prefix: bool = False) -> str:
    """「抽查的办事指南份数」; with ``prefix``, 「政务大厅调研：抽查的办事指南份数」."""
    label, _ = _label(ref, instruments)
    return f"{instrument_zh(ref.instrument, instruments)}：{label}" if prefix else label


def instrument_zh(instrument: str, instruments: Mapping[str, Instrument]) -> str:
    inst = instruments.get(instrument)
    return inst.title if inst is not None and inst.title else instrument


def _choice(value: object, field, ref: FieldRef, instruments: Mapping[str, Instrument]) -> str:
    inst = instruments.get(ref.instrument)
    options = inst.choices.get(field.list_name, ()) if inst is not None and field is not None else ()
    for option in options:
        if option.name == str(value):
            return option.label or option.name
    return str(value)


def condition_zh(cond: Condition, instruments: Mapping[str, Instrument], *, prefix: bool = False) -> str:
    """A condition in words: 「调研时有单位负责同志在大厅带班或值守（是）」, 「实测等候时间（分钟）≤ 30」,
    「公开方式（在本单位门户网站公开或在政务大厅公示）」, 「网上咨询渠道（不含「没有网上咨询渠道」）」."""
    label, field = _label(cond.field, instruments)
    head = f"{instrument_zh(cond.field.instrument, instruments)}：{label}" if prefix else label
    multiple = field is not None and str(field.type).startswith(("select_multiple", "select_all_that_apply"))
    if cond.op in OPERATORS_ZH:
        value = f"{cond.value:g}" if isinstance(cond.value, float) else str(cond.value)
        return f"{head} {OPERATORS_ZH[cond.op]} {value}"
    if cond.op == "in":
        names = [_choice(v, field, cond.field, instruments) for v in cond.value]
        listed = "、".join(names[:-1]) + "或" + names[-1] if len(names) > 1 else "".join(names)
        return f"{head}（{'含' if multiple else ''}{listed}{'之一' if multiple and len(names) > 1 else ''}）"
    if isinstance(cond.value, float):
        return f"{head} {'=' if cond.op == '=' else '≠'} {cond.value:g}"
    name = _choice(cond.value, field, cond.field, instruments)
    if cond.op == "=":
        return f"{head}（含「{name}」）" if multiple else f"{head}（{name}）"
    return f"{head}（不含「{name}」）" if multiple else f"{head}（不是「{name}」）"


def thresholds_zh(rule: Rule) -> str:
    """How the share becomes points, in plain words: 「≥ 95 % 得满分，≤ 60 % 不得分，其间按比例」."""
    if rule.has("bands"):
        spans = sorted(((k, v) for k, v in rule.get("bands") if isinstance(k, Span)), key=lambda kv: -kv[0].low)
        parts = []
        for index, (span, value) in enumerate(spans):
            got = "得满分" if value >= 1 else "不得分" if value <= 0 else f"得 {pct(value)}"
            if index == 0 and span.high >= 1:
                parts.append(f"≥ {pct(span.low)} {got}")
            elif span.low <= 0:
                parts.append(f"< {pct(span.high)} {got}")
            else:
                parts.append(f"{pct(span.low)}–{pct(span.high)} {got}")
        return "按比例分档：" + "；".join(parts)
    full, zero = rule.get("full"), rule.get("zero")
    if isinstance(full, float) and isinstance(zero, float):
        if full > zero:
            return f"≥ {pct(full)} 得满分，≤ {pct(zero)} 不得分，其间按比例"
        return f"≤ {pct(full)} 得满分，≥ {pct(zero)} 不得分，其间按比例"
    return "按比例得分"


def _evidence_rule(rule: Rule) -> str:
    parts = []
    if rule.min_n > 1:
        parts.append(f"至少 {rule.min_n} 个样本")
    if rule.has("insufficient") or rule.min_n > 1:
        parts.append({"none": "不足时不计分（总分待定）", "zero": "不足时计 0 分",
                      "flag": "不足时按现有证据计分并标注"}[rule.insufficient])
    if rule.get("sampled") == "no":
        parts.append("全数核查，不计抽样误差")
    return "（" + "，".join(parts) + "）" if parts else ""


def _instruments_of(refs: list[FieldRef], instruments: Mapping[str, Instrument]) -> str:
    return "、".join(dict.fromkeys(instrument_zh(r.instrument, instruments) for r in refs))


def _levels(rule: Rule, instruments: Mapping[str, Instrument]) -> str:
    fields = rule.get("field")
    ref = (fields[0] if isinstance(fields, tuple) and fields else fields) if fields else None
    _, field = _label(ref, instruments) if isinstance(ref, FieldRef) else ("", None)
    shown = [f"{_choice(k, field, ref, instruments) if ref else k} {pct(v)}" for k, v in rule.levels().items()]
    return "、".join(shown)


def _body(rule: Rule, instruments: Mapping[str, Instrument]) -> str:
    kind = rule.kind
    if kind == "rate" and rule.has("where"):
        cond = condition_zh(rule.get("where"), instruments, prefix=True)
        return f"{cond}{' ' if cond[-1:].isdigit() else ''}的比例；{thresholds_zh(rule)}"
    if kind == "rate":
        num, den = rule.get("num"), rule.get("den")
        same = num.instrument == den.instrument
        return (f"{field_zh(num, instruments, prefix=True)} ÷ {field_zh(den, instruments, prefix=not same)}；"
                f"{thresholds_zh(rule)}")
    if kind == "checklist":
        items = "；".join(f"{'①②③④⑤⑥⑦⑧⑨⑩'[i] if i < 10 else str(i + 1) + '.'} "
                         f"{condition_zh(c, instruments, prefix=True)}" for i, c in enumerate(rule.get("items")))
        how = thresholds_zh(rule) if rule.has("full") or rule.has("bands") else "按符合项数占核查项数的比例得分"
        return f"逐项核查：{items}。{how}"
    if kind == "rubric":
        fields = rule.get("field")
        refs = list(fields) if isinstance(fields, tuple) else [fields]
        return (f"{_instruments_of(refs, instruments)}对本指标的评议（{field_zh(refs[0], instruments)}），"
                f"按平均达标程度得分：{_levels(rule, instruments)}")
    if kind == "mean":
        fields = rule.get("field")
        refs = list(fields) if isinstance(fields, tuple) else [fields]
        scale = rule.get("scale")
        return (f"{_instruments_of(refs, instruments)}：{field_zh(refs[0], instruments)}的平均分，"
                f"{scale.low:g} 分不得分、{scale.high:g} 分得满分，其间按比例")
    if kind == "penalty":
        most = f"，最多扣 {rule.get('max'):g} 分" if rule.has("max") else "，扣完为止"
        return f"{condition_zh(rule.get('where'), instruments, prefix=True)}：每出现一次扣 {rule.get('each'):g} 分{most}"
    if kind == "manual":
        return MANUAL_ZH.format(limit=f"（最高 {rule.get('max'):g} 分）" if rule.has("max") else "")
    return rule.text


def describe_rule(text: str, instruments: Mapping[str, Instrument]) -> str:
    """A 「评分规则」 cell in plain Chinese; a rule that cannot be read is shown as written with a note."""
    word = (text or "").strip()
    if not word:
        return "未设置评分规则"
    if word in ("台账", "ledger", "ledger()"):
        return LEDGER_ZH
    if word in ("人工", "人工评分"):
        return MANUAL_ZH.format(limit="")
    try:
        rule = parse_rule(word)
        return _body(rule, instruments) + _evidence_rule(rule)
    except (RuleSyntaxError, AttributeError, TypeError, KeyError, IndexError):
        return f"{word}（规则有误，见问题清单）"
