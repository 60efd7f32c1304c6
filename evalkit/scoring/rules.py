"""The rule language of the 「评分规则」 column: how evidence becomes points.

A rule is one call ``kind(name=value, ...)`` written in the framework cell of a
leaf indicator.  It is parsed by a small hand-written tokenizer and recursive
descent parser (never ``eval``); see ``docs/rules.md`` for the full reference.

Values::

    70%   0.7   4            numbers (``70%`` is 0.7)
    'yes'  "部分"            text
    site_visit.cases_total  a field: instrument id, then the field name
                            (optionally with its repeat: service_user_check.citizens.trips)
    site_visit.leader_on_duty = 'yes'     a condition: field, operator, value;
                            operators = != < <= > >= and ``in [..]``
    1..5   90%..100%        a range (low inclusive, high exclusive except the top)
    [a, b, c]               a list
    {full: 100%, basic: 80%}  a map (keys are words, text or ranges)

Rule kinds (each takes ``min_n`` – the least evidence to score, default 1 –
and ``insufficient`` = ``none`` (no score, the default) | ``zero`` | ``flag``
(score what there is, flagged) for when there is less)::

    rate(where=COND, full=70%, zero=30%)          share of answered rows meeting COND
    rate(num=FIELD, den=FIELD, bands={..})        sum of num / sum of den
    checklist(items=[COND, ...])                  items met among items checked
    rubric(field=FIELD|[FIELD..], levels={..})    mean level share (完全/基本/部分/未)
    mean(field=FIELD|[FIELD..], scale=1..5)       mean rating mapped linearly to points
    penalty(where=COND, each=1, max=4)            points minus ``each`` per event
    manual(max=4)                                 the lead evaluator's score with a justification

Scoring a share ``s``: with ``full`` and ``zero``, full points at ``s >= full``,
none at ``s <= zero``, linear between (``full < zero`` means lower is better);
with ``bands``, the share of points of the band that holds ``s``.
Validation against the framework and instruments is :func:`validate_rules` in
:mod:`evalkit.scoring.rule_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("rate", "checklist", "rubric", "mean", "penalty", "manual")
INSUFFICIENT = ("none", "zero", "flag")
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in")
DEFAULT_LEVELS = (("full", 1.0), ("basic", 0.8), ("partial", 0.5), ("none", 0.0))
COMMON = ("min_n", "insufficient")
# kind -> (required parameter sets: any one set complete is enough, optional parameters)
SIGNATURES: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {
    "rate": ((("where", "full", "zero"), ("where", "bands"), ("num", "den", "full", "zero"), ("num", "den", "bands")), ()),
    "checklist": ((("items",),), ("full", "zero", "bands")),
    "rubric": ((("field",),), ("levels",)),
    "mean": ((("field", "scale"),), ()),
    "penalty": ((("where", "each"),), ("max",)),
    "manual": (((),), ("max",)),
}


class RuleSyntaxError(ValueError):
    """A rule text that does not follow the grammar; ``pos`` is the character offset."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


@dataclass(frozen=True)
class FieldRef:
    """``instrument.field`` or ``instrument.repeat.field`` as written."""

    instrument: str
    path: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path[-1]

    def __str__(self) -> str:
        return ".".join((self.instrument, *self.path))


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``value`` is a number, text or (for ``in``) a tuple."""

    field: FieldRef
    op: str
    value: object

    def __str__(self) -> str:
        value = "[" + ", ".join(map(_show, self.value)) + "]" if self.op == "in" else _show(self.value)
        return f"{self.field} {self.op} {value}"


@dataclass(frozen=True)
class Span:
    """``low..high`` (a band of shares, a rating scale)."""

    low: float
    high: float


@dataclass(frozen=True)
class Rule:
    """A parsed rule: its kind, parameters in written order and its text."""

    kind: str
    params: tuple[tuple[str, object], ...]
    text: str

    def get(self, name: str, default: object = None) -> object:
        return next((v for k, v in self.params if k == name), default)

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self.params)

    @property
    def min_n(self) -> int:
        value = self.get("min_n", 1)
        return int(value) if isinstance(value, (int, float)) else 1

    @property
    def insufficient(self) -> str:
        value = self.get("insufficient", "none")
        return value if value in INSUFFICIENT else "none"

    def fields(self) -> list[FieldRef]:
        """Every field the rule reads, in order."""
        found: list[FieldRef] = []
        for _, value in self.params:
            _collect_fields(value, found)
        return found

    def levels(self) -> dict[str, float]:
        """Rubric levels → share of points (the default 完全/基本/部分/未 = 100/80/50/0 %)."""
        value = self.get("levels")
        return dict(value) if isinstance(value, tuple) else dict(DEFAULT_LEVELS)


def _collect_fields(value: object, found: list[FieldRef]) -> None:
    if isinstance(value, FieldRef):
        found.append(value)
    elif isinstance(value, Condition):
        found.append(value.field)
    elif isinstance(value, tuple):
        for item in value:
            _collect_fields(item[1] if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[0], FieldRef)
                            else item, found)


def _show(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- tokenizer

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?%?)
  | (?P<string>'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”)
  | (?P<range>\.\.)
  | (?P<op><=|>=|!=|==|=|<|>)
  | (?P<name>[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*(?:\.[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)*)
  | (?P<punct>[()\[\]{},:，：（）])
""", re.VERBOSE)
_FULLWIDTH = {"，": ",", "：": ":", "（": "(", "）": ")"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[_Tok]:
    """Tokens of a rule; full-width ，：（） are read as their ASCII forms."""
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise RuleSyntaxError(f"第 {pos + 1} 个字符「{text[pos]}」无法识别", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            tokens.append(_Tok(kind, _FULLWIDTH.get(word, word), pos))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------- parser

class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def take(self, kind: str, text: str | None = None) -> _Tok:
        tok = self.tok
        if tok.kind != kind or (text is not None and tok.text != text):
            want = f"「{text}」" if text else {"name": "名称", "number": "数字"}.get(kind, kind)
            found = f"「{tok.text}」" if tok.text else "规则结尾"
            raise RuleSyntaxError(f"第 {tok.pos + 1} 个字符处应为{want}，实际为{found}", tok.pos)
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def rule(self) -> Rule:
        name = self.take("name")
        self.take("punct", "(")
        params: list[tuple[str, object]] = []
        while not self.at("punct", ")"):
            key = self.take("name")
            if any(k == key.text for k, _ in params):
                raise RuleSyntaxError(f"参数「{key.text}」写了两次", key.pos)
            self.take("op", "=")
            params.append((key.text, self.value()))
            if not self.at("punct", ")"):
                self.take("punct", ",")
        self.take("punct", ")")
        self.take("end")
        return Rule(name.text, tuple(params), self.text.strip())

    def value(self) -> object:
        tok = self.tok
        if self.at("punct", "["):
            return self.sequence("[", "]", self.value)
        if self.at("punct", "{"):
            return self.sequence("{", "}", self.pair)
        atom = self.atom()
        if isinstance(atom, FieldRef) and (self.at("op") or self.at("name", "in")):
            return self.condition(atom)
        if isinstance(atom, float) and self.at("range"):
            self.i += 1
            high = self.atom()
            if not isinstance(high, float):
                raise RuleSyntaxError("范围「..」两边都应为数字", tok.pos)
            return Span(atom, high)
        return atom

    def atom(self) -> object:
        tok = self.tok
        if tok.kind == "number":
            self.i += 1
            return float(tok.text[:-1]) / 100 if tok.text.endswith("%") else float(tok.text)
        if tok.kind == "string":
            self.i += 1
            return tok.text[1:-1]
        if tok.kind == "name":
            self.i += 1
            parts = tok.text.split(".")
            return FieldRef(parts[0], tuple(parts[1:])) if len(parts) > 1 else tok.text
        raise RuleSyntaxError(f"第 {tok.pos + 1} 个字符处应为一个值，实际为「{tok.text or '规则结尾'}」", tok.pos)

    def condition(self, field: FieldRef) -> Condition:
        op = self.tok.text
        self.i += 1
        op = "=" if op == "==" else op
        if op == "in":
            return Condition(field, op, self.sequence("[", "]", self.atom))
        value = self.atom()
        if isinstance(value, FieldRef):
            raise RuleSyntaxError(f"条件「{field} {op}」右边应为数字或加引号的文字", self.tokens[self.i - 1].pos)
        return Condition(field, op, value)

    def pair(self) -> tuple[object, object]:
        key = self.value()
        if isinstance(key, (FieldRef, Condition)):
            raise RuleSyntaxError("映射的键应为名称、文字或范围", self.tok.pos)
        self.take("punct", ":")
        return key, self.atom()

    def sequence(self, open_: str, close: str, item) -> tuple:
        self.take("punct", open_)
        items = []
        while not self.at("punct", close):
            items.append(item())
            if not self.at("punct", close):
                self.take("punct", ",")
        self.take("punct", close)
        return tuple(items)


def parse_rule(text: str) -> Rule:
    """Parse one 「评分规则」 cell; raises :class:`RuleSyntaxError` (Chinese message)."""
    if not text or not text.strip():
        raise RuleSyntaxError("规则为空", 0)
    return _Parser(text).rule()


# ---------------------------------------------------------------- scoring a share

def band_share(bands: tuple, share: float) -> float | None:
    """The points share of the band holding ``share`` (the top band includes its high end)."""
    spans = sorted(((k, v) for k, v in bands if isinstance(k, Span)), key=lambda kv: kv[0].low)
    for index, (span, value) in enumerate(spans):
        top = index == len(spans) - 1
        if span.low <= share < span.high or (top and share == span.high):
            return float(value)
    return None


def share_to_fraction(rule: Rule, share: float) -> float | None:
    """Fraction of the leaf's points for an observed share, by ``full``/``zero`` or ``bands``.

    Linear between ``zero`` and ``full`` (either direction), clamped to 0..1.
    Without thresholds (a checklist), the share itself.
    """
    if rule.has("bands"):
        return band_share(rule.get("bands"), share)
    full, zero = rule.get("full"), rule.get("zero")
    if not isinstance(full, float) or not isinstance(zero, float):
        return min(1.0, max(0.0, share))
    if full == zero:
        return 1.0 if share >= full else 0.0
    return min(1.0, max(0.0, (share - zero) / (full - zero)))


def describe_thresholds(rule: Rule) -> str:
    """How the share becomes points, in short (「≥95% 满分，≤60% 0 分，其间线性」): the wording of the
    self-assessment workbooks (:mod:`evalkit.selfassess`); the reports use the plain sentence of
    :func:`evalkit.scoring.describe.thresholds_zh`."""
    if rule.has("bands"):
        parts = [f"{k.low:.0%}–{k.high:.0%} 得 {v:.0%}" for k, v in rule.get("bands") if isinstance(k, Span)]
        return "分档：" + "；".join(parts)
    full, zero = rule.get("full"), rule.get("zero")
    if isinstance(full, float) and isinstance(zero, float):
        return f"≥{full:.0%} 满分，≤{zero:.0%} 0 分，其间线性" if full > zero else \
            f"≤{full:.0%} 满分，≥{zero:.0%} 0 分，其间线性"
    return "按比例得分"
