"""Evaluating an expression against the answers: a parsed node compiled once into closures.

:func:`evaluate` takes the text (parsed, checked and compiled once per text) or a
parsed node; it raises :class:`~evalkit.forms.expression_syntax.ExpressionError`
exactly when :func:`evalkit.forms.expression_checks.check` reports a problem, and
never anything else.  Values follow :mod:`evalkit.forms.expression_values`.
ODK skips the constraint of an empty non-required field; that rule is the
caller's job (here ``. > 0`` on "" is simply false).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache

from evalkit.forms.expression_checks import static_problems
from evalkit.forms.expression_functions import FUNCS, Context
from evalkit.forms.expression_syntax import (
    Call,
    Chain,
    Current,
    Expr,
    ExpressionError,
    Literal,
    Neg,
    Ref,
    as_expr,
    parse,
)
from evalkit.forms.expression_values import (
    ARITHMETIC,
    RELATIONAL,
    Value,
    align_temporal,
    apply_operator,
    equal,
    from_python,
    is_null,
    to_bool,
    to_number,
)


def _call(node: Call, ctx: Context) -> Value:
    if node.name == "if":
        test = to_bool(_eval(node.args[0], ctx))
        return _eval(node.args[1] if test else node.args[2], ctx)
    if node.name == "coalesce":
        first = _eval(node.args[0], ctx)
        return _eval(node.args[1], ctx) if is_null(first) else first
    impl = FUNCS[node.name][2]
    return impl([_eval(a, ctx) for a in node.args], ctx) if impl else ""


def _eval(node: Expr, ctx: Context) -> Value:
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
        return ""  # Path: refused by static_problems() before evaluation
    acc = _eval(node.first, ctx)
    for op, operand in node.rest:
        if op in ("and", "or"):
            left = to_bool(acc)
            acc = left if (op == "and") != left else to_bool(_eval(operand, ctx))
        else:
            acc = apply_operator(op, acc, _eval(operand, ctx))
    return acc


Compiled = Callable[[Context], Value]


def _compile(node: Expr) -> Compiled:
    """The node as a closure that does what :func:`_eval` does, without dispatching on node types per call.

    Only used for nodes without :func:`static_problems`; anything unexpected falls back to :func:`_eval`.
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

    def chain(ctx: Context) -> Value:
        acc = first(ctx)
        for op, operand in rest:
            if op in ("and", "or"):
                left = to_bool(acc)
                acc = left if (op == "and") != left else to_bool(operand(ctx))
            else:
                acc = apply_operator(op, acc, operand(ctx))
        return acc

    return chain


def _binary(op: str) -> Callable[[Value, Value], Value]:
    """:func:`apply_operator` with ``op`` fixed (same steps, chosen once)."""
    if op == "=":
        return equal
    if op == "!=":
        return lambda a, b: not equal(a, b)
    if op in RELATIONAL:
        compare = RELATIONAL[op]

        def relational(a: Value, b: Value) -> bool:
            a, b = align_temporal(a, b)
            return compare(to_number(a), to_number(b))

        return relational
    if op in ARITHMETIC:
        arithmetic = ARITHMETIC[op]
        return lambda a, b: arithmetic(to_number(a), to_number(b))
    return lambda a, b: apply_operator(op, a, b)


def _compile_call(node: Call) -> Compiled:
    if node.name not in FUNCS:
        return lambda ctx: _call(node, ctx)
    args = tuple(_compile(a) for a in node.args)
    if node.name == "if" and len(args) == 3:
        test, then, other = args
        return lambda ctx: (then if to_bool(test(ctx)) else other)(ctx)
    if node.name == "coalesce" and len(args) == 2:
        a, b = args

        def coalesce(ctx: Context) -> Value:
            value = a(ctx)
            return b(ctx) if is_null(value) else value

        return coalesce
    impl = FUNCS[node.name][2]
    if impl is None:
        return lambda ctx: _call(node, ctx)
    return lambda ctx: impl([a(ctx) for a in args], ctx)


Prepared = tuple[tuple[tuple[str, int], ...], Compiled | None]


def _prepare(expr: Expr) -> Prepared:
    """Static problems of a parsed expression and, when there are none, its compiled closure."""
    found = tuple(static_problems(expr))
    return found, (None if found else _compile(expr))


@lru_cache(maxsize=4096)
def _prepared(text: str) -> Prepared:
    """:func:`_prepare` once per text (a syntax error is raised, not cached)."""
    return _prepare(parse(text))


def evaluate(text_or_expr: str | Expr, values: Mapping[str, object] | None = None,
             current: object = None, today: dt.date | None = None) -> Value:
    """Evaluate against ``values`` (answers by field name) and the current answer.

    Raises :class:`ExpressionError` exactly when :func:`~evalkit.forms.expression_checks.check`
    reports a problem; otherwise returns a bool, float, str, date or time.
    """
    if isinstance(text_or_expr, str):
        problems, compiled = _prepared(text_or_expr)
    else:
        problems, compiled = _prepare(as_expr(text_or_expr))  # a parsed node: not cached, pass the text to cache
    if problems:
        message, position = problems[0]
        text = text_or_expr if isinstance(text_or_expr, str) else None
        raise ExpressionError(message, position, text)
    ctx = Context({} if values is None else values, from_python(current),
                   today if today is not None else dt.date.today())
    return compiled(ctx)
