"""The form engine: one walk of an instrument's answers, for the live form and for stored records.

:func:`evaluate_form` takes the answers of one record — as the form's widgets
hold them (:data:`Mode.ENTRY`) or as a record was stored (:data:`Mode.STORED`)
— and returns a frozen :class:`FormState`: the answers as they are stored,
every issue by path (``citizens[2].trips``, instances counted from 1), the
paths of the fields, groups and repeats that are hidden (not relevant), and
the value of each calculate field.  The live form only collects what was
typed, calls the engine and shows the result; batch validation
(:func:`validate_answers`) is the same walk of a stored record, so a form's
behaviour can be tested without widgets.

Each level (the form, or one repeat instance; plain groups opened up) is
walked in three passes:

1. every answer is typed (:func:`evalkit.forms.responses.coerce`): text in a
   number field is a ``type`` issue and stays as typed for the expressions;
2. entry: the calculate fields are computed in form order; stored: the stored
   values of calculate fields are used as they are, and a name the level does
   not have is an ``unknown-field`` issue;
3. in form order: a group, field or repeat is relevant when every group around
   it is and its own ``relevant`` holds (expressions see every answer of the
   level, and of the enclosing levels, hidden or not).  A relevant field is
   checked (required, choices, constraint; one issue per field) and its
   non-empty valid value kept.  A hidden field's value is dropped in entry
   mode and a ``not-relevant`` issue in stored mode; a repeat's instances are
   walked as levels of their own.  In entry mode a relevant repeat must have its
   number of entries: exactly its ``repeat_count``, else at least its
   ``evalkit::min_repeats`` (the form refuses a hotline test without a call);
   stored records and imports are not refused for it (an export may carry its
   repeats in a file that was not given).

Issues come in form order in entry mode; in stored mode, as batch validation
always reported them, the ``type`` issues of a level come first, then its
unknown fields, then the rest in form order.  Errors the widgets found
themselves (an upload refused for its size) are given as ``errors`` by path
and count as ``type`` issues of that field.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as default_field
from functools import cached_property

from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_values import truthy
from evalkit.forms.model import Level, Step
from evalkit.forms.responses import (
    SELECT_TYPES,
    calculate,
    check_answer,
    coerce_given,
    expression_value_kind,
    is_empty,
    missing,
)

UNKNOWN_FIELD = "表单中没有这个字段"
NOT_RELEVANT = "该字段在当前答案下不适用，却有填写内容"
REPEAT_NOT_RELEVANT = "该重复组在当前答案下不适用，却有填写内容"
REPEAT_NOT_A_LIST = "重复组的内容应为多条记录的列表"
REPEAT_TOO_FEW = "请至少添加 {n} 条「{label}」"
REPEAT_COUNT = "「{label}」应为 {n} 条（现有 {have} 条）"
_CONTROL_KINDS = frozenset({"repeat", "group", "calculate", "note"})  # steps that hold no answer of their own


class Mode(enum.Enum):
    """What the answers given to :func:`evaluate_form` are."""

    ENTRY = "entry"  # as the widgets hold them: calculates computed, hidden values dropped
    STORED = "stored"  # a stored record: calculates as stored, hidden values and unknown fields reported


@dataclass(frozen=True)
class FieldIssue:
    """A problem with one answer: ``path`` is e.g. ``citizens[2].trips`` (1-based instances)."""

    path: str
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class FormState:
    """What the engine worked out of one record's answers.

    ``answers``: as stored (typed; relevant, non-empty and well-typed values only; repeats as
    lists of instance answers; calculate fields computed in entry mode, as stored otherwise).
    ``issues``: every issue, by path.  ``hidden``: the paths of the groups, fields and repeats
    that are not relevant (inside repeat instances too, e.g. ``citizens[2].reason``; the
    instances of a hidden repeat are not walked).  ``calculated``: each calculate field's value
    by path, hidden or not.  ``counts``: the number of entries each relevant repeat with a
    ``repeat_count`` must have, by path.
    """

    answers: Mapping[str, object]
    issues: tuple[FieldIssue, ...]
    hidden: frozenset[str]
    calculated: Mapping[str, object]
    counts: Mapping[str, int] = default_field(default_factory=dict)

    @cached_property
    def by_path(self) -> dict[str, FieldIssue]:
        """The first issue of each path."""
        found: dict[str, FieldIssue] = {}
        for issue in self.issues:
            found.setdefault(issue.path, issue)
        return found


def evaluate_form(instrument, raw: Mapping[str, object], *, mode: Mode = Mode.ENTRY, today: dt.date | None = None,
                  errors: Mapping[str, str] | None = None) -> FormState:
    """Walk ``raw`` against the instrument; ``today`` is the day ``today()`` means (default: the clock's)."""
    walk = _Walk(mode is Mode.STORED, today, instrument.choice_names, errors or {})
    answers = walk.level(instrument.level, raw, {}, "")
    return FormState(answers, tuple(walk.issues), frozenset(walk.hidden), walk.calculated, walk.counts)


def validate_answers(instrument, answers: Mapping[str, object], today: dt.date | None = None) -> list[FieldIssue]:
    """Every issue of a stored record's answers (types, required, constraint, choices, relevance).

    The issues of :func:`evaluate_form` in :data:`Mode.STORED`, without building the rest of the state.
    """
    walk = _Walk(True, today, instrument.choice_names, {})
    walk.level(instrument.level, answers, {}, "")
    return walk.issues


class _Walk:
    """One call of :func:`evaluate_form`: its settings and what it has found so far."""

    __slots__ = ("stored", "today", "choices", "errors", "issues", "hidden", "calculated", "counts")

    def __init__(self, stored: bool, today: dt.date | None, choices: Mapping[str, frozenset],
                 errors: Mapping[str, str]):
        self.stored, self.today, self.choices, self.errors = stored, today, choices, errors
        self.issues: list[FieldIssue] = []
        self.hidden: set[str] = set()
        self.calculated: dict[str, object] = {}
        self.counts: dict[str, int] = {}

    def level(self, level: Level, raw: Mapping[str, object], outer: Mapping[str, object], prefix: str) -> dict:
        """The stored answers of one level; issues, hidden paths and calculated values go to the walk."""
        stored, today, issues, hidden = self.stored, self.today, self.issues, self.hidden
        typed, ctx, type_errors = self._typed(level, raw, outer, prefix)
        if stored:
            names = level.names
            for name in raw:
                if name not in names:
                    issues.append(FieldIssue(prefix + name, name, "unknown-field", UNKNOWN_FIELD))
        elif level.calculates:
            calculate(level.calculates, typed, ctx, today)
        answers: dict = {}
        hidden_groups: set[str] = set()
        for step in level.steps:
            field, name, kind, condition, groups = step
            path = prefix + name
            if hidden_groups and groups and any(g.name in hidden_groups for g in groups):
                relevant = False
            else:
                relevant = not condition or truthy(evaluate(condition, ctx, today=today))
            if not relevant:
                hidden.add(path)
            if kind in _CONTROL_KINDS:
                if kind == "repeat":
                    self._repeat(step, raw.get(name), ctx, path, relevant, answers)
                elif kind == "group" and not relevant:
                    hidden_groups.add(name)
                elif kind == "calculate":
                    value = self.calculated[path] = typed[name]
                    if relevant and not is_empty(value):
                        answers[name] = value
            elif not relevant:  # a field that holds an answer, from here on
                if stored and not is_empty(raw.get(name)):
                    issues.append(FieldIssue(path, name, "not-relevant", NOT_RELEVANT))
            elif name in type_errors:
                if not stored:  # stored: reported with the level's types, first
                    issues.append(FieldIssue(path, name, "type", type_errors[name]))
            else:
                value = typed[name]
                if is_empty(value):
                    found = missing(field)
                else:
                    answers[name] = value
                    allowed = self.choices.get(field.list_name) if kind in SELECT_TYPES and field.list_name else None
                    found = check_answer(field, kind, value, ctx, today, allowed)
                if found:
                    issues.append(FieldIssue(path, name, *found))
        return answers

    def _typed(self, level: Level, raw: Mapping[str, object], outer: Mapping[str, object],
               prefix: str) -> tuple[dict, dict, dict]:
        """Pass 1: (typed values, expression context, type error by name) of one level."""
        typed: dict[str, object] = {}
        ctx = dict(outer)  # the outer answers overlaid with this level's
        type_errors: dict[str, str] = {}
        for _, name, kind, _, _ in level.values:
            value = raw.get(name)
            if is_empty(value):
                value = [] if kind == "select_multiple" else None
                ctx[name] = ""
            else:
                value, error = coerce_given(kind, value)
                if error:
                    type_errors[name] = error
                ctx[name] = "" if is_empty(value) else expression_value_kind(kind, value)
            typed[name] = value
        if self.errors:  # what the widgets refused themselves, unless the value is already wrong
            for _, name, _, _, _ in level.values:
                if name not in type_errors and prefix + name in self.errors:
                    type_errors[name] = self.errors[prefix + name]
        if type_errors and self.stored:
            self.issues += [FieldIssue(prefix + name, name, "type", error) for name, error in type_errors.items()]
        return typed, ctx, type_errors

    def _repeat(self, step: Step, instances: object, ctx: dict, path: str, relevant: bool, answers: dict) -> None:
        """Pass 3 for a repeat: its instances as levels of their own."""
        if instances is None or instances == "":
            instances = []
        elif not isinstance(instances, list) or not all(isinstance(i, dict) for i in instances):
            self.issues.append(FieldIssue(path, step.name, "type", REPEAT_NOT_A_LIST))
            return
        if not relevant:
            if self.stored and instances:
                self.issues.append(FieldIssue(path, step.name, "not-relevant", REPEAT_NOT_RELEVANT))
            return
        answers[step.name] = [self.level(step.field.level, inst, ctx, f"{path}[{n}].")
                              for n, inst in enumerate(instances, start=1)]
        if not self.stored:  # the form's rule: an export may carry its repeats in a file not given
            self._count(step.field, len(instances), ctx, path)

    def _count(self, repeat, have: int, ctx: dict, path: str) -> None:
        """The number of entries of a relevant repeat: exactly its ``repeat_count``, else at least its
        :attr:`~evalkit.forms.model.Field.fewest` (a ``required`` issue: asked for on submit)."""
        label = repeat.label or repeat.name
        if repeat.repeat_count:
            try:
                wanted = max(int(float(evaluate(repeat.repeat_count, ctx, today=self.today))), 0)
            except (TypeError, ValueError, OverflowError):
                wanted = None  # not known yet (the number it depends on is not given)
            if wanted is not None:
                self.counts[path] = wanted
                if have != wanted:
                    self.issues.append(FieldIssue(path, repeat.name, "count",
                                                  REPEAT_COUNT.format(label=label, n=wanted, have=have)))
                return
        if have < repeat.fewest:
            message = repeat.required_message or REPEAT_TOO_FEW.format(n=repeat.fewest, label=label)
            self.issues.append(FieldIssue(path, repeat.name, "required", message))
