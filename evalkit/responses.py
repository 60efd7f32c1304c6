"""Answers against an instrument: types, required, constraints, relevance, choices.

One set of rules serves the live form (a message beside the field as the
assessor types) and the batch validation of stored records.  XLSForm
semantics, as ODK applies them:

- ``relevant`` hides a field; a hidden field's value is not part of the record
  (the form drops it; a stored record that still has one is reported);
- ``required`` applies only to relevant fields;
- ``constraint`` is evaluated only for a non-empty value, with ``.`` as the value;
- ``calculate`` fields are computed from the other answers.

Expressions go through :mod:`evalkit.expressions`; nothing is ever ``eval``-ed.
Inside a repeat, ``${x}`` refers to the sibling in the same repeat instance
when there is one, else to the top-level field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Mapping

from evalkit import expressions

TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
CONTAINER_TYPES = ("group", "repeat")
NO_VALUE_TYPES = ("note", "group")


@dataclass(frozen=True)
class FieldIssue:
    """A problem with one answer: ``path`` is e.g. ``citizens[2].trips`` (1-based instances)."""

    path: str
    field: str
    code: str
    message: str


def base_type(field) -> str:
    """``select_one list`` → ``select_one``; ``begin_repeat`` → ``repeat``."""
    t = (field.type or "").replace(" ", "_").lower()
    if t.startswith("select_one"):
        return "select_one"
    if t.startswith("select_multiple") or t.startswith("select_all_that_apply"):
        return "select_multiple"
    return {"begin_repeat": "repeat", "begin_group": "group", "photo": "image", "int": "integer",
            "string": "text"}.get(t, t)


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, float) and math.isnan(value))


def coerce(field, raw: object) -> tuple[object, str | None]:
    """Turn what the assessor typed into the stored value, or give a Chinese message."""
    kind = base_type(field)
    if is_empty(raw):
        return ([] if kind == "select_multiple" else None), None
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
        return (f"{int(match.group(1)):02d}:{match.group(2)}", None) if match else (raw, "请输入时间，格式为 时:分（如 09:30）")
    if kind == "select_multiple":
        values = raw.split() if isinstance(raw, str) else list(raw)
        return [str(v) for v in values], None
    return (str(raw) if kind in ("text", "select_one") else raw), None


def to_expression_value(field, value: object) -> object:
    """Stored value → what expressions compare (dates as dates, lists stay lists)."""
    if is_empty(value):
        return ""
    kind = base_type(field)
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
    from pyxform.utils import default_is_dynamic

    kind = base_type(field)
    if default_is_dynamic(field.default, field.type):
        value = expressions.evaluate(field.default, {}, today=today)
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
    if not field.relevant:
        return True
    return expressions.truthy(expressions.evaluate(field.relevant, ctx, today=today))


def check_value(field, value: object, ctx: Mapping[str, object], today: dt.date | None = None,
                choices: Mapping[str, tuple] | None = None) -> tuple[str, str] | None:
    """(code, message) for a relevant field's value, or None when it is fine."""
    if is_empty(value):
        if _truthy_flag(field.required):
            return "required", field.required_message or "此项为必填项，请填写"
        return None
    allowed = _choice_names(field, choices)
    if allowed is not None:
        picked = value if isinstance(value, list) else [value]
        bad = [v for v in picked if v not in allowed]
        if bad:
            return "choice", f"选项「{'、'.join(map(str, bad))}」不在可选列表中"
    if field.constraint:
        ok = expressions.truthy(expressions.evaluate(field.constraint, ctx, current=to_expression_value(field, value),
                                                     today=today))
        if not ok:
            return "constraint", field.constraint_message or "填写的内容不符合要求，请检查"
    return None


def _truthy_flag(flag: object) -> bool:
    return str(flag).strip().lower() in ("yes", "true", "true()", "1") if flag not in (None, False) else False


def _choice_names(field, choices: Mapping[str, tuple] | None) -> set[str] | None:
    if base_type(field) not in ("select_one", "select_multiple") or not choices or not field.list_name:
        return None
    options = choices.get(field.list_name)
    return {c.name for c in options} if options is not None else None


def calculate(fields: Iterable, values: dict, ctx: dict, today: dt.date | None = None) -> None:
    """Fill calculate fields in place (in form order, so later ones see earlier results)."""
    for f in fields:
        if base_type(f) == "calculate" and f.calculation:
            result = expressions.evaluate(f.calculation, ctx, today=today)
            if isinstance(result, float) and math.isnan(result):
                result = None
            values[f.name] = result
            ctx[f.name] = "" if result is None else result


def validate_answers(instrument, answers: Mapping[str, object], today: dt.date | None = None) -> list[FieldIssue]:
    """Every issue of a stored record's answers (types, required, constraint, choices, relevance)."""
    return _validate_level(instrument.fields, answers, {}, "", today, instrument.choices)


def _validate_level(fields, answers: Mapping[str, object], outer: Mapping[str, object], prefix: str,
                    today: dt.date | None, choices) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    flat = list(_flatten_groups(fields))
    typed: dict[str, object] = {}
    for f in flat:
        if base_type(f) == "repeat":
            continue
        value, error = coerce(f, answers.get(f.name))
        if error:
            issues.append(FieldIssue(prefix + f.name, f.name, "type", error))
        typed[f.name] = value
    ctx = context([f for f in flat if base_type(f) != "repeat"], typed, outer)
    known = {f.name for f in flat}
    for name in answers:
        if name not in known:
            issues.append(FieldIssue(prefix + name, name, "unknown-field", "表单中没有这个字段"))
    for f in flat:
        path = prefix + f.name
        relevant = is_relevant(f, ctx, today)
        kind = base_type(f)
        if kind == "repeat":
            issues += _validate_repeat(f, answers.get(f.name), ctx, path, relevant, today, choices)
            continue
        if kind in NO_VALUE_TYPES or kind == "calculate":
            continue
        if not relevant:
            if not is_empty(answers.get(f.name)):
                issues.append(FieldIssue(path, f.name, "not-relevant", "该字段在当前答案下不适用，却有填写内容"))
            continue
        if any(i.path == path for i in issues):
            continue
        found = check_value(f, typed.get(f.name), ctx, today, choices)
        if found:
            issues.append(FieldIssue(path, f.name, *found))
    return issues


def _validate_repeat(field, instances: object, ctx: dict, path: str, relevant: bool, today, choices) -> list[FieldIssue]:
    if instances in (None, ""):
        return []
    if not isinstance(instances, list) or not all(isinstance(i, dict) for i in instances):
        return [FieldIssue(path, field.name, "type", "重复组的内容应为多条记录的列表")]
    if not relevant and instances:
        return [FieldIssue(path, field.name, "not-relevant", "该重复组在当前答案下不适用，却有填写内容")]
    issues = []
    for n, inst in enumerate(instances, start=1):
        issues += _validate_level(field.children, inst, ctx, f"{path}[{n}].", today, choices)
    return issues


def _flatten_groups(fields) -> Iterable:
    """Fields of one level with plain groups opened up (repeats stay as one field)."""
    for f in fields:
        if base_type(f) == "group":
            yield from _flatten_groups(f.children)
        else:
            yield f
