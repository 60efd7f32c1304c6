"""Validation of the 「评分规则」 column against the framework and the instruments.

:func:`validate_rules` is the hook project validation calls
(``validate_rules(framework, instruments)``).  Every problem carries the
indicator code and the framework cell (file, sheet 指标, row, column 评分规则),
and all rules are checked in one pass: syntax, unknown rule kinds, missing or
unknown parameters, fields no instrument has, thresholds above 100 %,
overlapping or gapped bands, a manual maximum above the indicator's points.
"""

from __future__ import annotations

from collections.abc import Mapping

from evalkit.forms import ANY_INDICATOR, Instrument
from evalkit.framework import Framework, Indicator
from evalkit.problems import Problem, did_you_mean, problem
from evalkit.scoring.evidence import field_names, resolve
from evalkit.scoring.problems import (
    RULE_BANDS_GAP,
    RULE_BANDS_OVERLAP,
    RULE_FIELD_OTHER_INDICATOR,
    RULE_FIELD_UNKNOWN,
    RULE_INSTRUMENT_UNKNOWN,
    RULE_MANUAL_ABOVE_MAX,
    RULE_ON_PARENT,
    RULE_PARAM_INVALID,
    RULE_PARAM_MISSING,
    RULE_PARAM_UNKNOWN,
    RULE_SYNTAX,
    RULE_THRESHOLD_ABOVE_100,
    RULE_THRESHOLDS_EQUAL,
    RULE_UNKNOWN,
)
from evalkit.scoring.rules import (
    COMMON,
    INSUFFICIENT,
    KINDS,
    SIGNATURES,
    Condition,
    FieldRef,
    Rule,
    RuleSyntaxError,
    Span,
    parse_rule,
)

LEDGER_RULE_WORDS = ("台账", "ledger", "ledger()")  # scored from the task ledger, see docs/ledger.md
MANUAL_RULE_WORDS = ("人工", "人工评分")              # short for manual()

USAGE = {
    "rate": "例如 rate(where=hotline_test.calls.calls_connected >= 1, full=95%, zero=60%) 或 "
            "rate(num=site_visit.cases_instant_done, den=site_visit.cases_instant, bands={90%..100%: 100%, 0%..90%: 50%})。",
    "checklist": "例如 checklist(items=[site_visit.leader_on_duty = 'yes', site_visit.leader_roster_public = 'yes'])。",
    "rubric": "例如 rubric(field=internal_interview.ratings.level)。",
    "mean": "例如 mean(field=expert_review.scores.score, scale=1..5)。",
    "penalty": "例如 penalty(where=mystery_visit.referred_elsewhere = 'yes', each=1)。",
    "manual": "例如 manual(max=10)。",
}


def _where(fw: Framework, ind: Indicator) -> dict:
    return {"file": fw.file, "sheet": fw.sheet or "指标", "row": ind.row, "column": fw.column("rule"),
            "indicator": ind.code}


def check_rule(rule_text: str, ind: Indicator, fw: Framework,
               instruments: Mapping[str, Instrument] | None) -> tuple[Rule | None, list[Problem]]:
    """Parse and check one leaf's rule; the rule is None when it cannot be used."""
    where = _where(fw, ind)
    word = (rule_text or "").strip()
    if word in LEDGER_RULE_WORDS:  # Jilin City's task leaves: scored from the unit's ledger (evalkit.ledger.ledger)
        return Rule("ledger", (), word), []
    if word in MANUAL_RULE_WORDS:
        rule_text = "manual()"
    try:
        rule = parse_rule(rule_text)
    except RuleSyntaxError as exc:
        return None, [problem(RULE_SYNTAX, value=rule_text, detail=str(exc), **where)]
    if rule.kind not in KINDS:
        hint = did_you_mean(rule.kind, KINDS)
        return None, [problem(RULE_UNKNOWN, value=rule.kind, hint=hint or "。", known="、".join(KINDS), **where)]
    problems = _params(rule, where) + _values(rule, ind, where)
    if instruments is not None:
        problems += _fields(rule, ind, instruments, where)
    return (None if any(p.is_error for p in problems) else rule), problems


def _params(rule: Rule, where: dict) -> list[Problem]:
    required, optional = SIGNATURES[rule.kind]
    given = {k for k, _ in rule.params}
    allowed = {p for group in required for p in group} | set(optional) | set(COMMON)
    if rule.kind in ("rate", "checklist"):
        allowed.add("sampled")
    problems = [problem(RULE_PARAM_UNKNOWN, value=k, kind=rule.kind, hint=did_you_mean(k, allowed) or "。",
                        known="、".join(sorted(allowed)), **where) for k, _ in rule.params if k not in allowed]
    if not any(set(group) <= given for group in required):
        best = min(required, key=lambda group: len(set(group) - given))
        missing = [p for p in best if p not in given]
        problems.append(problem(RULE_PARAM_MISSING, kind=rule.kind, missing="、".join(missing),
                                usage=USAGE[rule.kind], **where))
    return problems


def _invalid(param: str, value: object, fix: str, where: dict) -> Problem:
    return problem(RULE_PARAM_INVALID, param=param, value=value, fix=fix, **where)


def _values(rule: Rule, ind: Indicator, where: dict) -> list[Problem]:
    problems: list[Problem] = []
    for name in ("full", "zero"):
        value = rule.get(name)
        if rule.has(name) and not isinstance(value, float):
            problems.append(_invalid(name, value, "应为比例，如 70%。", where))
        elif isinstance(value, float) and not 0 <= value <= 1:
            problems.append(problem(RULE_THRESHOLD_ABOVE_100, param=name, value=f"{value:.0%}", **where))
    full, zero = rule.get("full"), rule.get("zero")
    if isinstance(full, float) and full == zero:
        problems.append(problem(RULE_THRESHOLDS_EQUAL, value=f"{full:.0%}", **where))
    if rule.has("bands"):
        problems += _bands(rule.get("bands"), where)
    problems += _common(rule, where)
    problems += _kind_values(rule, ind, where)
    return problems


def _common(rule: Rule, where: dict) -> list[Problem]:
    problems = []
    min_n = rule.get("min_n", 1)
    if not isinstance(min_n, float) and rule.has("min_n") or isinstance(min_n, float) and (min_n < 0 or min_n % 1):
        problems.append(_invalid("min_n", min_n, "应为 0 或正整数。", where))
    if rule.has("insufficient") and rule.get("insufficient") not in INSUFFICIENT:
        problems.append(_invalid("insufficient", rule.get("insufficient"), "应为 none、zero 或 flag。", where))
    if rule.has("sampled") and rule.get("sampled") not in ("yes", "no"):
        problems.append(_invalid("sampled", rule.get("sampled"), "应为 yes 或 no。", where))
    return problems


def _kind_values(rule: Rule, ind: Indicator, where: dict) -> list[Problem]:
    problems: list[Problem] = []
    conds = [rule.get("where")] if rule.has("where") else list(rule.get("items") or ()) if rule.kind == "checklist" else []
    for cond in conds:
        if not isinstance(cond, Condition):
            problems.append(_invalid("where" if rule.has("where") else "items", cond,
                                     "应为条件，如 site_visit.leader_on_duty = 'yes'。", where))
    for name in ("num", "den"):
        if rule.has(name) and not isinstance(rule.get(name), FieldRef):
            problems.append(_invalid(name, rule.get(name), "应为字段，如 site_visit.cases_instant。", where))
    if rule.has("field"):
        value = rule.get("field")
        items = value if isinstance(value, tuple) else (value,)
        if not items or not all(isinstance(v, FieldRef) for v in items):
            problems.append(_invalid("field", value, "应为字段或字段列表。", where))
    if rule.has("levels"):
        problems += _levels(rule.get("levels"), where)
    if rule.has("scale"):
        scale = rule.get("scale")
        if not isinstance(scale, Span) or scale.low >= scale.high:
            problems.append(_invalid("scale", scale, "应为范围，如 1..5（低分在前）。", where))
    for name in ("each", "max"):
        value = rule.get(name)
        if rule.has(name) and (not isinstance(value, float) or value < 0):
            problems.append(_invalid(name, value, "应为不小于 0 的分数。", where))
    if rule.kind == "manual" and isinstance(rule.get("max"), float) and ind.points is not None \
            and rule.get("max") > ind.points:
        problems.append(problem(RULE_MANUAL_ABOVE_MAX, value=f"{rule.get('max'):g}", points=f"{ind.points:g}", **where))
    return problems


def _levels(levels: object, where: dict) -> list[Problem]:
    if not isinstance(levels, tuple) or not levels or not all(isinstance(kv, tuple) for kv in levels):
        return [_invalid("levels", levels, "应为映射，如 {full: 100%, basic: 80%, partial: 50%, none: 0%}。", where)]
    bad = [f"{k}: {v}" for k, v in levels if not isinstance(v, float) or not 0 <= v <= 1]
    return [_invalid("levels", "、".join(bad), "每个等级的得分比例应在 0% 到 100% 之间。", where)] if bad else []


def _bands(bands: object, where: dict) -> list[Problem]:
    """Bands must be ``{low..high: share}`` covering 0 %–100 % without overlaps or gaps."""
    fix = "应为分档映射，如 {90%..100%: 100%, 60%..90%: 60%, 0%..60%: 0%}。"
    if not isinstance(bands, tuple) or not bands or not all(
            isinstance(kv, tuple) and isinstance(kv[0], Span) and isinstance(kv[1], float) for kv in bands):
        return [_invalid("bands", bands, fix, where)]
    problems = []
    for span, share in bands:
        for name, value in (("bands", span.low), ("bands", span.high), ("bands", share)):
            if not 0 <= value <= 1:
                problems.append(problem(RULE_THRESHOLD_ABOVE_100, param=name, value=f"{value:.0%}", **where))
        if span.low >= span.high:
            problems.append(_invalid("bands", f"{span.low:.0%}..{span.high:.0%}", "档的下限应小于上限。", where))
    spans = sorted((s for s, _ in bands), key=lambda s: (s.low, s.high))
    show = lambda s: f"{s.low:.0%}..{s.high:.0%}"  # noqa: E731
    reach = 0.0
    for prev, span in zip([None, *spans], spans):
        if prev is not None and span.low < prev.high:
            problems.append(problem(RULE_BANDS_OVERLAP, first=show(prev), second=show(span), **where))
        elif span.low > reach + 1e-9:
            problems.append(problem(RULE_BANDS_GAP, low=f"{reach:.0%}", high=f"{span.low:.0%}", **where))
        reach = max(reach, span.high)
    if reach < 1 - 1e-9:
        problems.append(problem(RULE_BANDS_GAP, low=f"{reach:.0%}", high="100%", **where))
    return problems


def _fields(rule: Rule, ind: Indicator, instruments: Mapping[str, Instrument], where: dict) -> list[Problem]:
    problems: list[Problem] = []
    for ref in rule.fields():
        inst = instruments.get(ref.instrument)
        if inst is None:
            problems.append(problem(RULE_INSTRUMENT_UNKNOWN, value=ref.instrument, known="、".join(sorted(instruments)),
                                    hint=did_you_mean(ref.instrument, instruments) or "。", **where))
            continue
        resolved = resolve(ref, instruments)
        if resolved is None:
            hint = did_you_mean(ref.name, field_names(inst))
            problems.append(problem(RULE_FIELD_UNKNOWN, value=str(ref), instrument=ref.instrument,
                                    hint=hint or "。", **where))
        elif resolved.field.indicators and ANY_INDICATOR not in resolved.field.indicators \
                and ind.code not in resolved.field.indicators:
            problems.append(problem(RULE_FIELD_OTHER_INDICATOR, value=str(ref),
                                    codes="、".join(resolved.field.indicators), **where))
    return problems


def validate_rules(framework: Framework, instruments: Mapping[str, Instrument] | None = None) -> list[Problem]:
    """Every problem of every rule in the framework (the hook for project validation).

    ``instruments`` maps instrument id → :class:`Instrument`; without it, fields are not checked.
    """
    problems: list[Problem] = []
    for ind in framework.indicators:
        if not ind.rule:
            continue
        if not framework.is_leaf(ind.code):
            problems.append(problem(RULE_ON_PARENT, **_where(framework, ind)))
            continue
        problems += check_rule(ind.rule, ind, framework, instruments)[1]
    return problems


def parsed_rules(framework: Framework, instruments: Mapping[str, Instrument] | None) -> dict[str, Rule]:
    """Leaf code → usable rule (leaves whose rule has an error are left out)."""
    rules: dict[str, Rule] = {}
    for ind in framework.leaves():
        if ind.rule:
            rule, _ = check_rule(ind.rule, ind, framework, instruments)
            if rule is not None:
                rules[ind.code] = rule
    return rules
