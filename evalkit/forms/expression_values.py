"""Value semantics of the XLSForm expression subset (XPath 1.0 as in ODK JavaRosa, plus the noted conveniences).

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
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import operator
import re
from collections.abc import Callable

Value = bool | float | str | dt.date | dt.time
EPOCH = dt.date(1970, 1, 1)
NAN = math.nan


def from_python(value: object) -> Value:
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
        return " ".join(s for s in (to_string(from_python(v)) for v in items) if s)
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
            return from_python(value.item())
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


def to_bool(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, (dt.date, dt.time))


def truthy(value: object) -> bool:
    """XPath ``boolean()`` of an answer or of an :func:`evaluate` result."""
    return to_bool(from_python(value))


def _parse_temporal(text: str) -> dt.date | dt.time | None:
    """ISO date, datetime or time text -> value; None if it is none of these."""
    text = text.strip()
    for parser in (dt.date.fromisoformat, dt.datetime.fromisoformat, dt.time.fromisoformat):
        try:
            return parser(text)
        except ValueError:
            continue
    return None


def to_date(value: Value) -> Value:
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


def align_temporal(a: Value, b: Value) -> tuple[Value, Value]:
    """Read an ISO string next to a date (or time) as a date (or time)."""
    if not isinstance(a, (dt.date, dt.time)) and not isinstance(b, (dt.date, dt.time)):
        return a, b  # the common case: nothing to align
    for this, other in ((a, b), (b, a)):
        if isinstance(this, (dt.date, dt.time)) and isinstance(other, str):
            parsed = _parse_temporal(other)
            if parsed is not None and isinstance(parsed, dt.time) == isinstance(this, dt.time):
                return (this, parsed) if this is a else (parsed, this)
    return a, b


def equal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_bool(a) == to_bool(b)
    a, b = align_temporal(a, b)
    if isinstance(a, (float, dt.date, dt.time)) or isinstance(b, (float, dt.date, dt.time)):
        x, y = to_number(a), to_number(b)
        return x == y or abs(x - y) < 1e-12
    return to_string(a) == to_string(b)


RELATIONAL: dict[str, Callable[[float, float], bool]] = {
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


ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "div": _div, "mod": _mod}


def apply_operator(op: str, a: Value, b: Value) -> Value:
    """A binary operator other than and/or."""
    if op in ("=", "!="):
        return equal(a, b) == (op == "=")
    if op in RELATIONAL:
        a, b = align_temporal(a, b)
        return RELATIONAL[op](to_number(a), to_number(b))
    return ARITHMETIC[op](to_number(a), to_number(b))


def is_null(value: Value) -> bool:
    return value == "" or (isinstance(value, float) and math.isnan(value))
