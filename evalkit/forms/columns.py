"""Validation of many stored records of one instrument at once, column by column.

:func:`validate_many` gives, for each record, exactly the issues
:func:`evalkit.forms.validate_answers` gives it — same issues, same order, same
paths and messages — but walks each level of the form (the form, then all the
instances of a repeat across the records) once per field instead of once per
record:

- each answer column is typed by coercing each distinct raw value once;
- an expression (``relevant``, ``constraint``) is evaluated once per distinct
  combination of what it reads — the values of the names it references, as the
  evaluator sees them, the current value for a constraint and the record's day
  only when it calls ``today()`` — and the result is shared by the rows that
  have the same combination;
- a repeat's instances become the rows of a child level, keyed by record and
  instance, whose expressions see the enclosing level's values by row.

What takes the row engine (:func:`validate_answers`, one record at a time): a
record whose answers are not a plain ``dict``, and every record of an
instrument with an expression the evaluator would refuse (so that the error is
raised as the row engine raises it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from evalkit.forms.engine import (
    NOT_RELEVANT,
    REPEAT_NOT_A_LIST,
    REPEAT_NOT_RELEVANT,
    UNKNOWN_FIELD,
    FieldIssue,
    validate_answers,
)
from evalkit.forms.expression_checks import static_problems
from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_syntax import Call, ExpressionError, Ref, parse, walk_nodes
from evalkit.forms.expression_values import from_python, truthy
from evalkit.forms.model import Level
from evalkit.forms.responses import (
    SELECT_TYPES,
    check_answer,
    coerce_given,
    expression_value_kind,
    is_empty,
    missing,
)

_MISS = object()


def validate_many(instrument, answers: Sequence[object], todays: Sequence[dt.date | None]) -> list[list[FieldIssue]]:
    """The issues of each record's stored answers (``answers[i]`` on day ``todays[i]``), each list equal to
    ``validate_answers(instrument, answers[i], today=todays[i])``; see the module docstring."""
    found: list[list[FieldIssue]] = [[] for _ in answers]
    if not _expressions_ok(instrument):
        for i, raw in enumerate(answers):
            found[i] = validate_answers(instrument, raw, today=todays[i])
        return found
    rows = [i for i, raw in enumerate(answers) if type(raw) is dict]
    plain = set(rows)
    for i, raw in enumerate(answers):
        if i not in plain:
            found[i] = validate_answers(instrument, raw, today=todays[i])
    if rows:
        walk = _Walk(instrument.choice_names)
        level_issues = walk.level(instrument.level, [answers[i] for i in rows], None, None,
                                  [""] * len(rows), [todays[i] for i in rows])
        for at, i in enumerate(rows):
            found[i] = level_issues.get(at, [])
    return found


def _expressions_ok(instrument) -> bool:
    """Whether every ``relevant`` and ``constraint`` of the instrument parses and passes the static checks."""
    try:
        return not any(static_problems(parse(text)) for text in _expressions(instrument.level))
    except ExpressionError:
        return False


def _expressions(level: Level):
    for step in level.steps:
        if step.relevant:
            yield step.relevant
        if step.kind not in ("group", "repeat", "calculate", "note") and step.field.constraint:
            yield step.field.constraint
        if step.kind == "repeat":
            yield from _expressions(step.field.level)


_READS: dict[str, tuple[tuple[str, ...], bool]] = {}


def _reads(text: str) -> tuple[tuple[str, ...], bool]:
    """(the names an expression references, sorted; whether it calls ``today()``), once per text."""
    try:
        return _READS[text]
    except KeyError:
        nodes = list(walk_nodes(parse(text)))
        names = tuple(sorted({n.name for n in nodes if isinstance(n, Ref)}))
        found = _READS[text] = (names, any(isinstance(n, Call) and n.name == "today" for n in nodes))
        return found


def _canonical(value: object) -> tuple[object, object]:
    """(the value as the evaluator reads it, a hashable key equal only for values it reads alike)."""
    seen = from_python(value)  # idempotent: evaluating with ``seen`` reads ``seen``
    kind = type(seen)
    if kind is str:
        return seen, seen
    if kind is float:
        return seen, (float, repr(seen))  # 0.0 and -0.0 apart
    return seen, (kind, seen)


def _raw_key(value: object) -> object:
    """A key for a non-empty raw answer, equal only for answers coerced alike; None: unhashable, no key."""
    kind = type(value)
    if kind is str:
        return value
    if kind is int or kind is float or kind is bool:
        return kind, repr(value)
    if kind is list and all(type(v) is str for v in value):
        return list, tuple(value)
    return None


def _typed_key(value: object) -> object:
    """A key for a typed non-empty value, equal only for values checked alike (None: no key)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is list and all(type(v) is str for v in value):
        return list, tuple(value)
    if kind is int or kind is float or kind is bool:
        return kind, repr(value)
    if kind is dt.date or kind is dt.time:
        return kind, value
    return None


class _Columns:
    """The expression values of one level's rows by name, the enclosing level's behind them (by parent row)."""

    __slots__ = ("own", "parent", "parents", "cache")

    def __init__(self, own: dict[str, list], parent: _Columns | None, parents: list[int] | None):
        self.own, self.parent, self.parents = own, parent, parents
        self.cache: dict[str, tuple[list, list] | None] = {}

    def column(self, name: str) -> tuple[list, list] | None:
        """(values as the evaluator reads them, keys) of ``name`` by row; None: no level has it (reads "")."""
        try:
            return self.cache[name]
        except KeyError:
            pass
        if name in self.own:
            pairs = [_canonical(v) for v in self.own[name]]
            found = [p[0] for p in pairs], [p[1] for p in pairs]
        elif self.parent is not None:
            outer = self.parent.column(name)
            found = None if outer is None else ([outer[0][p] for p in self.parents],
                                                [outer[1][p] for p in self.parents])
        else:
            found = None
        self.cache[name] = found
        return found


class _Walk:
    """One call of :func:`validate_many`: the choice lists and the evaluations shared between rows."""

    def __init__(self, choices: Mapping[str, frozenset]):
        self.choices = choices

    def level(self, level: Level, raws: list, parent: _Columns | None, parents: list[int] | None,
              prefixes: list[str], todays: list) -> dict[int, list[FieldIssue]]:
        """The issues of each row (by index, rows without issues left out) of one level's rows."""
        issues: dict[int, list[FieldIssue]] = {}
        typed, own, type_errors = self._typed(level, raws, prefixes, issues)
        names = level.names
        for i, raw in enumerate(raws):
            if not names.issuperset(raw):
                for name in raw:
                    if name not in names:
                        issues.setdefault(i, []).append(FieldIssue(prefixes[i] + name, name, "unknown-field",
                                                                   UNKNOWN_FIELD))
        columns = _Columns(own, parent, parents)
        everyone = range(len(raws))
        hidden_groups: dict[str, set[int]] = {}
        for step in level.steps:
            field, name, kind, condition, groups = step
            blocked: set[int] = set()
            for g in groups:
                blocked |= hidden_groups.get(g.name, set())
            candidates = [i for i in everyone if i not in blocked] if blocked else everyone
            hidden = blocked | self._false(condition, candidates, columns, todays) if condition else blocked
            if kind == "repeat":
                self._repeat(step, raws, hidden, columns, prefixes, todays, issues)
            elif kind == "group":
                if hidden:
                    hidden_groups[name] = hidden
            elif kind in ("calculate", "note"):
                continue
            else:
                self._field(step, raws, hidden, typed[name], type_errors.get(name, ()), columns, prefixes,
                            todays, issues)
        return issues

    def _typed(self, level: Level, raws: list, prefixes: list[str],
               issues: dict[int, list[FieldIssue]]) -> tuple[dict, dict, dict]:
        """Pass 1: typed values and expression values by name and row; the rows with a type error by name."""
        typed: dict[str, list] = {}
        own: dict[str, list] = {}
        type_errors: dict[str, set[int]] = {}
        for _, name, kind, _, _ in level.values:
            values: list = []
            seen: list = []
            errors: dict[int, str] = {}
            cache: dict = {}
            empty = [] if kind == "select_multiple" else None
            for i, value in enumerate([raw.get(name) for raw in raws]):
                if is_empty(value):
                    values.append([] if empty is not None else None)
                    seen.append("")
                    continue
                key = _raw_key(value)
                done = cache.get(key, _MISS) if key is not None else _MISS
                if done is _MISS:
                    result, error = coerce_given(kind, value)
                    done = result, error, "" if is_empty(result) else expression_value_kind(kind, result)
                    if key is not None:
                        cache[key] = done
                values.append(done[0])
                seen.append(done[2])
                if done[1]:
                    errors[i] = done[1]
            typed[name], own[name] = values, seen
            if errors:
                type_errors[name] = set(errors)
                for i, error in errors.items():
                    issues.setdefault(i, []).append(FieldIssue(prefixes[i] + name, name, "type", error))
        return typed, own, type_errors

    def _false(self, condition: str, rows, columns: _Columns, todays: list) -> set[int]:
        """The rows among ``rows`` where ``condition`` does not hold (one evaluation per distinct input)."""
        refs, dated = _reads(condition)
        cols = [columns.column(n) for n in refs]
        memo: dict = {}
        false: set[int] = set()
        for i in rows:
            key = tuple(None if c is None else c[1][i] for c in cols)
            if dated:
                key += (todays[i],)
            holds = memo.get(key, _MISS)
            if holds is _MISS:
                ctx = {n: c[0][i] for n, c in zip(refs, cols) if c is not None}
                holds = memo[key] = truthy(evaluate(condition, ctx, today=todays[i]))
            if not holds:
                false.add(i)
        return false

    def _field(self, step, raws: list, hidden: set[int], values: list, wrong, columns: _Columns,
               prefixes: list[str], todays: list, issues: dict[int, list[FieldIssue]]) -> None:
        """Pass 3 for a field that holds an answer: not relevant but given, else required, choices, constraint."""
        field, name, kind = step.field, step.name, step.kind
        for i in hidden:
            if not is_empty(raws[i].get(name)):
                issues.setdefault(i, []).append(FieldIssue(prefixes[i] + name, name, "not-relevant", NOT_RELEVANT))
        absent = missing(field)
        allowed = self.choices.get(field.list_name) if kind in SELECT_TYPES and field.list_name else None
        refs, dated = _reads(field.constraint) if field.constraint else ((), False)
        cols = [columns.column(n) for n in refs]
        memo: dict = {}
        for i, value in enumerate(values):
            if i in hidden or i in wrong:
                continue
            if is_empty(value):
                found = absent
            elif allowed is None and not field.constraint:
                continue
            else:
                key = _typed_key(value)
                if key is not None:
                    key = (key, *(None if c is None else c[1][i] for c in cols))
                    if dated:
                        key += (todays[i],)
                found = memo.get(key, _MISS) if key is not None else _MISS
                if found is _MISS:
                    ctx = {n: c[0][i] for n, c in zip(refs, cols) if c is not None}
                    found = check_answer(field, kind, value, ctx, todays[i], allowed)
                    if key is not None:
                        memo[key] = found
            if found:
                issues.setdefault(i, []).append(FieldIssue(prefixes[i] + name, name, *found))

    def _repeat(self, step, raws: list, hidden: set[int], columns: _Columns, prefixes: list[str], todays: list,
                issues: dict[int, list[FieldIssue]]) -> None:
        """Pass 3 for a repeat: the instances of the relevant ones, across rows, as the rows of its own level."""
        name = step.name
        children: list = []
        parents: list[int] = []
        child_prefixes: list[str] = []
        for i, raw in enumerate(raws):
            instances = raw.get(name)
            path = prefixes[i] + name
            if instances is None or instances == "":
                continue
            if not isinstance(instances, list) or not all(isinstance(x, dict) for x in instances):
                issues.setdefault(i, []).append(FieldIssue(path, name, "type", REPEAT_NOT_A_LIST))
            elif i in hidden:
                if instances:
                    issues.setdefault(i, []).append(FieldIssue(path, name, "not-relevant", REPEAT_NOT_RELEVANT))
            else:
                for n, instance in enumerate(instances, start=1):
                    children.append(instance)
                    parents.append(i)
                    child_prefixes.append(f"{path}[{n}].")
        if not children:
            return
        found = self.level(step.field.level, children, columns, parents, child_prefixes,
                           [todays[p] for p in parents])
        for child in sorted(found):  # by parent row, then instance: the order the row engine walks them
            issues.setdefault(parents[child], []).extend(found[child])
