"""XLSForm instruments: load into a frozen model and validate, collecting problems.

An instrument is an XLSForm workbook (sheets ``survey``, ``choices``,
``settings``) as shipped in ``instruments/`` and built by
``tools/build_instruments.py``.  :func:`load_instrument` returns the model
(:mod:`evalkit.forms.model`) and every problem found; the model is None when
any problem is an error, so a form is never rendered from a broken
definition.  :func:`validate_instrument` returns the problems only.

The model comes from pyxform's parsed JSON; row numbers and evalkit's own
checks come from reading the sheets cell by cell (:mod:`evalkit.forms.xlsform`), so
every mistake is named at once with its row, column and field.

evalkit's columns: ``evalkit::role`` (``unit``, ``assessor``, ``indicator``,
``rating``), ``evalkit::indicator`` (codes, comma separated; ``*`` = the
indicator chosen in the form's ``role=indicator`` field) and
``evalkit::max_mb`` (photo size limit) and ``evalkit::min_repeats`` (on a ``begin_repeat`` row: the
least number of entries; without it a repeat marked ``required`` needs one).  XLSForm's own
``repeat_count`` fixes the number of entries (:attr:`Field.repeat_count`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evalkit.forms.expression_checks import check as check_expression
from evalkit.forms.expression_syntax import references
from evalkit.forms.model import Choice, Field, Instrument
from evalkit.forms.problems import (
    EXPRESSION_UNSUPPORTED,
    FIELD_DUPLICATE,
    INDICATOR_CHOOSER_MISSING,
    INDICATOR_UNKNOWN,
    MAX_MB_INVALID,
    MAX_MB_LIMIT,
    MIN_REPEATS_INVALID,
    REFERENCE_UNKNOWN,
    REQUIRED_UNSUPPORTED,
    ROLE_MISSING,
    ROLE_UNKNOWN,
    SETTING_MISSING,
    TYPE_UNSUPPORTED,
)
from evalkit.forms.xlsform import (
    EXPRESSION_COLUMNS,
    SETTINGS,
    RawForm,
    RawRow,
    pyxform_problem,
    read_form,
    row_paths,
    run_pyxform,
    split_type,
)
from evalkit.problems import Problem, did_you_mean, problem

SUPPORTED_TYPES = ("text", "integer", "decimal", "select_one", "select_multiple", "date", "time", "note",
                   "calculate", "image", "begin_group", "end_group", "begin_repeat", "end_repeat")
ROLES = ("unit", "assessor", "indicator", "rating")
REQUIRED_ROLES = {"unit": "被评估单位", "assessor": "评估员"}
REQUIRED_SETTINGS = {"form_id": "site_visit", "version": "2018.1"}
ANY_INDICATOR = "*"
_PYXFORM_TYPES = {"select one": "select_one", "select all that apply": "select_multiple", "photo": "image"}
_CODE_SPLIT = re.compile(r"[,，、;；\s]+")
_LABEL_REF = re.compile(r"\$\{([^}]*)\}")
_EXPRESSION_LIKE = re.compile(r"\$\{|[A-Za-z][\w-]*\s*\(|^\s*\.\s*$")

# ---------------------------------------------------------------- building the model

def _languages(value: Any, default_language: str) -> tuple[str, str]:
    """(Chinese, English) from a pyxform text that is a str or a {language: text} dict."""
    if not isinstance(value, dict):
        return ("" if value is None else str(value)), ""
    zh = value.get(default_language) or next(
        (v for k, v in value.items() if "zh" in k.lower() or "中文" in k), value.get("default", ""))
    en = next((v for k, v in value.items() if "(en)" in k.lower() or "english" in k.lower()), "")
    return str(zh or ""), str(en or "")


def _number(value: Any) -> float | None:
    """The value as a float, or None for text or NaN."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _field(node: dict, path: tuple[str, ...], rows: dict, lang: str) -> Field:
    """One pyxform JSON node (and its children) as a :class:`Field`."""
    bind, extra = node.get("bind") or {}, node.get("evalkit") or {}
    name = str(node.get("name", ""))
    label, label_en = _languages(node.get("label"), lang)
    hint, hint_en = _languages(node.get("hint"), lang)
    message, message_en = _languages(bind.get("jr:constraintMsg"), lang)
    children = tuple(_field(c, (*path, name), rows, lang) for c in _visible(node.get("children", ())))
    return Field(
        name=name, type=_PYXFORM_TYPES.get(node.get("type", ""), node.get("type", "")),
        label=label, label_en=label_en, hint=hint, hint_en=hint_en,
        required=str(bind.get("required", "")).strip().lower() in ("yes", "true", "true()", "1"),
        required_message=_languages(bind.get("jr:requiredMsg"), lang)[0],
        constraint=bind.get("constraint", ""), constraint_message=message, constraint_message_en=message_en,
        relevant=bind.get("relevant", ""), default=str(node.get("default", "")),
        calculation=bind.get("calculate", ""), appearance=(node.get("control") or {}).get("appearance", ""),
        list_name=node.get("list_name", "") or "", indicators=_codes(extra.get("indicator", "")),
        role=str(extra.get("role", "")).strip(), max_mb=_number(extra.get("max_mb")),
        children=children, row=rows.get((*path, name)),
        repeat_count=str((node.get("control") or {}).get("jr:count", "") or ""),
        min_repeats=_count(extra.get("min_repeats")))


def _count(value: Any) -> int | None:
    """A non-negative whole number, or None (not given, or not a whole number: reported by the checks)."""
    number = _number(value)
    return int(number) if number is not None and number >= 0 and number == int(number) else None


def _visible(children: Iterable[dict]) -> list[dict]:
    """Children without pyxform's generated ``meta`` group (bodyless)."""
    return [c for c in children if not (c.get("control") or {}).get("bodyless")]


def _instrument(form: RawForm, data: dict, path: Path) -> Instrument:
    """The model from pyxform's JSON, with row numbers from the sheet read."""
    lang = data.get("default_language", "default")
    rows = row_paths(form.survey)
    fields = tuple(_field(c, (), rows, lang) for c in _visible(data.get("children", ())))
    choices = {
        name: tuple(Choice(str(o.get("name", "")), *_languages(o.get("label"), lang)) for o in options)
        for name, options in (data.get("choices") or {}).items()
    }
    title, title_en = _languages(data.get("title"), lang)
    title_en = str((data.get("evalkit") or {}).get("title_en", "")) or title_en
    return Instrument(id=str(data.get("id_string", "")), version=str(data.get("version", "")),
                      title=title, title_en=title_en, path=str(path), fields=fields, choices=choices,
                      sha256=hashlib.sha256(path.read_bytes()).hexdigest())


# ---------------------------------------------------------------- checks on the sheets

def _suggest(word: str, candidates: Iterable[str], *, strict: bool = True) -> str:
    """A trailing "是否应为「…」？"; strict: only candidates that really look alike, not just share letters."""
    candidates = list(candidates)
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.7) if strict else candidates
    return did_you_mean(word, close).lstrip("，")


def _codes(text: str) -> tuple[str, ...]:
    """Indicator codes in a cell; commas (also Chinese ones), 、 and spaces separate them."""
    return tuple(c for c in _CODE_SPLIT.split(str(text).strip()) if c)


def _at(form: RawForm, row: RawRow, key: str) -> dict:
    """Location keywords for a survey cell."""
    return {"file": form.file, "sheet": form.survey.name, "row": row.row,
            "column": form.survey.column(key), "field": row.get("name") or None}


def _check_types(form: RawForm) -> list[Problem]:
    """Types outside :data:`SUPPORTED_TYPES`."""
    found = []
    for row in form.survey.rows:
        kind, _ = split_type(row.get("type"))
        if kind and kind not in SUPPORTED_TYPES:
            found.append(problem(TYPE_UNSUPPORTED, **_at(form, row, "type"), type=row.get("type"),
                                 hint=_suggest(kind, SUPPORTED_TYPES), supported="、".join(SUPPORTED_TYPES)))
    return found


def _check_names(form: RawForm) -> list[Problem]:
    """Names used twice anywhere in the form (case-insensitive, as pyxform compares)."""
    found, first = [], {}
    for row in form.survey.rows:
        name = row.get("name")
        if not name or not row.get("type"):
            continue
        if name.lower() in first:
            found.append(problem(FIELD_DUPLICATE, **_at(form, row, "name"), first_row=first[name.lower()]))
        else:
            first[name.lower()] = row.row
    return found


def _check_expression(form: RawForm, row: RawRow, key: str, text: str, names: set[str]) -> list[Problem]:
    """One expression cell: the supported subset first, then its ``${…}`` references."""
    at = _at(form, row, key)
    messages = check_expression(text)
    if messages:
        return [problem(EXPRESSION_UNSUPPORTED, **at, expression=text, detail="；".join(messages))]
    unknown = sorted(references(text) - names)
    return [problem(REFERENCE_UNKNOWN, **at, ref=ref, hint=_suggest(ref, names)) for ref in unknown]


def _check_expressions(form: RawForm, names: set[str]) -> list[Problem]:
    """Expression columns (``default`` only when it looks like an expression) and ``${…}`` in labels/hints."""
    found = []
    for row in form.survey.rows:
        for key in EXPRESSION_COLUMNS:
            text = row.get(key)
            if text and (key != "default" or _EXPRESSION_LIKE.search(text)):
                found += _check_expression(form, row, key, text, names)
        for header, text in {**row.with_prefix("label"), **row.with_prefix("hint")}.items():
            for ref in sorted(set(_LABEL_REF.findall(text)) - names):
                found.append(problem(REFERENCE_UNKNOWN, **_at(form, row, header), ref=ref,
                                     hint=_suggest(ref, names)))
    return found


def _check_roles(form: RawForm) -> list[Problem]:
    """Unknown ``evalkit::role`` values and missing unit/assessor fields."""
    found, seen = [], set()
    for row in form.survey.rows:
        role = row.get("role").strip().lower()
        if role and role not in ROLES:
            found.append(problem(ROLE_UNKNOWN, **_at(form, row, "role"), role=role, hint=_suggest(role, ROLES)))
        seen.add(role)
    for role, label in REQUIRED_ROLES.items():
        if role not in seen:
            found.append(problem(ROLE_MISSING, file=form.file, sheet=form.survey.name,
                                 column=form.survey.column("role"), role=role, label=label))
    return found


def _check_indicators(form: RawForm, codes: set[str] | None) -> list[Problem]:
    """``evalkit::indicator`` codes against the framework; ``*`` needs a ``role=indicator`` field."""
    found = []
    has_chooser = any(r.get("role").strip().lower() == "indicator" for r in form.survey.rows)
    for row in form.survey.rows:
        for code in _codes(row.get("indicator")):
            if code == ANY_INDICATOR and not has_chooser:
                found.append(problem(INDICATOR_CHOOSER_MISSING, **_at(form, row, "indicator")))
            elif code != ANY_INDICATOR and codes is not None and code not in codes:
                found.append(problem(INDICATOR_UNKNOWN, **_at(form, row, "indicator"), indicator=code,
                                     hint=_suggest(code, sorted(codes), strict=False)))
    return found + _check_indicator_choices(form, codes)


def _check_indicator_choices(form: RawForm, codes: set[str] | None) -> list[Problem]:
    """Options of the list behind a ``role=indicator`` field must be framework codes."""
    if codes is None or form.choices is None:
        return []
    lists = {split_type(r.get("type"))[1] for r in form.survey.rows if r.get("role").strip().lower() == "indicator"}
    found = []
    for row in form.choices.rows:
        code = row.get("name")
        if row.get("list_name") in lists and code and code not in codes:
            found.append(problem(INDICATOR_UNKNOWN, file=form.file, sheet=form.choices.name, row=row.row,
                                 column=form.choices.column("name"), indicator=code, field=row.get("list_name"),
                                 hint=_suggest(code, sorted(codes), strict=False)))
    return found


def _check_required(form: RawForm) -> list[Problem]:
    """``required`` must be yes/no (or true/false): a conditional required would be silently ignored."""
    allowed = {"yes", "no", "true", "false", "true()", "false()", "1", "0"}
    return [problem(REQUIRED_UNSUPPORTED, **_at(form, row, "required"), value=row.get("required"))
            for row in form.survey.rows if row.get("required") and row.get("required").strip().lower() not in allowed]


def _check_max_mb(form: RawForm) -> list[Problem]:
    """``evalkit::max_mb`` must be a positive number where given."""
    found = []
    for row in form.survey.rows:
        value = row.get("max_mb")
        number = _number(value) if value else 1.0
        if number is None or not 0 < number <= MAX_MB_LIMIT:
            found.append(problem(MAX_MB_INVALID, **_at(form, row, "max_mb"), value=value))
    return found


def _check_min_repeats(form: RawForm) -> list[Problem]:
    """``evalkit::min_repeats`` only on a begin_repeat row, and a whole number 0–100."""
    found = []
    for row in form.survey.rows:
        value = row.get("min_repeats")
        if not value:
            continue
        number = _number(value)
        on_repeat = split_type(row.get("type"))[0] == "begin_repeat"
        if not on_repeat or number is None or number != int(number) or not 0 <= number <= 100:
            found.append(problem(MIN_REPEATS_INVALID, **_at(form, row, "min_repeats"), value=value))
    return found


def _check_settings(form: RawForm) -> list[Problem]:
    """form_id and version must be set."""
    sheet = form.settings.name if form.settings is not None else SETTINGS
    detail = "" if form.settings is not None else "（整个 settings 工作表都不存在）"
    return [problem(SETTING_MISSING, file=form.file, sheet=sheet, row=2 if form.settings is not None else None,
                    column=key, detail=detail, example=example)
            for key, example in REQUIRED_SETTINGS.items() if not form.setting(key)]


def check_form(form: RawForm, framework_codes: set[str] | None = None) -> list[Problem]:
    """evalkit's own checks on the sheets, in a stable order."""
    names = {r.get("name") for r in form.survey.rows if r.get("name") and r.get("type")}
    return (_check_settings(form) + _check_types(form) + _check_names(form) + _check_roles(form)
            + _check_expressions(form, names) + _check_indicators(form, framework_codes) + _check_required(form)
            + _check_max_mb(form) + _check_min_repeats(form))


# ---------------------------------------------------------------- entry points

def load_instrument(path: str | Path,
                    framework_codes: set[str] | None = None) -> tuple[Instrument | None, list[Problem]]:
    """Load and check an XLSForm; the instrument is None when any problem is an error.

    ``framework_codes`` (optional) are the indicator codes of the framework in
    use; without them indicator codes are not checked against a framework.
    """
    path = Path(path)
    form, problems = read_form(path)
    if form is None:
        return None, problems
    problems = check_form(form, framework_codes)
    data, exc = run_pyxform(path)
    if exc is not None:
        extra = pyxform_problem(form, exc)
        same_place = [p for p in problems if p.is_error and extra.row is not None
                      and (p.sheet, p.row) == (extra.sheet, extra.row)]
        if not same_place:
            problems.append(extra)
    if data is None or any(p.is_error for p in problems):
        return None, problems
    return _instrument(form, data, path), problems


def validate_instrument(path: str | Path, framework_codes: set[str] | None = None) -> list[Problem]:
    """Every problem of an instrument workbook (see :func:`load_instrument`)."""
    return load_instrument(path, framework_codes)[1]
