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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from evalkit.forms import validate_many
from evalkit.problems import Problem, problem
from evalkit.store.problems import ANSWER_INVALID, INSTRUMENT_CHANGED, INSTRUMENT_UNKNOWN, UNIT_UNKNOWN


def _record_day(view) -> dt.date | None:
    for stamp in (view.ended, view.started):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp).date()
            except ValueError:
                continue
    return None


def check_records(records: Sequence, raw: Path, instruments: Mapping, units=None) -> list[Problem]:
    """Problems of the current records (as :meth:`evalkit.store.Store.load` gives them) of the store
    at ``raw`` (the folder only names the files in the problems); see the module docstring."""
    views = [v for v in sorted(records, key=lambda v: (v.submitted, v.instance_id)) if not v.deleted]
    issues = _answer_issues(views, instruments)
    problems: list[Problem] = []
    for at, view in enumerate(views):
        where = {"record": view.instance_id, "file": str(Path(raw) / view.instance_id)}
        if units is not None and units.get(view.unit) is None:
            problems.append(problem(UNIT_UNKNOWN, unit=view.unit, **where))
        inst = instruments.get(view.instrument_id)
        if inst is None:
            problems.append(problem(INSTRUMENT_UNKNOWN, instrument=view.instrument_id, **where))
            continue
        if view.instrument_version != inst.version and view.instrument_sha256 != inst.sha256:
            problems.append(problem(INSTRUMENT_CHANGED, instrument=inst.id, version=view.instrument_version,
                                    current=inst.version, **where))
        for issue in issues[at]:
            problems.append(problem(ANSWER_INVALID, instrument=inst.id, unit=view.unit, assessor=view.assessor,
                                    detail=issue.message, **{**where, "field": issue.path}))
    return problems


def _answer_issues(views: Sequence, instruments: Mapping) -> list[list]:
    """The form issues of each view's answers against its (known) instrument, by position in ``views``; the
    views of one instrument are validated together."""
    found: list[list] = [[] for _ in views]
    by_instrument: dict[str, list[int]] = {}
    for at, view in enumerate(views):
        if instruments.get(view.instrument_id) is not None:
            by_instrument.setdefault(view.instrument_id, []).append(at)
    for instrument_id, ats in by_instrument.items():
        batch = validate_many(instruments[instrument_id], [views[at].answers for at in ats],
                              [_record_day(views[at]) for at in ats])
        for at, issues in zip(ats, batch):
            found[at] = issues
    return found
