"""Batch validation of the raw records of a project.

Every current (not deleted) record is checked against its instrument with the
same rules the form applies (:func:`evalkit.forms.validate_answers`):
types, required, constraints, choice codes and values in fields that are not
relevant.  A record made with another version of the instrument is checked
against the current one and flagged; an unknown instrument or unit is an error.
Constraints with ``today()`` use the day the record was finished, so a record
does not become wrong as time passes.  Damaged files come from the store's own
loading and never stop the others.

The answers of all the records of one instrument are validated together, column by column
(:func:`evalkit.forms.validate_many`, the same issues in the same order as one record at a time).

A rerun keeps each record's issues for the next one (:mod:`evalkit.pipeline.cache`), by the sha256 of the
instrument's workbook and then the hash of the record's current revision, which through its parents names
the record's whole history (its answers and its day): ``known`` gives the issues of records checked before,
``keep`` receives every record's issues (the revision's hash is the view's own string, and a record without
issues shares one empty tuple: some 20 MB less for a province than a key and a list of each).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

from evalkit.forms import FieldIssue, validate_many
from evalkit.io.heap import paused_gc
from evalkit.problems import Problem, problem
from evalkit.store.problems import ANSWER_INVALID, INSTRUMENT_CHANGED, INSTRUMENT_UNKNOWN, UNIT_UNKNOWN
from evalkit.store.revisions import SUBMISSION_ORDER

_PLAIN_NAME = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z_.-]*")  # a record id that Path joins as it is (not . or ..)


def _record_day(view) -> dt.date | None:
    for stamp in (view.ended, view.started):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp).date()
            except ValueError:
                continue
    return None


NO_ISSUES: tuple = ()   # what ``keep`` holds for every record without answer issues


def check_records(records: Sequence, raw: Path, instruments: Mapping, units=None, *,
                  known: Mapping[str, Mapping[str, Sequence[Sequence[str]]]] | None = None,
                  keep: MutableMapping[str, dict[str, Sequence[Sequence[str]]]] | None = None) -> list[Problem]:
    """Problems of the current records (as :meth:`evalkit.store.Store.load` gives them) of the store
    at ``raw`` (the folder only names the files in the problems); see the module docstring.

    ``known``: answer issues found before (``[path, field, code, message]`` each), by the sha256 of the
    instrument's workbook and then the record's current revision; ``keep``: filled with every checked record's
    issues, so keyed."""
    with paused_gc():  # the views and their issues hold no cycle (evalkit.io.heap)
        views = [v for v in sorted(records, key=SUBMISSION_ORDER) if not v.deleted]
        issues = _answer_issues(views, instruments, known or {}, keep)
        return _record_problems(views, issues, Path(raw), instruments, units)


def _record_problems(views: Sequence, issues: Sequence, raw: Path, instruments: Mapping, units) -> list[Problem]:
    """The problems of each view in turn: its unit, its instrument, then its answer issues (``issues[at]``)."""
    known: dict[str, bool] = {}  # whether each unit id is in the roster, asked once per id
    folder = str(raw / "x")[:-1]  # the folder as Path writes it before a plain name
    problems: list[Problem] = []
    for at, view in enumerate(views):
        inst = instruments.get(view.instrument_id)
        unknown = units is not None and not _known(units, view.unit, known)
        changed = inst is not None and view.instrument_version != inst.version and view.instrument_sha256 != inst.sha256
        if not (unknown or inst is None or changed or issues[at]):
            continue   # nothing to say of this record: its location is not worked out
        name = view.instance_id
        where = {"record": name, "file": folder + name if _PLAIN_NAME.fullmatch(name) else str(raw / name)}
        if unknown:
            problems.append(problem(UNIT_UNKNOWN, unit=view.unit, **where))
        if inst is None:
            problems.append(problem(INSTRUMENT_UNKNOWN, instrument=view.instrument_id, **where))
            continue
        if changed:
            problems.append(problem(INSTRUMENT_CHANGED, instrument=inst.id, version=view.instrument_version,
                                    current=inst.version, **where))
        for issue in issues[at]:
            problems.append(problem(ANSWER_INVALID, instrument=inst.id, unit=view.unit, assessor=view.assessor,
                                    detail=issue.message, **{**where, "field": issue.path}))
    return problems


def _known(units, unit: object, known: dict) -> bool:
    if not isinstance(unit, str):
        return units.get(unit) is not None
    if unit not in known:
        known[unit] = units.get(unit) is not None
    return known[unit]


def _answer_issues(views: Sequence, instruments: Mapping, known: Mapping,
                   keep: MutableMapping | None) -> list[list]:
    """The form issues of each view's answers against its (known) instrument, by position in ``views``; the
    views of one instrument not ``known`` are validated together."""
    found: list[list] = [[] for _ in views]
    by_instrument: dict[str, list[int]] = {}
    kept: list[dict | None] = [None] * len(views)   # the dict of keep each view's issues go in
    for at, view in enumerate(views):
        inst = instruments.get(view.instrument_id)
        if inst is None:
            continue
        if keep is not None:
            kept[at] = keep.setdefault(inst.sha256, {})
        before = known.get(inst.sha256, {}).get(view.current)
        if before is not None:
            found[at] = [FieldIssue(*issue) for issue in before]
        else:
            by_instrument.setdefault(view.instrument_id, []).append(at)
    for instrument_id, ats in by_instrument.items():
        batch = validate_many(instruments[instrument_id], [views[at].answers for at in ats],
                              [_record_day(views[at]) for at in ats])
        for at, issues in zip(ats, batch):
            found[at] = issues
    if keep is not None:
        for view, mine, issues in zip(views, kept, found):
            if mine is not None:
                mine[view.current] = [[i.path, i.field, i.code, i.message] for i in issues] if issues else NO_ISSUES
    return found
