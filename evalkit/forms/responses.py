"""Answers against an instrument: types, required, constraints, relevance, choices.

One set of rules serves the live form (a message beside the field as the
assessor types) and the batch validation of stored records.  XLSForm
semantics, as ODK applies them:

- ``relevant`` hides a field; a hidden field's value is not part of the record
  (the form drops it; a stored record that still has one is reported);
- ``required`` applies only to relevant fields;
- ``constraint`` is evaluated only for a non-empty value, with ``.`` as the value;
- ``calculate`` fields are computed from the other answers.

Expressions go through :mod:`evalkit.forms.expression_evaluation`; nothing is ever ``eval``-ed.
Inside a repeat, ``${x}`` refers to the sibling in the same repeat instance
when there is one, else to the top-level field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pyxform.utils import default_is_dynamic

from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_values import truthy

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


_BASE_TYPES: dict[object, str] = {}


def base_type(field) -> str:
    """``select_one list`` → ``select_one``; ``begin_repeat`` → ``repeat`` (cached per type text)."""
    written = field.type
    try:
        return _BASE_TYPES[written]
    except KeyError:
        kind = _BASE_TYPES[written] = _base_type_text(written)
        return kind
    except TypeError:  # an unhashable type value: nothing to cache
        return _base_type_text(written)


def _base_type_text(written) -> str:
    t = (written or "").replace(" ", "_").lower()
    if t.startswith("select_one"):
        return "select_one"
    if t.startswith("select_multiple") or t.startswith("select_all_that_apply"):
        return "select_multiple"
    return {"begin_repeat": "repeat", "begin_group": "group", "photo": "image", "int": "integer",
            "string": "text"}.get(t, t)


def is_empty(value: object) -> bool:
    kind = type(value)
    if kind is str or kind is list:  # the common cases first; same results as below
        return not value
    if kind is int or kind is bool or kind is dict:
        return False
    return value is None or value == "" or value == [] or (isinstance(value, float) and math.isnan(value))


def coerce(field, raw: object) -> tuple[object, str | None]:
    """Turn what the assessor typed into the stored value, or give a Chinese message."""
    return _coerce(base_type(field), raw)


def _coerce(kind: str, raw: object) -> tuple[object, str | None]:
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
    return _to_expression_value(base_type(field), value)


def _to_expression_value(kind: str, value: object) -> object:
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
    if not field.relevant:
        return True
    return truthy(evaluate(field.relevant, ctx, today=today))


def check_value(field, value: object, ctx: Mapping[str, object], today: dt.date | None = None,
                choices: Mapping[str, tuple] | None = None) -> tuple[str, str] | None:
    """(code, message) for a relevant field's value, or None when it is fine."""
    return _check_value(field, base_type(field), value, ctx, today, choices)


def _check_value(field, kind: str, value: object, ctx: Mapping[str, object], today: dt.date | None,
                 choices: Mapping[str, tuple] | None) -> tuple[str, str] | None:
    if is_empty(value):
        if _truthy_flag(field.required):
            return "required", field.required_message or "此项为必填项，请填写"
        return None
    allowed = _choice_names_of(field, kind, choices)
    if allowed is not None:
        picked = value if isinstance(value, list) else [value]
        bad = [v for v in picked if v not in allowed]
        if bad:
            return "choice", f"选项「{'、'.join(map(str, bad))}」不在可选列表中"
    if field.constraint:
        ok = truthy(evaluate(field.constraint, ctx, current=to_expression_value(field, value),
                                                     today=today))
        if not ok:
            return "constraint", field.constraint_message or "填写的内容不符合要求，请检查"
    return None


def _truthy_flag(flag: object) -> bool:
    return str(flag).strip().lower() in ("yes", "true", "true()", "1") if flag not in (None, False) else False


def _choice_names(field, choices: Mapping[str, tuple] | None) -> set[str] | None:
    return _choice_names_of(field, base_type(field), choices)


_CHOICE_NAMES: dict[int, tuple[object, frozenset]] = {}


def _choice_names_of(field, kind: str, choices: Mapping[str, tuple] | None) -> frozenset | None:
    if kind not in ("select_one", "select_multiple") or not choices or not field.list_name:
        return None
    options = choices.get(field.list_name)
    if options is None:
        return None
    if not isinstance(options, tuple):  # a mutable list could change: no cache
        return frozenset(c.name for c in options)
    entry = _CHOICE_NAMES.get(id(options))  # the entry keeps the tuple alive, so its id is not reused
    if entry is None or entry[0] is not options:
        if len(_CHOICE_NAMES) >= 1024:
            _CHOICE_NAMES.clear()
        entry = _CHOICE_NAMES[id(options)] = (options, frozenset(c.name for c in options))
    return entry[1]


def calculate(fields: Iterable, values: dict, ctx: dict, today: dt.date | None = None) -> None:
    """Fill calculate fields in place (in form order, so later ones see earlier results)."""
    for f in fields:
        if base_type(f) == "calculate" and f.calculation:
            result = evaluate(f.calculation, ctx, today=today)
            if isinstance(result, float) and math.isnan(result):
                result = None
            values[f.name] = result
            ctx[f.name] = "" if result is None else result


def validate_answers(instrument, answers: Mapping[str, object], today: dt.date | None = None) -> list[FieldIssue]:
    """Every issue of a stored record's answers (types, required, constraint, choices, relevance)."""
    return _validate_level(instrument.fields, answers, {}, "", today, instrument.choices)


class _Level:
    """What :func:`_validate_level` needs of one level's fields, worked out once per fields tuple."""

    __slots__ = ("fields", "steps", "valued", "known")

    def __init__(self, fields):
        self.fields = fields
        flat = list(_flatten_groups(fields))
        # (field, name, base type, relevant) in form order; ``valued`` leaves out repeats (they hold instances)
        self.steps = [(f, f.name, base_type(f), f.relevant) for f in flat]
        self.valued = [step[:3] for step in self.steps if step[2] != "repeat"]
        self.known = {f.name for f in flat}


_LEVELS: dict[int, _Level] = {}


def _level(fields) -> _Level:
    """The cached :class:`_Level` of a fields tuple (a list or other iterable is not cached)."""
    if not isinstance(fields, tuple):
        return _Level(fields)
    level = _LEVELS.get(id(fields))  # the _Level keeps the tuple alive, so its id is not reused
    if level is None or level.fields is not fields:
        if len(_LEVELS) >= 4096:
            _LEVELS.clear()
        level = _LEVELS[id(fields)] = _Level(fields)
    return level


def _validate_level(fields, answers: Mapping[str, object], outer: Mapping[str, object], prefix: str,
                    today: dt.date | None, choices) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    paths: set[str] = set()  # every issue path so far at this level (one issue per field)
    level = _level(fields)
    typed: dict[str, object] = {}
    ctx = dict(outer or {})  # as context(): outer answers overlaid with this level's
    for f, name, kind in level.valued:
        raw = answers.get(name)
        if is_empty(raw):
            value = [] if kind == "select_multiple" else None
            ctx[name] = ""
        else:
            value, error = _coerce(kind, raw)
            if error:
                path = prefix + name
                issues.append(FieldIssue(path, name, "type", error))
                paths.add(path)
            ctx[name] = "" if is_empty(value) else _to_expression_value(kind, value)
        typed[name] = value
    known = level.known
    for name in answers:
        if name not in known:
            path = prefix + name
            issues.append(FieldIssue(path, name, "unknown-field", "表单中没有这个字段"))
            paths.add(path)
    for f, name, kind, condition in level.steps:
        path = prefix + name
        relevant = True if not condition else truthy(evaluate(condition, ctx, today=today))
        if kind == "repeat":
            found = _validate_repeat(f, answers.get(name), ctx, path, relevant, today, choices)
            issues += found
            paths.update(i.path for i in found)
            continue
        if kind in NO_VALUE_TYPES or kind == "calculate":
            continue
        if not relevant:
            if not is_empty(answers.get(name)):
                issues.append(FieldIssue(path, name, "not-relevant", "该字段在当前答案下不适用，却有填写内容"))
                paths.add(path)
            continue
        if path in paths:
            continue
        found = _check_value(f, kind, typed.get(name), ctx, today, choices)
        if found:
            issues.append(FieldIssue(path, name, *found))
            paths.add(path)
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
