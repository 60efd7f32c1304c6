"""The functions of the XLSForm expression subset, and the context an evaluation reads.

* ``selected(v, 'c')``: 'c' is one of v's space-separated codes;
  ``count-selected(v)`` counts them.
* ``regex(s, p)`` needs the *whole* string to match (``re.fullmatch``), as in
  ODK Collect: JavaRosa calls ``Pattern.matches`` and the ODK docs say "exact
  and complete match" (Enketo searches; patterns anchored with ^...$ behave
  the same in both).  Invalid patterns and patterns over
  :data:`MAX_REGEX_LENGTH` characters are reported by
  :func:`evalkit.forms.expression_checks.check` and never match.  Python
  ``re`` syntax applies (no ``\\p{...}``).
* ``round(x, n)`` rounds halves towards +Infinity; ``int(x)`` truncates;
  ``coalesce(a, b)`` is b when a is "" or NaN; ``date(x)`` reads ISO text or
  days since 1970-01-01 ("" stays "", garbage gives NaN).
* ``if`` and ``coalesce`` are lazy (only the branch taken is evaluated): their
  entries in :data:`FUNCS` have no implementation, the evaluator handles them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from evalkit.forms.expression_values import NAN, Value, from_python, to_bool, to_date, to_number, to_string

MAX_REGEX_LENGTH = 500


class Context:
    """What an evaluation reads: the answers, the current value and today (a plain slotted class: one per call)."""

    __slots__ = ("values", "current", "today")

    def __init__(self, values: Mapping[str, object], current: Value, today: dt.date):
        self.values = values
        self.current = current
        self.today = today

    def lookup(self, name: str) -> Value:
        try:
            return from_python(self.values[name])
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
    compiled = compile_regex(to_string(pattern))
    return compiled is not None and compiled.fullmatch(to_string(s)) is not None


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> re.Pattern[str] | None:
    """The compiled pattern, or None when it is invalid or longer than :data:`MAX_REGEX_LENGTH`."""
    if len(pattern) > MAX_REGEX_LENGTH:
        return None
    try:
        return re.compile(pattern)
    except Exception:  # noqa: BLE001 - any failure to compile means "invalid pattern"
        return None


def _int(x: float) -> float:
    return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))


Eager = Callable[[list[Value], Context], Value]
FUNCS: dict[str, tuple[int, int | None, Eager | None]] = {  # name: (min args, max args, impl)
    "selected": (2, 2, lambda v, c: to_string(v[1]).strip() in to_string(v[0]).split()),
    "count-selected": (1, 1, lambda v, c: float(len(to_string(v[0]).split()))),
    "string-length": (0, 1, lambda v, c: float(len(to_string(v[0] if v else c.current)))),
    "regex": (2, 2, lambda v, c: _regex(v[0], v[1])),
    "if": (3, 3, None),  # lazy: see expression_evaluation._call()
    "today": (0, 0, lambda v, c: c.today),
    "not": (1, 1, lambda v, c: not to_bool(v[0])),
    "true": (0, 0, lambda v, c: True),
    "false": (0, 0, lambda v, c: False),
    "number": (1, 1, lambda v, c: to_number(v[0])),
    "int": (1, 1, lambda v, c: _int(to_number(v[0]))),
    "string": (1, 1, lambda v, c: to_string(v[0])),
    "concat": (0, None, lambda v, c: "".join(to_string(x) for x in v)),
    "coalesce": (2, 2, None),  # lazy: see expression_evaluation._call()
    "round": (1, 2, lambda v, c: _round(*(to_number(x) for x in v))),
    "date": (1, 1, lambda v, c: to_date(v[0])),
}
FUNCTIONS: tuple[str, ...] = tuple(FUNCS)
