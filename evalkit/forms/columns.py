"""Validation of many stored records of one instrument at once, column by column.

:func:`validate_many` gives, for each record, exactly the issues
:func:`evalkit.forms.validate_answers` gives it — same issues, same order, same
paths and messages — but walks each level of the form (the form, then all the
instances of a repeat across the records) once per field instead of once per
record:

- each answer column is typed by coercing each distinct raw value once
  (:mod:`evalkit.forms.column_values`);
- an expression (``relevant``, ``constraint``) is evaluated once per distinct
  combination of what it reads — the values of the names it references, as the
  evaluator sees them, the current value for a constraint and the record's day
  only when it calls ``today()`` — and the result is shared by the rows that
  have the same combination;
- a repeat's instances become the rows of a child level, keyed by record and
  instance, whose expressions see the enclosing level's values by row.
- a constraint is evaluated only for the answers that need it: an answer
  decided by itself (empty, a type issue, a text that passes the constraint's
  plain test, tested over all the filled answers at once) is not, and one that
  reads other answers or the day is evaluated over the rows with such answers.

What takes the row engine (:func:`validate_answers`, one record at a time): a
record whose answers are not a plain ``dict``, and every record of an
instrument with an expression the evaluator would refuse (so that the error is
raised as the row engine raises it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from itertools import compress, filterfalse, repeat
from operator import is_not, not_

from evalkit.forms.column_values import (
    AS_GIVEN,
    FALSY_EMPTY,
    NEVER_EMPTY,
    Answers,
    answers,
    constraint_test,
    reads,
    table,
)
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
from evalkit.forms.expression_syntax import ExpressionError, parse
from evalkit.forms.expression_values import truthy
from evalkit.forms.model import Level
from evalkit.forms.responses import SELECT_TYPES, check_answer, is_empty, missing
from evalkit.io.heap import paused_gc

_DICT = {dict}
Issues = dict[int, list[FieldIssue]]  # the issues of each row of a level, rows without any left out


def validate_many(instrument, answers: Sequence[object], todays: Sequence[dt.date | None]) -> list[list[FieldIssue]]:
    """The issues of each record's stored answers (``answers[i]`` on day ``todays[i]``), each list equal to
    ``validate_answers(instrument, answers[i], today=todays[i])``; see the module docstring."""
    with paused_gc():  # the records walked hold no cycle (evalkit.io.heap)
        whole = _expressions_ok(instrument)
        rows = [i for i, raw in enumerate(answers) if whole and type(raw) is dict]
        level_issues = _Walk(instrument.choice_names).level(
            instrument.level, [answers[i] for i in rows], None, None, _Paths(), [todays[i] for i in rows]
        ) if rows else {}
        by_record = {rows[at]: issues for at, issues in level_issues.items()}
        plain = set(rows) if len(rows) < len(answers) else None
        return [by_record.get(i) or ([] if plain is None or i in plain
                                     else validate_answers(instrument, raw, today=todays[i]))
                for i, raw in enumerate(answers)]


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


class _Paths:
    """The path prefix of each row of a level: "" at the top, ``citizens[2].`` in a repeat (made when asked)."""

    __slots__ = ("outer", "parents", "numbers", "name")

    def __init__(self, outer: _Paths | None = None, parents: list[int] | None = None,
                 numbers: list[int] | None = None, name: str = ""):
        self.outer, self.parents, self.numbers, self.name = outer, parents, numbers, name

    def __getitem__(self, row: int) -> str:
        if self.outer is None:
            return ""
        return f"{self.outer[self.parents[row]]}{self.name}[{self.numbers[row]}]."


class _Reading:
    """What expressions read at one level: each name's (keys by row, key → value or None: the key is the
    value), the level's own answers first, then the enclosing level's by parent row."""

    __slots__ = ("own", "parent", "parents", "cache", "seen")

    def __init__(self, own: dict[str, Answers], parent: _Reading | None, parents: list[int] | None):
        self.own, self.parent, self.parents = own, parent, parents
        self.cache: dict[str, tuple[list, dict | None] | None] = {}
        self.seen: dict[int, tuple[object, object]] = {}  # id(keys by row) → (those keys, their distinct keys)

    def distinct(self, keys, known=None):
        """The distinct keys of a column of keys (``known``: they are already known), worked out once per column
        (a column's keys are read by its own field and by every expression that reads it)."""
        try:
            return self.seen[id(keys)][1]
        except KeyError:
            found = dict.fromkeys(keys) if known is None else known
            self.seen[id(keys)] = (keys, found)  # the keys kept alive, so that their id is not reused
            return found

    def column(self, name: str) -> tuple[list, dict | None] | None:
        """None: no level has the name (an expression reads "" for it)."""
        try:
            return self.cache[name]
        except KeyError:
            pass
        if name in self.own:
            found = self.own[name].read()
        elif self.parent is not None:
            outer = self.parent.column(name)
            found = None if outer is None else (list(map(outer[0].__getitem__, self.parents)), outer[1])
        else:
            found = None
        self.cache[name] = found
        return found


def _combinations(first: list | None, reading: _Reading, refs: tuple[str, ...], todays: list | None,
                  rows: list[int] | None = None):
    """(the key of each row, the names read, their value maps): a key combines the row's ``first`` key
    (if any), the keys of the names it reads and its day (if given); ``rows``: only those rows of the level
    (``first`` and ``todays`` are given for them alone)."""
    read = [(r, c) for r, c in ((r, reading.column(r)) for r in refs) if c is not None]
    columns = ([first] if first is not None else []) + [
        c[0] if rows is None else list(map(c[0].__getitem__, rows)) for _, c in read] + ([todays] if todays else [])
    keys = columns[0] if len(columns) == 1 else list(zip(*columns))
    return keys, len(columns) > 1, [(r, c[1]) for r, c in read]


def _context(parts: tuple, names: list, offset: int) -> dict:
    return {r: (k if values is None else values[k]) for (r, values), k in zip(names, parts[offset:])}


def _checked_rows(field, kind: str, column: Answers, pending: list, hidden: set[int], reading: _Reading,
                  refs: tuple[str, ...], todays: list | None, allowed) -> dict[int, tuple[str, str]]:
    """The issue of each shown row whose answer (its own key in ``pending``) fails a check that reads other
    answers or the day, by row: evaluated once per distinct combination of what it reads, over the rows with such
    an answer only (hidden ones too, as the whole column once was: cheaper than leaving them out first)."""
    wanted = set(pending)
    rows = list(compress(range(len(column.keys)), map(wanted.__contains__, column.keys)))
    keys, combined, names = _combinations(list(map(column.keys.__getitem__, rows)), reading, refs,
                                          None if todays is None else list(map(todays.__getitem__, rows)),
                                          rows)
    verdicts = {}
    for key in dict.fromkeys(keys):
        parts = key if combined else (key,)
        verdicts[key] = check_answer(field, kind, column.typed(parts[0]), _context(parts, names, 1),
                                     parts[-1] if todays is not None else None, allowed)
    found = list(map(verdicts.__getitem__, keys))
    return {i: issue for i, issue in zip(compress(rows, found), filter(None, found)) if i not in hidden}


class _Walk:
    """One call of :func:`validate_many`: the choice lists of the instrument."""

    def __init__(self, choices: Mapping[str, frozenset]):
        self.choices = choices

    def level(self, level: Level, raws: list, parent: _Reading | None, parents: list[int] | None,
              paths: _Paths, todays: list) -> Issues:
        """The issues of each row of one level's rows: type issues, unknown fields, then the steps in
        form order (a repeat's instances where the repeat is), as the row engine emits them."""
        issues: Issues = {}
        n = len(raws)
        given = table(raws, [step.name for step in level.values])
        own = {name: answers(given[name], kind) for _, name, kind, _, _ in level.values}
        wrong: dict[str, set[int]] = {}
        for name, column in own.items():
            if column.outcome is not None:
                bad = {k for k, (_, error, _) in column.outcome.items() if error}
                for i in column.rows_where(bad):
                    wrong.setdefault(name, set()).add(i)
                    error = column.outcome[column.keys[i]][1]
                    issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, "type", error))
        names = level.names
        for i in compress(range(n), map(not_, map(names.issuperset, raws))):
            for name in raws[i]:
                if name not in names:
                    issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, "unknown-field", UNKNOWN_FIELD))
        reading = _Reading(own, parent, parents)
        hidden_groups: dict[str, set[int]] = {}
        for step in level.steps:
            _, name, kind, condition, groups = step
            hidden: set[int] = set()
            for g in groups:
                hidden |= hidden_groups.get(g.name, set())
            if condition:
                hidden |= self._false(condition, reading, todays, n)
            if kind == "repeat":
                self._repeat(step, raws, hidden, reading, paths, todays, issues)
            elif kind == "group":
                if hidden:
                    hidden_groups[name] = hidden
            elif kind not in ("calculate", "note"):
                self._field(step, hidden, own[name], wrong.get(name, set()), reading, paths, todays, issues)
        return issues

    def _false(self, condition: str, reading: _Reading, todays: list, n: int) -> set[int]:
        """The rows where ``condition`` does not hold (one evaluation per distinct input)."""
        refs, dated = reads(condition)
        keys, combined, names = _combinations(None, reading, refs, todays if dated else None)
        if not names and not dated:  # reads nothing that changes between rows
            holds = truthy(evaluate(condition, {}, today=todays[0])) if n else True
            return set() if holds else set(range(n))
        holds = {}
        for key in (reading.distinct(keys) if not combined else dict.fromkeys(keys)):
            parts = key if combined else (key,)
            holds[key] = not truthy(evaluate(condition, _context(parts, names, 0),
                                             today=parts[-1] if dated else None))
        return set(compress(range(n), map(holds.__getitem__, keys)))

    def _field(self, step, hidden: set[int], column: Answers, wrong: set[int], reading: _Reading,
               paths: _Paths, todays: list, issues: Issues) -> None:
        """Pass 3 for a field that holds an answer: not relevant but given, else required, choices, constraint."""
        field, name, kind = step.field, step.name, step.kind
        if hidden:
            given = column.given
            if column.types <= FALSY_EMPTY:  # truthy: not empty
                filled = given
            elif column.types <= NEVER_EMPTY:  # not None: not empty
                filled = map(is_not, given, repeat(None))
            else:
                filled = map(_given, given)
            for i in filter(hidden.__contains__, compress(range(len(given)), filled)):
                issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, "not-relevant", NOT_RELEVANT))
        absent = missing(field)
        allowed = self.choices.get(field.list_name) if kind in SELECT_TYPES and field.list_name else None
        constraint = field.constraint
        if allowed is None and not constraint and absent is None:
            return
        given, n = column.given, len(column.given)
        if column.outcome is None and allowed is None and not constraint:  # text only required: its empty rows
            flagged = set(compress(range(n), map(not_, given))).difference(hidden, wrong)
            for i in sorted(flagged):
                issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, *absent))
            return
        refs, dated = reads(constraint) if constraint else ((), False)
        test = constraint_test(constraint) if constraint and allowed is None and kind in AS_GIVEN else None
        keys = column.keys
        if test is not None and column.outcome is None:  # the keys are the answers: the empty ones and those that
            filled = list(filter(None, given))  # fail the test, found without a pass for the distinct answers
            distinct = ([None, ""] if len(filled) < n else []) + list(dict.fromkeys(test.failing(filled)))
        else:  # (answers tested this way are mostly ids and phone numbers, each its own)
            distinct = reading.distinct(keys, column.outcome)
        results, pending = self._by_value(field, kind, column, distinct, absent, allowed, test, bool(refs or dated))
        bad = {key for key, found in results.items() if found}
        found_at: dict = {}
        if bad:  # the rows with such an answer, shown and well typed, ascending
            rows = compress(range(n), map(bad.__contains__, keys))
            for left_out in (hidden, wrong):
                if left_out:
                    rows = filterfalse(left_out.__contains__, rows)
            found_at = dict.fromkeys(rows)
        if pending:
            found_at.update(_checked_rows(field, kind, column, pending, hidden, reading, refs,
                                          todays if dated else None, allowed))
            found_at = dict(sorted(found_at.items()))
        for i in found_at:
            issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, *(found_at[i] or results[keys[i]])))

    @staticmethod
    def _by_value(field, kind: str, column: Answers, distinct, absent, allowed, test, reads_more: bool):
        """(own key → issue found from the answer alone, the own keys whose check also reads other answers or the
        day): a key with a type issue has none (the engine checks nothing more of it), an empty answer is
        ``absent``; an answer that passes a text's plain ``test`` needs no check."""
        outcome = column.outcome
        results: dict = {}
        pending: list = []
        for key in distinct:
            if outcome is not None and outcome[key][1] is not None:
                continue
            value = column.typed(key)
            if is_empty(value):
                results[key] = absent
            elif allowed is None and not field.constraint or test is not None and type(value) is str and test(value):
                continue
            elif reads_more:
                pending.append(key)
            else:
                results[key] = check_answer(field, kind, value, {}, None, allowed)
        return results, pending

    def _repeat(self, step, raws: list, hidden: set[int], reading: _Reading, paths: _Paths, todays: list,
                issues: Issues) -> None:
        """Pass 3 for a repeat: the instances of the relevant ones, across rows, as the rows of its own level."""
        name = step.name
        children: list = []
        parents: list[int] = []
        numbers: list[int] = []
        for i, instances in enumerate([raw.get(name) for raw in raws]):
            if instances is None or instances == "":
                continue
            if type(instances) is list and (not instances or set(map(type, instances)) <= _DICT):
                plain = True
            else:
                plain = isinstance(instances, list) and all(isinstance(x, dict) for x in instances)
            if not plain:
                issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, "type", REPEAT_NOT_A_LIST))
            elif i in hidden:
                if instances:
                    issues.setdefault(i, []).append(FieldIssue(paths[i] + name, name, "not-relevant",
                                                               REPEAT_NOT_RELEVANT))
            elif instances:
                children.extend(instances)
                parents.extend([i] * len(instances))
                numbers.extend(range(1, len(instances) + 1))
        if not children:
            return
        found = self.level(step.field.level, children, reading, parents, _Paths(paths, parents, numbers, name),
                           list(map(todays.__getitem__, parents)))
        for child in sorted(found):  # by parent row, then instance: the order the row engine walks them
            issues.setdefault(parents[child], []).extend(found[child])


def _given(value: object) -> bool:
    return not is_empty(value)
