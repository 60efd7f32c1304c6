"""Answers as the form holds and stores them, from the cells of an export or a table.

:func:`cell_value` turns a cell into the value the form would hold (dates ISO, times
HH:MM, select_multiple a list of codes, option labels their code); what it cannot
understand is passed on for :func:`evalkit.forms.validate_answers` to judge.
:func:`typed_answers` then turns checked answers into the stored types exactly as the
form does: coerce, calculate, drop what is empty or not relevant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from evalkit.forms import base_type, evaluate_form
from evalkit.interop.candidates import CHINA, Cell, where
from evalkit.interop.problems import IMPORT_LABEL_MAPPED
from evalkit.io import tables
from evalkit.problems import Problem, problem

_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d:?\d\d)?\s*$")
_MULTI_SPLIT = re.compile(r"[┋;；,，、|/\n]+")


# ---------------------------------------------------------------- the instrument's fields

def iter_value_fields(fields, prefix: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    """(group path within this level, field) for the fields of one level (groups opened, repeats kept)."""
    for f in fields:
        if base_type(f) == "group":
            yield from iter_value_fields(f.children, (*prefix, f.name))
        else:
            yield prefix, f


def _flat(fields) -> list:
    return [f for _, f in iter_value_fields(fields)]


def role_field(instrument, role: str):
    """The field with ``role`` (unit, assessor) at the top level, or None."""
    return next((f for f in _flat(instrument.fields) if f.role == role), None)


# ---------------------------------------------------------------- cell values

def choice_lookup(instrument, field_) -> tuple[set[str], dict[str, list[str]]]:
    """(codes, label -> codes) of a select field's list (Chinese and English labels)."""
    options = instrument.choices.get(field_.list_name, ()) if field_.list_name else ()
    codes = {c.name for c in options}
    labels: dict[str, list[str]] = {}
    for c in options:
        for label in {c.label.strip(), c.label_en.strip()} - {""}:
            labels.setdefault(label, [])
            if c.name not in labels[label]:
                labels[label].append(c.name)
    return codes, labels


def cell_value(instrument, field_, value: Any, labels_used: dict | None = None, key=None) -> Any:
    """A cell as the form would hold it: dates ISO, times HH:MM, select_multiple a list of codes.

    Values that are choice *labels* become their code when exactly one option has that
    label (counted in ``labels_used[key]`` as (count, label, code)).  Anything else is
    passed on unchanged for :func:`evalkit.forms.validate_answers` to judge.
    """
    kind = base_type(field_)
    if isinstance(value, float) and value != value:
        return None
    value = tables.clean(value)
    if value == "" or value is None:
        return None
    if kind == "date":
        return _date_value(value)
    if kind == "time":
        return _time_value(value)
    if kind in ("select_one", "select_multiple"):
        return _choice_value(instrument, field_, kind, value, labels_used, key)
    if kind in ("integer", "decimal"):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        return tables.text(value)
    return value if isinstance(value, (int, float)) and kind not in ("text",) else str(value)


def _date_value(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?", text)
    if match:
        try:
            return dt.date(*map(int, match.groups())).isoformat()
        except ValueError:
            return text
    return text


def _time_value(value: Any) -> str:
    if isinstance(value, (dt.time, dt.datetime)):
        return f"{value.hour:02d}:{value.minute:02d}"
    match = _TIME.match(str(value))
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else str(value)


def _choice_value(instrument, field_, kind: str, value: Any, labels_used: dict | None, key) -> Any:
    codes, labels = choice_lookup(instrument, field_)

    def code_of(text: str) -> str:
        text = text.strip()
        if text in codes or text not in labels or len(labels[text]) != 1:
            return text
        if labels_used is not None:
            count, first_label, first_code = labels_used.get(key, (0, text, labels[text][0]))
            labels_used[key] = (count + 1, first_label, first_code)
        return labels[text][0]

    if kind == "select_one":
        return code_of(str(value))
    text = str(value).strip()
    parts = text.split()
    if all(p in codes for p in parts):
        return parts
    if text in labels:
        return [code_of(text)]
    return [code_of(p) for p in _MULTI_SPLIT.split(text) if p.strip()]


def mapped_label_problems(labels_used: dict, file: str, sheet: str | None) -> list[Problem]:
    """One INFO per column whose answers were labels turned into codes."""
    return [problem(IMPORT_LABEL_MAPPED, file=file, sheet=sheet, column=column,
                    where=where(Cell(file, sheet, None, column)), count=count, label=label, example_code=code)
            for column, (count, label, code) in labels_used.items()]


def parse_time(value: Any, naive_tz: dt.tzinfo = CHINA) -> str | None:
    """An ISO time with zone from a cell (naive times get ``naive_tz``); None when it is not a time."""
    if isinstance(value, dt.datetime):
        stamp = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        text = re.sub(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?",
                      lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", text)
        try:
            stamp = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            try:
                day = dt.date.fromisoformat(text[:10])
            except ValueError:
                return None
            stamp = dt.datetime(day.year, day.month, day.day)
    if stamp.utcoffset() is None:
        stamp = stamp.replace(tzinfo=naive_tz)
    return stamp.isoformat()


# ---------------------------------------------------------------- typed answers (as the form stores them)

def typed_answers(instrument, raw: dict, today: dt.date | None) -> dict:
    """Stored answers from checked raw answers: the one form engine (:func:`evalkit.forms.evaluate_form`)
    coerces, calculates and drops what is empty or not relevant, as the form does.  One difference on
    purpose: an export without rows for a repeat says nothing was recorded there, so no empty repeat is
    written (the form writes the repeats an assessor saw, even empty)."""
    return _without_empty_lists(evaluate_form(instrument, raw, today=today).answers)


def _without_empty_lists(answers: dict) -> dict:
    """The answers without empty repeats, at every level (an empty selection is never an answer)."""
    return {k: [_without_empty_lists(row) for row in v] if v and isinstance(v, list) and isinstance(v[0], dict) else v
            for k, v in answers.items() if v != []}
