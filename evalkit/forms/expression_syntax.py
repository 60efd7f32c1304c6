"""The XLSForm expression subset: its grammar, the parsed nodes and the parser.

Used for ``constraint``, ``relevant``, ``calculation`` and ``default`` cells.
A LALR grammar (lark, built once at import) turns the text into immutable
nodes (:class:`Expr`); :mod:`evalkit.forms.expression_evaluation` interprets
them, and Python ``eval``/``exec`` are never used.

Supported: ``${field}``, ``.`` (current field), 'text' / "text", numbers,
parentheses, ``= != < <= > >=``, ``+ - * div mod``, unary minus, ``and``,
``or`` (XPath precedence: or < and < equality < relational < additive <
multiplicative < unary) and the functions of
:mod:`evalkit.forms.expression_functions`.  Other functions, XPath paths
(``/data/x``, ``../x``, ``@a``) and bare words parse, but are reported by
:func:`evalkit.forms.expression_checks.check`, and evaluating them raises
:class:`ExpressionError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken

MAX_LENGTH = 10_000
MAX_DEPTH = 100


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


def walk_nodes(expr: Expr) -> Iterator[Expr]:
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


def as_expr(text_or_expr: str | Expr) -> Expr:
    """A parsed node as it is; a text parsed (cached)."""
    return text_or_expr if isinstance(text_or_expr, Expr) else parse(text_or_expr)


def references(text: str | Expr) -> set[str]:
    """Field names referenced as ``${name}``; raises :class:`ExpressionError` on bad syntax."""
    return {node.name for node in walk_nodes(as_expr(text)) if isinstance(node, Ref)}


def uses_current(text: str | Expr) -> bool:
    """Whether ``.`` (the current field's value) occurs in the expression."""
    return any(isinstance(node, Current) for node in walk_nodes(as_expr(text)))
