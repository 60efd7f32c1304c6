"""The rules of one answer: types, required, constraints, choices, relevance, calculations, defaults.

XLSForm semantics, as ODK applies them:

- ``required`` applies only to relevant fields;
- ``constraint`` is evaluated only for a non-empty value, with ``.`` as the value;
- ``calculate`` fields are computed from the other answers, in form order;
- a ``default`` is written as is, or evaluated when it is dynamic (``today()``).

The walk of a whole form that applies these rules (relevance of fields and
groups, repeats, hidden values) is :mod:`evalkit.forms.engine`; expressions go
through :mod:`evalkit.forms.expression_evaluation`, nothing is ever ``eval``-ed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from pyxform.utils import default_is_dynamic

from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_values import truthy
from evalkit.forms.model import base_type, flatten_groups

TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
CONTAINER_TYPES = ("group", "repeat")
SELECT_TYPES = ("select_one", "select_multiple")
_flatten_groups = flatten_groups  # the old private name, still used by evalkit.interop.imports


def is_empty(value: object) -> bool:
    """Whether an answer counts as not given: None, "", [], NaN (False and 0 are answers)."""
    kind = type(value)
    if kind is str or kind is list:  # the common cases first; same results as below
        return not value
    if kind is int or kind is bool or kind is dict:
        return False
    return value is None or value == "" or value == [] or (isinstance(value, float) and math.isnan(value))


def coerce(field, raw: object) -> tuple[object, str | None]:
    """Turn what the assessor typed into the stored value, or give a Chinese message."""
    return coerce_kind(base_type(field), raw)


def coerce_kind(kind: str, raw: object) -> tuple[object, str | None]:
    """:func:`coerce` for a field of base type ``kind``; on a message the raw value comes back unchanged."""
    if is_empty(raw):
        return ([] if kind == "select_multiple" else None), None
    return coerce_given(kind, raw)


def coerce_given(kind: str, raw: object) -> tuple[object, str | None]:
    """:func:`coerce_kind` of a non-empty answer."""
    if kind == "integer":
        text = str(raw).strip()
        if isinstance(raw, bool) or not re.fullmatch(r"[-+]?\d+", text):
            return raw, "请输入整数（只填数字，如 12）"
        return int(text), None
    if kind == "decimal":
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            return raw, "请输入数字（如 3.5）"
        if not value.is_finite():
            return raw, "请输入数字（如 3.5）"
        return float(value), None
    if kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat(), None
        if isinstance(raw, dt.date):
            return raw.isoformat(), None
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat(), None
        except ValueError:
            return raw, "请输入日期，格式为 年-月-日（如 2018-11-20）"
    if kind == "time":
        match = TIME_RE.match(str(raw).strip())
        if match is None:
            return raw, "请输入时间，格式为 时:分（如 09:30）"
        return f"{int(match.group(1)):02d}:{match.group(2)}", None
    if kind == "select_multiple":
        if isinstance(raw, dict):
            return raw, "请选择列出的选项（这里应是所选的几项，不能是一组字段）"
        values = raw.split() if isinstance(raw, str) else list(raw) if isinstance(raw, Iterable) else [raw]
        return [str(v) for v in values], None
    if kind in ("text", "select_one"):
        if isinstance(raw, (list, dict)):   # a stored answer written by hand or another tool: named, not shown as text
            return raw, ("请只选择一项" if kind == "select_one" else "请填写一项文字") + "（这里不能是多项内容或一组字段）"
        return str(raw), None
    return raw, None


def to_expression_value(field, value: object) -> object:
    """Stored value → what expressions compare (dates as dates, lists stay lists)."""
    if is_empty(value):
        return ""
    return expression_value_kind(base_type(field), value)


def expression_value_kind(kind: str, value: object) -> object:
    """:func:`to_expression_value` of a non-empty value of a field of base type ``kind``."""
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if kind == "time" and isinstance(value, str) and TIME_RE.match(value):
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    return value


def default_value(field, today: dt.date | None = None) -> object:
    """A field's starting value: a static default as written, a dynamic one (``today()``) evaluated."""
    if not field.default:
        return None
    kind = base_type(field)
    if default_is_dynamic(field.default, field.type):
        value = evaluate(field.default, {}, today=today)
        if isinstance(value, dt.date):
            return value.isoformat()
        return None if value == "" else value
    return field.default.split() if kind == "select_multiple" else field.default


def context(fields: Iterable, values: Mapping[str, object], outer: Mapping[str, object] | None = None) -> dict:
    """Expression variables: the outer (top-level) answers overlaid with this level's."""
    ctx = dict(outer or {})
    for f in fields:
        if base_type(f) not in CONTAINER_TYPES:
            ctx[f.name] = to_expression_value(f, values.get(f.name))
    return ctx


def is_relevant(field, ctx: Mapping[str, object], today: dt.date | None = None) -> bool:
    """Whether the field's own ``relevant`` holds (no condition: always)."""
    if not field.relevant:
        return True
    return truthy(evaluate(field.relevant, ctx, today=today))


def missing(field) -> tuple[str, str] | None:
    """(code, message) for an empty answer of a relevant field: an issue only when it is required."""
    if _truthy_flag(field.required):
        return "required", field.required_message or "此项为必填项，请填写"
    return None


def check_answer(field, kind: str, value: object, ctx: Mapping[str, object], today: dt.date | None,
                 allowed: frozenset | None) -> tuple[str, str] | None:
    """(code, message) for a relevant field's non-empty typed value, or None when it is fine.

    ``kind`` is the field's base type; ``allowed`` the option codes of its choice
    list (None: not a select, or no such list, so nothing to check).
    """
    if allowed is not None:
        picked = value if isinstance(value, list) else [value]
        bad = [v for v in picked if v not in allowed]
        if bad:
            return "choice", f"选项「{'、'.join(map(str, bad))}」不在可选列表中"
    if field.constraint:
        current = expression_value_kind(kind, value)
        if not truthy(evaluate(field.constraint, ctx, current=current, today=today)):
            return "constraint", field.constraint_message or "填写的内容不符合要求，请检查"
    return None


def _truthy_flag(flag: object) -> bool:
    """A ``required`` flag: a bool as loaded, or yes / true / true() / 1 as written."""
    if flag is True or flag is False:
        return flag
    return flag is not None and str(flag).strip().lower() in ("yes", "true", "true()", "1")


def calculate(fields: Iterable, values: dict, ctx: dict, today: dt.date | None = None) -> None:
    """Fill calculate fields in place (in form order, so later ones see earlier results)."""
    for f in fields:
        if base_type(f) == "calculate" and f.calculation:
            result = evaluate(f.calculation, ctx, today=today)
            if isinstance(result, float) and math.isnan(result):
                result = None
            values[f.name] = result
            ctx[f.name] = "" if result is None else result
