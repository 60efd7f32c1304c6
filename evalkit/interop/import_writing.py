"""Checking import candidates and writing them as records: what every import shares.

Three sources feed the same path (issue 8): ``odk`` and ``kobo`` exports
(:mod:`evalkit.interop.xform`) and questionnaire tables (:mod:`evalkit.interop.table`).
Every candidate is checked exactly as the form and ``evalkit validate`` do
(:func:`evalkit.forms.validate_answers`), plus the unit list; its answers become the stored
types (:func:`evalkit.interop.answers.typed_answers`) and it is written through
:class:`evalkit.store.Store` — all or nothing: when any candidate has an error nothing is
written, unless ``skip_invalid`` (then the invalid ones are listed and left out).
A record imported before is not written again; a source review status becomes an evalkit
review revision, unless the lead evaluator already reviewed the record in evalkit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.config import is_safe_id
from evalkit.forms import is_empty, validate_answers
from evalkit.interop.answers import role_field, typed_answers
from evalkit.interop.candidates import FIX, SOURCES, Candidate, Cell, at, record_day
from evalkit.interop.problems import (
    IMPORT_ALREADY_IMPORTED,
    IMPORT_COLUMN_MISSING,
    IMPORT_RECORD_CHANGED,
    IMPORT_REVIEW_KEPT,
    IMPORT_SKIPPED_INVALID,
    IMPORT_UNIT_UNKNOWN,
    IMPORT_VALUE_INVALID,
    IMPORT_WRITE_FAILED,
)
from evalkit.problems import WARNING, Problem, did_you_mean, problem
from evalkit.store import STATES, Store


@dataclass
class ImportResult:
    """What an import found and did."""

    source: str
    file: str
    instrument: str
    problems: list[Problem] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    reviewed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def to_dict(self) -> dict:
        return {"source": self.source, "file": self.file, "instrument": self.instrument, "added": self.added,
                "reviewed": self.reviewed, "already_imported": self.already, "invalid_rows": self.invalid,
                "written": self.written, "dry_run": self.dry_run, "problems": [p.to_dict() for p in self.problems]}


def check_candidates(instrument, candidates: list[Candidate], units, source: str) -> dict[int, list[Problem]]:
    """Problems per candidate index (validation exactly as the form's, plus the unit list)."""
    unit_field, assessor_field = role_field(instrument, "unit"), role_field(instrument, "assessor")
    out: dict[int, list[Problem]] = {}
    for n, cand in enumerate(candidates):
        found: list[Problem] = []
        if cand.assessor_override is not None and assessor_field is not None:
            cand.raw[assessor_field.name] = cand.assessor_override
        for issue in validate_answers(instrument, cand.raw, today=record_day(cand)):
            cell = cand.cells.get(issue.path) or cand.cells.get(issue.path.split(".")[0]) or cand.where
            if issue.path not in cand.cells and cell is cand.where:
                cell = Cell(cand.where.file, cand.where.sheet, cand.where.row, None)
            found.append(problem(IMPORT_VALUE_INVALID, **at(cell, field=issue.path), detail=issue.message,
                                 fix=FIX[source]))
        if unit_field is not None:
            found += _unit_problems(cand, unit_field, units, source)
        if found:
            out[n] = found
    return out


def _unit_problems(cand: Candidate, unit_field, units, source: str) -> list[Problem]:
    """The unit must be in the unit list (when it could be read) and be usable as an id."""
    unit = cand.raw.get(unit_field.name)
    cell = cand.cells.get(unit_field.name, cand.where)
    if not is_empty(unit) and units is not None and units.get(str(unit)) is None:
        ids = [u.id for u in units.units]
        return [problem(IMPORT_UNIT_UNKNOWN, **at(cell, field=unit_field.name), value=unit,
                        hint=did_you_mean(str(unit), ids))]
    if not is_empty(unit) and not is_safe_id(str(unit)):
        return [problem(IMPORT_VALUE_INVALID, **at(cell, field=unit_field.name), fix=FIX[source],
                        detail=f"单位编号「{str(unit)[:60]}」只能使用英文字母、数字、-、_ 和 .")]
    return []


def run_import(root: Path, instrument, candidates: list[Candidate], problems: list[Problem], *, source: str,
               file: str, units, unit_problems: Sequence[Problem] = (), skip_invalid: bool = False,
               dry_run: bool = False, now: dt.datetime | None = None) -> ImportResult:
    """Check everything, then (when nothing is wrong, or ``skip_invalid``) write the new records into ``root``.

    ``units`` is the project's unit list (None when it has none: the units are then not
    checked); ``unit_problems`` what reading it found (:func:`~evalkit.interop.import_inputs.units_for_import`).
    """
    result = ImportResult(source=source, file=file, instrument=instrument.id, dry_run=dry_run)
    result.problems = [*problems, *unit_problems]
    bad, file_errors = _check_all(result, instrument, candidates, units, source, skip_invalid)
    if file_errors or (bad and not skip_invalid):
        return result
    if bad:
        rows = "、".join(f"第 {r} 行" for r in result.invalid[:20]) + ("……" if len(bad) > 20 else "")
        result.problems.append(problem(IMPORT_SKIPPED_INVALID, file=file, count=len(bad), rows=rows))
    store = Store(root)
    todo = _plan(store, instrument, candidates, bad, source, result)
    if result.already:
        result.problems.append(problem(IMPORT_ALREADY_IMPORTED, file=file, count=len(result.already)))
    if dry_run:
        result.added = [c.instance_id for c, answers, _ in todo if answers is not None]
        result.reviewed = [c.instance_id for c, _, review in todo if review]
        return result
    _write(store, instrument, todo, source, now, result)
    return result


def _check_all(result: ImportResult, instrument, candidates: list[Candidate], units, source: str,
               skip_invalid: bool) -> tuple[set[int], bool]:
    """Add every candidate's problems to ``result`` (errors as warnings with ``skip_invalid``).

    Returns the indexes of the invalid candidates, and whether the file itself has errors.
    """
    per_record = check_candidates(instrument, candidates, units, source)
    missing = {p.field for p in result.problems if p.code == IMPORT_COLUMN_MISSING and p.field}
    for n in list(per_record):  # a missing column is reported once, not once per record
        per_record[n] = [p for p in per_record[n]
                         if not (p.code == IMPORT_VALUE_INVALID and (p.field or "").split(".")[-1] in missing)]
        if not per_record[n]:
            del per_record[n]
    file_errors = any(p.is_error for p in result.problems)
    for n in sorted(per_record):
        found = per_record[n]
        if skip_invalid and not file_errors:
            found = [dataclasses.replace(p, severity=WARNING) if p.is_error else p for p in found]
        result.problems += found
    bad = {n for n, found in per_record.items() if any(p.is_error for p in found)}
    result.invalid = sorted(candidates[n].where.row or 0 for n in bad)
    return bad, file_errors


def _plan(store: Store, instrument, candidates: list[Candidate], bad: set[int], source: str,
          result: ImportResult) -> list[tuple[Candidate, dict | None, str | None]]:
    """(candidate, answers to submit or None, review to add or None) for every valid candidate."""
    todo = []
    for n, cand in enumerate(candidates):
        if n in bad:
            continue
        answers = typed_answers(instrument, cand.raw, record_day(cand))
        existing = store.get(cand.instance_id)
        if existing is not None:
            result.already.append(cand.instance_id)
            if existing.answers != answers:
                result.problems.append(problem(IMPORT_RECORD_CHANGED, **at(cand.where), record=cand.instance_id,
                                               source=SOURCES[source]))
            review = _review_update(store, existing, cand, source, result)
            if review:
                todo.append((cand, None, review))
            continue
        todo.append((cand, answers, cand.review if cand.review not in (None, "received") else None))
    return todo


def _write(store: Store, instrument, todo: list, source: str, now: dt.datetime | None,
           result: ImportResult) -> None:
    """Submit the new records and add the reviews; a write error stops and says how many were written."""
    unit_field, assessor_field = role_field(instrument, "unit"), role_field(instrument, "assessor")
    written = 0
    try:
        for cand, answers, review in todo:
            when = _when(cand, now)
            if answers is not None:
                store.submit(instrument_id=instrument.id, instrument_version=instrument.version,
                             instrument_sha256=instrument.sha256,
                             unit=str(answers.get(unit_field.name, "")) if unit_field else "",
                             assessor=str(answers.get(assessor_field.name, "")) if assessor_field else "",
                             answers=answers, started=cand.started or cand.ended or when.isoformat(),
                             ended=cand.ended or when.isoformat(), instance_id=cand.instance_id, now=when)
                result.added.append(cand.instance_id)
                written += 1
            if review:
                store.review(cand.instance_id, state=review, who=SOURCES[source],
                             comment=f"{SOURCES[source]} 中的审核状态：{cand.review_value}（导入）", now=when)
                result.reviewed.append(cand.instance_id)
    except (OSError, ValueError) as exc:
        result.problems.append(problem(IMPORT_WRITE_FAILED, file=result.file, detail=str(exc)[:300],
                                       written=written))
        return
    result.written = bool(todo)


def _when(cand: Candidate, now: dt.datetime | None) -> dt.datetime:
    for stamp in (cand.submitted, cand.ended):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp)
            except ValueError:
                continue
    return now or dt.datetime.now(dt.UTC)


def _review_update(store: Store, existing, cand: Candidate, source: str, result: ImportResult) -> str | None:
    """A review the source has and evalkit lacks — unless the lead evaluator reviewed the record in evalkit."""
    if cand.review is None or existing.deleted or cand.review == existing.state:
        return None
    by_evalkit = [r for r in store.history(cand.instance_id)
                  if r.kind in ("review", "edit") and r.who != SOURCES[source]]
    if by_evalkit:
        result.problems.append(problem(IMPORT_REVIEW_KEPT, **at(cand.where), record=cand.instance_id,
                                       source=SOURCES[source], value=cand.review_value,
                                       state=STATES.get(existing.state, existing.state)))
        return None
    return cand.review
