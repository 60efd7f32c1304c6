"""Safe parser and evaluator for the XLSForm expression subset.

Used for ``constraint``, ``relevant``, ``calculation`` and ``default`` cells.
A LALR grammar (lark, built once at import) turns the text into immutable
nodes that are interpreted here; Python ``eval``/``exec`` are never used.

Supported: ``${field}``, ``.`` (current field), 'text' / "text", numbers,
parentheses, ``= != < <= > >=``, ``+ - * div mod``, unary minus, ``and``,
``or`` (XPath precedence: or < and < equality < relational < additive <
multiplicative < unary) and the functions in :data:`FUNCTIONS`.  Other
functions, XPath paths (``/data/x``, ``../x``, ``@a``) and bare words are
reported by :func:`check`; :func:`evaluate` raises :class:`ExpressionError`
for exactly the texts :func:`check` objects to and never raises anything else.

Value semantics (XPath 1.0 as in ODK JavaRosa, plus the noted conveniences):

* Values are bool, float, str, date/datetime or time.  Answers may be str,
  int, float, Decimal, bool, dates, times, or a list of codes for a
  select_multiple (ODK stores codes joined by spaces, so a space-separated
  string works too).  None, float NaN and pandas NA/NaT mean *unanswered*,
  i.e. "".  A field missing from ``values`` is "" as well (no error).
* Numbers are floats (``1 + 2`` gives 3.0; :func:`to_string` gives "3").  A
  string is a number only if it looks like ``-12.5``; anything else, "" too,
  is NaN.  Arithmetic with NaN is NaN; ``div`` by zero gives ±Infinity (NaN
  for 0 div 0), ``mod`` by zero NaN.  Dates count as days since 1970-01-01,
  times as fractions of a day.
* ``=``/``!=``: with a bool on either side both become bools; else with a
  number or date on either side both become numbers ("" is NaN, so
  ``"" = 0`` is false and ``"" != 0`` true); else both compare as strings,
  so two strings never compare numerically ("5" != "05"): pass typed answers.
* ``< <= > >=`` compare numbers only: non-numeric text and "" give NaN, and
  every comparison with NaN is false.
* Convenience beyond JavaRosa: an ISO string next to a date/datetime (time)
  is read as a date (time), so ``${d} >= '2024-01-01'`` works.
  ``today()`` returns a ``date``.
* Truthiness (:func:`truthy`): bools as is, numbers nonzero and not NaN,
  non-empty strings (so "0" is true), dates and times true.
* ``selected(v, 'c')``: 'c' is one of v's space-separated codes;
  ``count-selected(v)`` counts them.
* ``regex(s, p)`` needs the *whole* string to match (``re.fullmatch``), as in
  ODK Collect: JavaRosa calls ``Pattern.matches`` and the ODK docs say "exact
  and complete match" (Enketo searches; patterns anchored with ^...$ behave
  the same in both).  Invalid patterns and patterns over
  :data:`MAX_REGEX_LENGTH` characters are reported by :func:`check` and never
  match.  Python ``re`` syntax applies (no ``\\p{...}``).
* ``round(x, n)`` rounds halves towards +Infinity; ``int(x)`` truncates;
  ``coalesce(a, b)`` is b when a is "" or NaN; ``date(x)`` reads ISO text or
  days since 1970-01-01 ("" stays "", garbage gives NaN).
* ODK skips the constraint of an empty non-required field; that rule is the
  caller's job (here ``. > 0`` on "" is simply false).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken

MAX_REGEX_LENGTH = 500
MAX_LENGTH = 10_000
MAX_DEPTH = 100
Value = bool | float | str | dt.date | dt.time
EPOCH = dt.date(1970, 1, 1)
NAN = math.nan


class ExpressionError(Exception):
    """A text that cannot be evaluated; ``message`` is Chinese, ``position`` 0-based."""

    def __init__(self, message: str, position: int | None = None, text: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text


@dataclass(frozen=True)
class Expr:
    """Base class of parsed nodes; ``pos`` is the 0-based offset in the text."""

    pos: int = field(default=0, kw_only=True, compare=False)
    depth: int = field(default=1, kw_only=True, compare=False)


@dataclass(frozen=True)
class Literal(Expr):
    value: str | float


@dataclass(frozen=True)
class Ref(Expr):
    name: str


@dataclass(frozen=True)
class Current(Expr):
    pass


@dataclass(frozen=True)
class Path(Expr):
    text: str


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True)
class Chain(Expr):
    """Left-associative run of operators of one precedence level."""

    first: Expr
    rest: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]


_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (OR and_expr)*
?and_expr: eq_expr (AND eq_expr)*
?eq_expr: rel_expr (EQ_OP rel_expr)*
?rel_expr: add_expr (REL_OP add_expr)*
?add_expr: mul_expr (ADD_OP mul_expr)*
?mul_expr: unary (MUL_OP unary)*
?unary: primary | "-" unary -> neg
?primary: NUMBER -> leaf | STRING -> leaf | REF -> leaf | "." -> leaf
    | PATH -> leaf | NAME -> leaf | FUNC (or_expr ("," or_expr)*)? ")" -> call
    | "(" or_expr ")"
OR: "or"
AND: "and"
EQ_OP: "=" | "!="
REL_OP: "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "div" | "mod"
NUMBER: /\d+(\.\d*)?|\.\d+/
STRING: /'[^']*'|"[^"]*"/
REF: /\$\{[^\W\d][\w.\-]*\}/
FUNC.3: /[A-Za-z][\w\-]*(:[A-Za-z][\w\-]*)?\s*\(/
PATH.2: /(\.\.|\.\/|\/\/?|@)[\w.\-:@*\/]*/
NAME: /[^\W\d][\w.\-:]*/
%ignore /\s+/
"""


def _deepest(*nodes: Expr) -> int:
    return 1 + max((n.depth for n in nodes), default=0)


class _Builder(Transformer):
    """Turns parse results into :class:`Expr` nodes while lark reduces."""

    def leaf(self, c: list[Token]) -> Expr:
        token = c[0] if c else Token("DOT", ".")
        text, pos = str(token), token.start_pos or 0
        if token.type == "NUMBER":
            return Literal(float(text), pos=pos)
        if token.type == "STRING":
            return Literal(text[1:-1], pos=pos)
        if token.type == "REF":
            return Ref(text[2:-1], pos=pos)
        return Current() if token.type == "DOT" else Path(text, pos=pos)

    def neg(self, c: list) -> Expr:
        return Neg(c[0], pos=max(c[0].pos - 1, 0), depth=_deepest(c[0]))

    def call(self, c: list) -> Expr:
        args = tuple(a for a in c[1:] if a is not None)
        name = str(c[0])[:-1].rstrip()
        return Call(name, args, pos=c[0].start_pos, depth=_deepest(*args))

    def chain(self, c: list) -> Expr:
        rest = tuple((str(c[i]), c[i + 1]) for i in range(1, len(c), 2))
        operands = (c[0], *(e for _, e in rest))
        return Chain(c[0], rest, pos=c[0].pos, depth=_deepest(*operands))

    or_expr = and_expr = eq_expr = rel_expr = add_expr = mul_expr = chain


_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="contextual", transformer=_Builder())
_FULLWIDTH = set("（）【】，。；：‘’“”＝＞＜！＋－＊／＄｛｝")


def _syntax_error(text: str, exc: LarkError) -> ExpressionError:
    """Chinese message for a lark error, pointing at the offending character."""
    pos: int | None = None
    if isinstance(exc, UnexpectedCharacters):
        pos, snippet = exc.pos_in_stream, text[exc.pos_in_stream]
    elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        pos, snippet = exc.token.start_pos, str(exc.token)[:20]
    if pos is None:
        message = "表达式语法错误：表达式在末尾意外结束，请检查括号、引号是否配对，运算符后是否缺少内容"
        return ExpressionError(message, len(text), text)
    hint = ""
    if set(snippet) & _FULLWIDTH:
        hint = "（请改用英文半角符号）"
    elif snippet in ("'", '"'):
        hint = "（引号未闭合？）"
    elif "==" in text:
        hint = "（相等比较用单个 =，不是 ==）"
    message = f"表达式语法错误：第 {pos + 1} 个字符附近「{snippet}」无法解析{hint}"
    return ExpressionError(message, pos, text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expr:
    if not text.strip():
        raise ExpressionError("表达式为空", None, text)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"表达式过长（{len(text)} 个字符，上限 {MAX_LENGTH}）", None, text)
    try:
        expr = _PARSER.parse(text)
    except LarkError as exc:
        raise _syntax_error(text, exc) from None
    if expr.depth > MAX_DEPTH:
        message = f"表达式嵌套过深（超过 {MAX_DEPTH} 层），请拆分为多个计算字段"
        raise ExpressionError(message, None, text)
    return expr


def parse(text: str) -> Expr:
    """Parse ``text`` (cached); raise :class:`ExpressionError` on a syntax error."""
    if not isinstance(text, str):
        raise ExpressionError("表达式必须是文本", None, None)
    return _parse_cached(text)


def _walk(expr: Expr) -> Iterator[Expr]:
    """All nodes, parents before children (iterative)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Neg):
            stack.append(node.operand)
        elif isinstance(node, Chain):
            stack.extend([node.first, *(e for _, e in node.rest)][::-1])
        elif isinstance(node, Call):
            stack.extend(node.args[::-1])


def _as_expr(text_or_expr: str | Expr) -> Expr:
    return text_or_expr if isinstance(text_or_expr, Expr) else parse(text_or_expr)


def references(text: str | Expr) -> set[str]:
    """Field names referenced as ``${name}``; raises :class:`ExpressionError` on bad syntax."""
    return {node.name for node in _walk(_as_expr(text)) if isinstance(node, Ref)}


def uses_current(text: str | Expr) -> bool:
    """Whether ``.`` (the current field's value) occurs in the expression."""
    return any(isinstance(node, Current) for node in _walk(_as_expr(text)))


def _from_python(value: object) -> Value:
    """Map an answer as given by the caller onto an expression value."""
    kind = type(value)
    if kind is str or kind is bool:  # the common cases first; same results as below
        return value
    if kind is float:
        return "" if math.isnan(value) else value
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, (bool, str, dt.date, dt.time)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return " ".join(s for s in (to_string(_from_python(v)) for v in items) if s)
    if isinstance(value, numbers.Number):
        try:
            number = float(value)  # type: ignore[arg-type]
        except OverflowError:
            return math.inf if value > 0 else -math.inf  # type: ignore[operator]
        except (TypeError, ValueError):
            return ""
        return "" if math.isnan(number) else number
    if hasattr(value, "item"):  # numpy scalars such as numpy.bool_
        try:
            return _from_python(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _days(value: dt.date) -> float:
    """Days since 1970-01-01 (fractional for datetimes)."""
    try:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return (value - dt.datetime(1970, 1, 1)).total_seconds() / 86400
        return float((value - EPOCH).days)
    except (OverflowError, ValueError):
        return NAN


_NUMERIC = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*")


def to_number(value: Value) -> float:
    """XPath ``number()``: bools 1/0, numeric strings, dates as days; else NaN."""
    if isinstance(value, (bool, float)):
        return float(value)
    if isinstance(value, str):
        return float(value) if _NUMERIC.fullmatch(value) else NAN
    if isinstance(value, dt.date):
        return _days(value)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return NAN


def to_string(value: Value) -> str:
    """XPath ``string()``: 3.0 -> "3", NaN -> "NaN", dates in ISO form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _to_bool(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, (dt.date, dt.time))


def truthy(value: object) -> bool:
    """XPath ``boolean()`` of an answer or of an :func:`evaluate` result."""
    return _to_bool(_from_python(value))


def _parse_temporal(text: str) -> dt.date | dt.time | None:
    """ISO date, datetime or time text -> value; None if it is none of these."""
    text = text.strip()
    for parser in (dt.date.fromisoformat, dt.datetime.fromisoformat, dt.time.fromisoformat):
        try:
            return parser(text)
        except ValueError:
            continue
    return None


def _to_date(value: Value) -> Value:
    """``date()``: ISO text or days since 1970-01-01 -> date; "" stays ""."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value == "":
        return value
    if isinstance(value, str):
        parsed = _parse_temporal(value)
        if isinstance(parsed, dt.datetime):
            return parsed.date()
        return parsed if isinstance(parsed, dt.date) else NAN
    if not isinstance(value, float):
        return NAN
    try:
        return EPOCH + dt.timedelta(days=math.trunc(value))
    except (OverflowError, ValueError):
        return NAN


def _align_temporal(a: Value, b: Value) -> tuple[Value, Value]:
    """Read an ISO string next to a date (or time) as a date (or time)."""
    if not isinstance(a, (dt.date, dt.time)) and not isinstance(b, (dt.date, dt.time)):
        return a, b  # the common case: nothing to align
    for this, other in ((a, b), (b, a)):
        if isinstance(this, (dt.date, dt.time)) and isinstance(other, str):
            parsed = _parse_temporal(other)
            if parsed is not None and isinstance(parsed, dt.time) == isinstance(this, dt.time):
                return (this, parsed) if this is a else (parsed, this)
    return a, b


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return _to_bool(a) == _to_bool(b)
    a, b = _align_temporal(a, b)
    if isinstance(a, (float, dt.date, dt.time)) or isinstance(b, (float, dt.date, dt.time)):
        x, y = to_number(a), to_number(b)
        return x == y or abs(x - y) < 1e-12
    return to_string(a) == to_string(b)


_RELATIONAL: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return NAN
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _mod(x: float, y: float) -> float:
    if y == 0 or math.isnan(x) or math.isnan(y) or math.isinf(x):
        return NAN
    return math.fmod(x, y)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "div": _div, "mod": _mod}


def _apply(op: str, a: Value, b: Value) -> Value:
    """A binary operator other than and/or."""
    if op in ("=", "!="):
        return _equal(a, b) == (op == "=")
    if op in _RELATIONAL:
        a, b = _align_temporal(a, b)
        return _RELATIONAL[op](to_number(a), to_number(b))
    return _ARITHMETIC[op](to_number(a), to_number(b))


class _Context:
    """What an evaluation reads: the answers, the current value and today (a plain slotted class: one per call)."""

    __slots__ = ("values", "current", "today")

    def __init__(self, values: Mapping[str, object], current: Value, today: dt.date):
        self.values = values
        self.current = current
        self.today = today

    def lookup(self, name: str) -> Value:
        try:
            return _from_python(self.values[name])
        except (KeyError, IndexError, TypeError):
            return ""


def _round(x: float, places: float = 0.0) -> float:
    """XPath/ODK round: halves go towards +Infinity; ``places`` may be negative."""
    if math.isnan(places) or abs(places) > 30:
        return NAN
    if math.isnan(x) or math.isinf(x):
        return x
    mode = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
    try:
        return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-int(places)), rounding=mode))
    except InvalidOperation:
        return x  # more digits than Decimal keeps: already far beyond rounding


def _regex(s: Value, pattern: Value) -> bool:
    compiled = _compile_regex(to_string(pattern))
    return compiled is not None and compiled.fullmatch(to_string(s)) is not None


@lru_cache(maxsize=512)
def _compile_regex(pattern: str) -> re.Pattern[str] | None:
    if len(pattern) > MAX_REGEX_LENGTH:
        return None
    try:
        return re.compile(pattern)
    except Exception:  # noqa: BLE001 - any failure to compile means "invalid pattern"
        return None


def _int(x: float) -> float:
    return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))


Eager = Callable[[list[Value], _Context], Value]
_FUNCS: dict[str, tuple[int, int | None, Eager | None]] = {  # name: (min args, max args, impl)
    "selected": (2, 2, lambda v, c: to_string(v[1]).strip() in to_string(v[0]).split()),
    "count-selected": (1, 1, lambda v, c: float(len(to_string(v[0]).split()))),
    "string-length": (0, 1, lambda v, c: float(len(to_string(v[0] if v else c.current)))),
    "regex": (2, 2, lambda v, c: _regex(v[0], v[1])),
    "if": (3, 3, None),  # lazy: see _call()
    "today": (0, 0, lambda v, c: c.today),
    "not": (1, 1, lambda v, c: not _to_bool(v[0])),
    "true": (0, 0, lambda v, c: True),
    "false": (0, 0, lambda v, c: False),
    "number": (1, 1, lambda v, c: to_number(v[0])),
    "int": (1, 1, lambda v, c: _int(to_number(v[0]))),
    "string": (1, 1, lambda v, c: to_string(v[0])),
    "concat": (0, None, lambda v, c: "".join(to_string(x) for x in v)),
    "coalesce": (2, 2, None),  # lazy: see _call()
    "round": (1, 2, lambda v, c: _round(*(to_number(x) for x in v))),
    "date": (1, 1, lambda v, c: _to_date(v[0])),
}
FUNCTIONS: tuple[str, ...] = tuple(_FUNCS)


def _is_null(value: Value) -> bool:
    return value == "" or (isinstance(value, float) and math.isnan(value))


def _call(node: Call, ctx: _Context) -> Value:
    if node.name == "if":
        test = _to_bool(_eval(node.args[0], ctx))
        return _eval(node.args[1] if test else node.args[2], ctx)
    if node.name == "coalesce":
        first = _eval(node.args[0], ctx)
        return _eval(node.args[1], ctx) if _is_null(first) else first
    impl = _FUNCS[node.name][2]
    return impl([_eval(a, ctx) for a in node.args], ctx) if impl else ""


def _eval(node: Expr, ctx: _Context) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return ctx.lookup(node.name)
    if isinstance(node, Current):
        return ctx.current
    if isinstance(node, Neg):
        return -to_number(_eval(node.operand, ctx))
    if isinstance(node, Call):
        return _call(node, ctx)
    if not isinstance(node, Chain):
        return ""  # Path: refused by _problems() before evaluation
    acc = _eval(node.first, ctx)
    for op, operand in node.rest:
        if op in ("and", "or"):
            left = _to_bool(acc)
            acc = left if (op == "and") != left else _to_bool(_eval(operand, ctx))
        else:
            acc = _apply(op, acc, _eval(operand, ctx))
    return acc


Compiled = Callable[[_Context], Value]


def _compile(node: Expr) -> Compiled:
    """The node as a closure that does what :func:`_eval` does, without dispatching on node types per call.

    Only used for nodes without :func:`_problems`; anything unexpected falls back to :func:`_eval`.
    """
    if isinstance(node, Literal):
        value = node.value
        return lambda ctx: value
    if isinstance(node, Ref):
        name = node.name
        return lambda ctx: ctx.lookup(name)
    if isinstance(node, Current):
        return lambda ctx: ctx.current
    if isinstance(node, Neg):
        operand = _compile(node.operand)
        return lambda ctx: -to_number(operand(ctx))
    if isinstance(node, Call):
        return _compile_call(node)
    if not isinstance(node, Chain):
        return lambda ctx: _eval(node, ctx)
    first = _compile(node.first)
    rest = tuple((op, _compile(operand)) for op, operand in node.rest)
    if len(rest) == 1 and rest[0][0] not in ("and", "or"):
        apply, second = _binary(rest[0][0]), rest[0][1]
        return lambda ctx: apply(first(ctx), second(ctx))

    def chain(ctx: _Context) -> Value:
        acc = first(ctx)
        for op, operand in rest:
            if op in ("and", "or"):
                left = _to_bool(acc)
                acc = left if (op == "and") != left else _to_bool(operand(ctx))
            else:
                acc = _apply(op, acc, operand(ctx))
        return acc

    return chain


def _binary(op: str) -> Callable[[Value, Value], Value]:
    """:func:`_apply` with ``op`` fixed (same steps, chosen once)."""
    if op == "=":
        return _equal
    if op == "!=":
        return lambda a, b: not _equal(a, b)
    if op in _RELATIONAL:
        compare = _RELATIONAL[op]

        def relational(a: Value, b: Value) -> bool:
            a, b = _align_temporal(a, b)
            return compare(to_number(a), to_number(b))

        return relational
    if op in _ARITHMETIC:
        arithmetic = _ARITHMETIC[op]
        return lambda a, b: arithmetic(to_number(a), to_number(b))
    return lambda a, b: _apply(op, a, b)


def _compile_call(node: Call) -> Compiled:
    if node.name not in _FUNCS:
        return lambda ctx: _call(node, ctx)
    args = tuple(_compile(a) for a in node.args)
    if node.name == "if" and len(args) == 3:
        test, then, other = args
        return lambda ctx: (then if _to_bool(test(ctx)) else other)(ctx)
    if node.name == "coalesce" and len(args) == 2:
        a, b = args

        def coalesce(ctx: _Context) -> Value:
            value = a(ctx)
            return b(ctx) if _is_null(value) else value

        return coalesce
    impl = _FUNCS[node.name][2]
    if impl is None:
        return lambda ctx: _call(node, ctx)
    return lambda ctx: impl([a(ctx) for a in args], ctx)


def _path_problem(node: Path) -> str:
    word = node.text
    if word in ("true", "false"):
        return f"「{word}」前后没有括号：布尔值请写成 {word}()"
    if not word.startswith((".", "/", "@")):
        return f"「{word}」不是有效的值：引用字段请写 ${{{word}}}，文字请加引号 '{word}'"
    return f"不支持的 XPath 路径「{word}」：请用 ${{字段名}} 引用字段，用 . 表示当前字段"


def _call_problem(node: Call) -> str | None:
    if node.name not in _FUNCS:
        return f"不支持的函数 {node.name}()：evalkit 支持 {'、'.join(FUNCTIONS)}，请改写表达式"
    low, high, _ = _FUNCS[node.name]
    count = len(node.args)
    if count < low or (high is not None and count > high):
        need = f"{low}" if low == high else f"{low} 个及以上" if high is None else f"{low}～{high}"
        return f"函数 {node.name}() 的参数个数不对：需要 {need} 个，实际 {count} 个"
    literal = node.args[-1] if node.args else None
    if node.name == "selected" and isinstance(literal, Literal) and isinstance(literal.value, float):
        return "selected() 的第二个参数应是带引号的选项代码，例如 selected(${字段}, '1')"
    if node.name == "regex" and isinstance(literal, Literal):
        pattern = to_string(literal.value)
        if len(pattern) > MAX_REGEX_LENGTH:
            return f"regex() 的正则表达式过长（{len(pattern)} 个字符，上限 {MAX_REGEX_LENGTH}），请简化"
        if _compile_regex(pattern) is None:
            hint = "；汉字请写成 [\\u4e00-\\u9fff]，不支持 \\p{…}" if "\\p{" in pattern else ""
            return f"regex() 的正则表达式「{pattern[:40]}」无效，无法编译{hint}"
    return None


def _problems(expr: Expr) -> list[tuple[str, int]]:
    """(message, position) for everything evaluate() refuses, in text order."""
    found: dict[str, int] = {}
    for node in _walk(expr):
        message = _path_problem(node) if isinstance(node, Path) else (
            _call_problem(node) if isinstance(node, Call) else None)
        if message is not None and message not in found:
            found[message] = node.pos
    return sorted(found.items(), key=lambda item: item[1])


Prepared = tuple[tuple[tuple[str, int], ...], Compiled | None]


def _prepare(expr: Expr) -> Prepared:
    """Static problems of a parsed expression and, when there are none, its compiled closure."""
    found = tuple(_problems(expr))
    return found, (None if found else _compile(expr))


@lru_cache(maxsize=4096)
def _prepared(text: str) -> Prepared:
    """:func:`_prepare` once per text (a syntax error is raised, not cached)."""
    return _prepare(_parse_cached(text))


_PREPARED: dict[int, tuple[Expr, Prepared]] = {}


def _prepared_expr(expr: Expr) -> Prepared:
    """:func:`_prepare` of an already parsed node, once per node object.

    Keyed by identity (nodes compare equal regardless of position, and the
    positions are part of the answer); the entry keeps the node alive so its
    id cannot be reused while cached.
    """
    entry = _PREPARED.get(id(expr))
    if entry is not None and entry[0] is expr:
        return entry[1]
    prepared = _prepare(expr)
    if len(_PREPARED) >= 4096:
        _PREPARED.clear()
    _PREPARED[id(expr)] = (expr, prepared)
    return prepared


def check(text: str) -> list[str]:
    """Chinese messages for syntax errors and unsupported parts; [] if evaluable."""
    try:
        expr = parse(text)
    except ExpressionError as exc:
        return [exc.message]
    return [message for message, _ in _problems(expr)]


def evaluate(text_or_expr: str | Expr, values: Mapping[str, object] | None = None,
             current: object = None, today: dt.date | None = None) -> Value:
    """Evaluate against ``values`` (answers by field name) and the current answer.

    Raises :class:`ExpressionError` exactly when :func:`check` reports a
    problem; otherwise returns a bool, float, str, date or time.
    """
    if isinstance(text_or_expr, str):
        problems, compiled = _prepared(text_or_expr)
    else:
        problems, compiled = _prepared_expr(_as_expr(text_or_expr))
    if problems:
        message, position = problems[0]
        text = text_or_expr if isinstance(text_or_expr, str) else None
        raise ExpressionError(message, position, text)
    ctx = _Context({} if values is None else values, _from_python(current),
                   today if today is not None else dt.date.today())
    return compiled(ctx)
