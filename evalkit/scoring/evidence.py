"""Evidence from records: which records count, the answers a rule reads, and why others do not.

A field named in a rule (``instrument.field`` or ``instrument.repeat.field``)
is resolved against the loaded instruments (:func:`resolve`).  Answers are
stored with plain groups opened up and each repeat as a list of row dicts
(:mod:`evalkit.forms.responses`), so a field outside a repeat gives one observation
per record and a field inside a repeat one per row.  A field that serves
``*`` (the indicator chosen in the form, see tools/build_instruments.py) only
counts in rows whose ``role=indicator`` field names the leaf being scored.

Only approved records count by default; ``include_received=True`` (a project
setting) also admits records not reviewed yet.  Records with issues, rejected
or deleted records never count.  Every record that is looked at and not used
gets a :class:`LeftOut` with a reason code and a Chinese explanation, so
nothing is dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from evalkit.forms import ANY_INDICATOR, Field, Instrument, iter_fields
from evalkit.scoring.rules import Condition, FieldRef
from evalkit.store import STATES, SUBMISSION_ORDER

REASONS = {
    "deleted": "记录已删除",
    "not_approved": "审核状态为「{state}」，只计入已通过审核的记录",
    "has_issues": "审核状态为「有问题」，待更正后才计入",
    "rejected": "记录已被退回",
    "no_answer": "记录中没有回答 {field}",
    "other_indicator": "记录评议的是其他指标（{codes}），不是本指标",
    "not_relevant": "回答为「{value}」，不适用于本规则",
    "invalid_value": "回答「{value}」不是有效的取值",
    "unit_unknown": "被评估单位「{unit}」不在单位名单中",
    "instrument_unknown": "调查工具「{instrument}」不在项目中",
}


@dataclass(frozen=True)
class LeftOut:
    """A record not used for a score, and why."""

    record: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Resolved:
    """A rule field found in an instrument: the field, its repeat and the indicator chooser."""

    ref: FieldRef
    field: Field
    repeat: str | None
    chooser: str | None

    @property
    def any_indicator(self) -> bool:
        return ANY_INDICATOR in self.field.indicators


class Obs(NamedTuple):
    """One answer: the record, the 1-based repeat row (None outside a repeat) and the value (a named tuple:
    a province's scoring makes a million of them)."""

    record: str
    row: int | None
    value: object


def left_out(record: str, reason: str, **params: object) -> LeftOut:
    """A :class:`LeftOut` with its Chinese detail filled in."""
    return LeftOut(record, reason, REASONS[reason].format(**{k: str(v) for k, v in params.items()}))


def resolve(ref: FieldRef, instruments: Mapping[str, Instrument]) -> Resolved | None:
    """The field a rule names, or None when the instrument or field does not exist (the instrument
    keeps where each field sits, :attr:`evalkit.forms.Instrument.places`)."""
    inst = instruments.get(ref.instrument)
    if inst is None:
        return None
    for path, field, repeat in inst.places:
        if field.name == ref.name and all(part in path for part in ref.path[:-1]):
            return Resolved(ref, field, repeat, inst.choosers.get(repeat))
    return None


def field_names(inst: Instrument) -> list[str]:
    """Every answerable field name of an instrument (for did-you-mean)."""
    return [f.name for _, f in iter_fields(inst) if not f.is_container]


def admitted(view, include_received: bool) -> LeftOut | None:
    """None when the record counts; otherwise why not (deleted, review state)."""
    if view.deleted:
        return left_out(view.instance_id, "deleted")
    if view.state == "approved" or (include_received and view.state == "received"):
        return None
    if view.state in ("has_issues", "rejected"):
        return left_out(view.instance_id, view.state)
    return left_out(view.instance_id, "not_approved", state=STATES.get(view.state, view.state))


def _empty(value: object) -> bool:
    """No answer: None, an empty text or an empty list (a multiple choice with nothing chosen).

    Where it runs for every answer row it is written inline, as ``not (value or not (value is None or
    isinstance(value, (str, list))))``: the same for every stored answer (only None, an empty text and an
    empty list are both falsy and none, text or list; a 0, False or {} is an answer), with one truth test for the
    answers given instead of two comparisons that a number or a list takes the long way."""
    return value is None or value == "" or value == []


_ROWS: list[dict] = []   # while a scoring run remembers them: (id(view), repeat[, chooser]) -> (view, rows)


@contextmanager
def remembered_rows() -> Iterator[None]:
    """Within, each record's repeat rows (and their split by the chosen indicator) are listed once and shared
    by every rule field and leaf that reads them: a scoring run reads a record for many leaves (a service-user
    check's citizens for four rates).  The view is kept with its rows, so its id cannot be reused meanwhile;
    everything is forgotten on leaving."""
    _ROWS.append({})
    try:
        yield
    finally:
        _ROWS.pop()


def _rows_of(view, repeat: str | None) -> list[tuple[int | None, dict]]:
    answers = view.answers if isinstance(view.answers, dict) else {}
    if repeat is None:
        return [(None, answers)]
    items = answers.get(repeat)
    return [(i, r) for i, r in enumerate(items, start=1) if isinstance(r, dict)] if isinstance(items, list) else []


def _by_choice(view, repeat: str | None, chooser: str) -> dict[str, list[tuple[int | None, dict]]]:
    """The rows grouped by the indicator each chose, in row order."""
    groups: dict[str, list] = {}
    for i, r in _answer_rows(view, repeat):
        groups.setdefault(str(r.get(chooser, "")), []).append((i, r))
    return groups


def _answer_rows(view, repeat: str | None) -> list[tuple[int | None, dict]]:
    if not _ROWS or repeat is None:
        return _rows_of(view, repeat)
    memo, key = _ROWS[-1], (id(view), repeat)
    found = memo.get(key)
    if found is None:
        found = memo[key] = (view, _rows_of(view, repeat))
    return found[1]


def _choices(view, repeat: str | None, chooser: str) -> dict[str, list[tuple[int | None, dict]]]:
    if not _ROWS:
        return _by_choice(view, repeat, chooser)
    memo, key = _ROWS[-1], (id(view), repeat, chooser)
    found = memo.get(key)
    if found is None:
        found = memo[key] = (view, _by_choice(view, repeat, chooser))
    return found[1]


def rows(view, resolved: Resolved, leaf: str) -> tuple[list[tuple[int | None, dict]], LeftOut | None]:
    """The answer rows of a record that speak to ``leaf`` (all rows, or the chosen indicator's)."""
    if resolved.any_indicator and resolved.chooser:
        groups = _choices(view, resolved.repeat, resolved.chooser)
        chosen = groups.get(leaf)
        if groups and not chosen:
            return [], left_out(view.instance_id, "other_indicator", codes="、".join(sorted(groups)) or "无")
        return chosen or [], None
    return _answer_rows(view, resolved.repeat), None


def observations(view, resolved: Resolved, leaf: str) -> tuple[list[Obs], LeftOut | None]:
    """Non-empty answers of one field in one record, or why there are none."""
    found, why = rows(view, resolved, leaf)
    if why is not None:
        return [], why
    name, record, obs = resolved.field.name, view.instance_id, []
    for i, r in found:
        value = r.get(name)
        if value or not (value is None or isinstance(value, (str, list))):   # not _empty(value), inline
            obs.append(Obs(record, i, value))
    if not obs:
        return [], left_out(view.instance_id, "no_answer", field=str(resolved.ref))
    return obs, None


def gather(views: Iterable, fields: list[Resolved], leaf: str) -> tuple[list[list[Obs]], list[str], list[LeftOut]]:
    """:func:`observations` of every field over the records, at once: the observations per field, the records
    with any (in order) and, for each record without any, the first field's reason.  Fields outside a chooser
    are read inline (a province's scoring asks a quarter of a million times) and a record's 「no answer」 is
    only written out when it is the reason the record is left out."""
    per_field: list[list[Obs]] = [[] for _ in fields]
    plan = [(res.ref.instrument, res, out, None if res.any_indicator and res.chooser else res.field.name, res.repeat)
            for res, out in zip(fields, per_field)]
    used, left, new = [], [], tuple.__new__
    for view in views:
        first, found, record, of = None, False, view.instance_id, view.instrument_id
        for instrument, res, out, name, repeat in plan:
            if instrument != of:
                continue
            if name is None:
                obs, why = observations(view, res, leaf)
                out += obs
                found = found or bool(obs)
                if why is not None and first is None:
                    first = why
                continue
            got = [new(Obs, (record, i, value)) for i, r in _answer_rows(view, repeat)
                   if (value := r.get(name)) or not (value is None or isinstance(value, (str, list)))]   # as observations
            if got:
                out += got
                found = True
            elif first is None:
                first = res
        if found:
            used.append(record)
        elif first is not None:
            left.append(first if isinstance(first, LeftOut) else left_out(record, "no_answer", field=str(first.ref)))
    return per_field, used, left


def number(value: object) -> float | None:
    """A stored answer as a finite number (choice codes such as '4' included), or None: 是/否, a list, an
    object, and a text such as 「nan」 or 「1e400」 (not finite) are not numbers."""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return None
    try:
        found = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
    except (ValueError, OverflowError):
        return None
    return found if math.isfinite(found) else None


def holds(cond: Condition, value: object) -> bool:
    """Whether an answer meets a condition; a select_multiple list meets ``= v`` when it contains v."""
    if isinstance(value, list):
        if cond.op == "=":
            return str(cond.value) in map(str, value)
        if cond.op == "!=":
            return str(cond.value) not in map(str, value)
        if cond.op == "in":
            return any(str(v) in map(str, cond.value) for v in value)
        return False
    if cond.op == "in":
        return str(value) in {str(v) for v in cond.value}
    if isinstance(cond.value, float):
        left = number(value)
        if left is None:
            return False
        return _compare(left, cond.op, cond.value)
    return _compare(str(value), cond.op, str(cond.value))


def held(cond: Condition, values: Iterable) -> list[bool]:
    """``[holds(cond, v) for v in values]``, each distinct text or whole number (a choice code, a count: they
    recur in thousands of rows) checked once; lists and other answers are checked each time."""
    texts: dict[str, bool] = {}
    counts: dict[int, bool] = {}
    out = []
    for value in values:
        kind = value.__class__
        if kind is str:
            found = texts.get(value)
            if found is None:
                found = texts[value] = holds(cond, value)
        elif kind is int:
            found = counts.get(value)
            if found is None:
                found = counts[value] = holds(cond, value)
        else:
            found = holds(cond, value)
        out.append(found)
    return out


def _compare(left, op: str, right) -> bool:
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
            ">": left > right, ">=": left >= right}[op]


def candidates(views: Iterable, unit: str, instrument_ids: set[str]) -> list:
    """The unit's records (deleted ones included) made with the rule's instruments, oldest first."""
    if not isinstance(views, (list, tuple)):
        return sorted((v for v in views if v.unit == unit and v.instrument_id in instrument_ids),
                      key=SUBMISSION_ORDER)
    index = _by_unit(views)
    chosen = _UNIT_INDEX[3]   # (unit, instruments) -> its records: the leaves of a unit share a few instrument sets
    key = (unit, frozenset(instrument_ids))
    found = chosen.get(key)
    if found is None:
        places = _UNIT_INDEX[5]   # each instrument's places in the unit's records, listed once
        at = [i for inst in instrument_ids for i in places.get((unit, inst), ())]
        mine = index.get(unit, ())
        found = chosen[key] = [mine[i] for i in (sorted(at) if len(instrument_ids) > 1 else at)]
    return list(found)


def unit_records(views: Sequence, unit: str) -> list:
    """The unit's records (deleted ones included), oldest first: those its leaves are scored from."""
    return list(_by_unit(views).get(unit, ()))


def admitted_pool(views: Iterable, unit: str, instrument_ids: set[str],
                  include_received: bool) -> tuple[list, list[LeftOut]]:
    """:func:`candidates` split into the records that count and why each other one does not (:func:`admitted`),
    in order; worked out once per unit and instrument set for a list of records (the leaves of a unit share
    a few), like the candidates themselves."""
    if not isinstance(views, (list, tuple)):
        return _split(candidates(views, unit, instrument_ids), include_received)
    _by_unit(views)
    split = _UNIT_INDEX[4]
    key = (unit, frozenset(instrument_ids), include_received)
    found = split.get(key)
    if found is None:
        found = split[key] = _split(candidates(views, unit, instrument_ids), include_received)
    return list(found[0]), list(found[1])


def _split(pool: list, include_received: bool) -> tuple[list, list[LeftOut]]:
    counted, left = [], []
    for view in pool:
        why = admitted(view, include_received)
        if why:
            left.append(why)
        else:
            counted.append(view)
    return counted, left


_UNIT_INDEX: list = []  # [views, len(views), {unit: views oldest first}, {(unit, instruments): views}, their split,
#                         {(unit, instrument): places in the unit's records}] of the last list


@contextmanager
def units_indexed() -> Iterator[None]:
    """Within, the records' index by unit (:func:`_by_unit`) is kept for the list it was built for; on leaving
    it is let go — it holds the list, and with it every record: a kernel that scored a province once kept
    three quarters of a gigabyte until it scored again, and the interpreter's last collections at exit walked
    it all (about 2.7 s after a province's rerun had finished)."""
    try:
        yield
    finally:
        _UNIT_INDEX.clear()


def _by_unit(views: list | tuple) -> dict[str, list]:
    """The records grouped by unit, oldest first, built once per list of records.

    Scoring asks for every (unit, leaf): scanning all records each time is units × leaves ×
    records (150 × 60 × 100,000 at province scale).  Only the last list is kept (a strong
    reference, so its id cannot be reused); a list changed in length is indexed anew.
    """
    if _UNIT_INDEX and _UNIT_INDEX[0] is views and _UNIT_INDEX[1] == len(views):
        return _UNIT_INDEX[2]
    index: dict[str, list] = {}
    places: dict[tuple[str, str], list[int]] = {}
    for v in sorted(views, key=SUBMISSION_ORDER):
        mine = index.setdefault(v.unit, [])
        places.setdefault((v.unit, v.instrument_id), []).append(len(mine))
        mine.append(v)
    _UNIT_INDEX[:] = [views, len(views), index, {}, {}, places]
    return index
