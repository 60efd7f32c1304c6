"""Importing ODK Central and KoboToolbox exports: one candidate record per main-table row (see docs/imports.md).

ODK Central ("CSV files (.zip)"): ``<form_id>.csv`` — ``SubmissionDate``, the fields
(group paths joined with ``-``, e.g. ``likert_items-q_guide``; select_multiple as
space-separated codes plus ``field/code`` 0/1 columns), ``meta-instanceID``, ``KEY``,
``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion`` — and one
``<form_id>-<repeat>.csv`` per repeat group, its rows linked by ``PARENT_KEY`` to the
``KEY`` of the row they belong to (``uuid:…/calls[2]`` for the second call).

KoboToolbox (XLS export with "XML values and headers", or CSV): the first sheet holds
the submissions — the fields (group paths joined with ``/``), ``_id``, ``_uuid``,
``_submission_time`` (UTC), ``_validation_status``, ``_notes``, ``_status``,
``_submitted_by``, ``__version__``, ``_tags``, ``_index`` — and each repeat group has a
sheet named after it whose rows carry ``_index``, ``_parent_table_name``,
``_parent_index`` and ``_submission__uuid``.  Kobo's CSV export has no repeat groups
and may use ``;`` as separator.

The files are read by :mod:`evalkit.interop.xform_files`, columns matched by
:mod:`evalkit.interop.xform_columns`, repeat rows linked by :mod:`evalkit.interop.xform_repeats`;
the candidates are checked and written by :func:`evalkit.interop.import_writing.run_import`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evalkit.interop.answers import mapped_label_problems, parse_time, role_field
from evalkit.interop.candidates import CHINA, SOURCES, Candidate, Cell, at, at_missing, stable_id, where
from evalkit.interop.import_writing import ImportResult, run_import
from evalkit.interop.problems import (
    IMPORT_COLUMN_MISSING,
    IMPORT_COLUMN_MISSING_OPTIONAL,
    IMPORT_ID_DUPLICATE,
    IMPORT_ID_MISSING,
    IMPORT_NO_RECORDS,
    IMPORT_REVIEW_UNKNOWN,
    IMPORT_VERSION_ACCEPTED,
    IMPORT_VERSION_DIFFERS,
)
from evalkit.interop.xform_columns import find_column, map_level, strip_uuid, value_at
from evalkit.interop.xform_files import Export, read_kobo, read_odk
from evalkit.interop.xform_repeats import Filling, fill_level, link_repeats, main_row_keys, orphan_problems
from evalkit.io import tables
from evalkit.problems import FILE_MISSING, FILE_UNREADABLE, Problem, problem

ODK_REVIEW = {"approved": "approved", "hasissues": "has_issues", "rejected": "rejected", "received": "received",
              "edited": "received"}
KOBO_REVIEW = {"validation_status_approved": "approved", "approved": "approved", "已批准": "approved",
               "validation_status_not_approved": "rejected", "not approved": "rejected", "未批准": "rejected",
               "validation_status_on_hold": "has_issues", "on hold": "has_issues", "暂缓": "has_issues"}


@dataclass(frozen=True)
class MainColumns:
    """Where the source's own columns are in the main table (None when absent), and how to read them."""

    id: int | None
    id_name: str
    key: int | None
    review: int | None
    submitted: int | None
    version: int | None
    start: int | None
    end: int | None
    assessor: int | None
    review_map: dict
    naive: dt.tzinfo          # the zone of a submission time written without one


def main_columns(main: tables.Table, source: str, assessor_column: str | None) -> MainColumns:
    if source == "odk":
        id_col = find_column(main, "KEY", "meta-instanceID", "instanceID")
        key_col = find_column(main, "KEY", "meta-instanceID")
        named = ("ReviewState", "SubmissionDate", "FormVersion")
        review_map, naive = ODK_REVIEW, CHINA
    else:
        id_col = find_column(main, "_uuid", "meta/instanceID", "instanceID")
        key_col = find_column(main, "_index")
        named = ("_validation_status", "_submission_time", "__version__")
        review_map, naive = KOBO_REVIEW, dt.UTC
    id_name = main.headers[id_col] if id_col is not None else ("KEY" if source == "odk" else "_uuid")
    review_col, submitted_col, version_col = (find_column(main, name) for name in named)
    return MainColumns(id_col, id_name, key_col, review_col, submitted_col, version_col,
                       find_column(main, "start"), find_column(main, "end"),
                       find_column(main, assessor_column) if assessor_column else None, review_map, naive)


def candidates_from(export: Export, instrument, *, source: str, assessor_column: str | None = None,
                    any_version: bool = False) -> tuple[list[Candidate], list[Problem]]:
    """Import candidates (one per main-table row) and the problems of the export as a whole."""
    main = export.main
    if not main.rows:
        return [], [problem(IMPORT_NO_RECORDS, file=main.file, sheet=main.sheet,
                            where=where(Cell(main.file, main.sheet, None, None)))]
    cols = main_columns(main, source, assessor_column)
    index, problems = _map_main(instrument, main, cols, source, assessor_column)
    if cols.id is None:
        problems.append(problem(IMPORT_COLUMN_MISSING,
                                **at_missing(Cell(main.file, main.sheet, main.header_row, cols.id_name)),
                                field=cols.id_name, label="记录编号"))
    if cols.version is not None:
        problems += _versions(main, cols.version, instrument, any_version)
    repeats, found = link_repeats(export, instrument, source)
    problems += found
    assessor_field = role_field(instrument, "assessor")
    out: list[Candidate] = []
    seen: dict[str, int] = {}
    labels_used: dict = {}
    for row, cells in main.rows:
        source_id, found = _row_id(main, cols, row, cells, seen, source)
        problems += found
        if source_id is None:
            continue
        cand = Candidate(source_id=source_id, instance_id=stable_id("xform", instrument.id, source_id),
                         where=Cell(main.file, main.sheet, row, None), raw={})
        own = tables.text(value_at(cells, cols.key)).strip() if cols.key is not None else ""
        problems += fill_level(Filling(instrument, cand, repeats, labels_used), instrument.fields, main, index, row,
                               cells, cand.raw, "", main_row_keys(source, main.sheet, own, source_id))
        problems += _row_details(cand, main, cols, row, cells, assessor_field)
        out.append(cand)
    problems += mapped_label_problems(labels_used, main.file, None)
    problems += orphan_problems(repeats)
    return out, problems


def _map_main(instrument, main: tables.Table, cols: MainColumns, source: str,
              assessor_column: str | None) -> tuple[dict[str, int], list[Problem]]:
    """The main table's field columns; with ``assessor_column`` that column stands for the assessor field."""
    extra = {assessor_column} if assessor_column else set()
    index, found = map_level(instrument, instrument.fields, main, (), source=source, extra=extra)
    if not assessor_column:
        return index, found
    assessor_field = role_field(instrument, "assessor")
    assessor_name = assessor_field.name if assessor_field else None
    problems: list[Problem] = []
    if cols.assessor is None:
        problems.append(problem(IMPORT_COLUMN_MISSING,
                                **at_missing(Cell(main.file, main.sheet, main.header_row, assessor_column)),
                                field=assessor_field.name if assessor_field else "assessor",
                                label="--assessor-column 指定的评估员列"))
    found = [p for p in found if not (p.field == assessor_name
                                      and p.code in (IMPORT_COLUMN_MISSING, IMPORT_COLUMN_MISSING_OPTIONAL))]
    return index, problems + found


def _row_id(main: tables.Table, cols: MainColumns, row: int, cells: tuple, seen: dict[str, int],
            source: str) -> tuple[str | None, list[Problem]]:
    """The row's own record id (None, with the problem, when it is empty or seen before)."""
    source_id = strip_uuid(value_at(cells, cols.id)) if cols.id is not None else ""
    if cols.id is not None and not source_id:
        return None, [problem(IMPORT_ID_MISSING, **at(Cell(main.file, main.sheet, row, cols.id_name)),
                              source=SOURCES[source])]
    if source_id in seen:
        return None, [problem(IMPORT_ID_DUPLICATE, **at(Cell(main.file, main.sheet, row, cols.id_name)),
                              value=source_id, first_row=seen[source_id])]
    seen[source_id] = row
    return source_id, []


def _row_details(cand: Candidate, main: tables.Table, cols: MainColumns, row: int, cells: tuple,
                 assessor_field) -> list[Problem]:
    """The assessor column, the review state and the times of one main-table row, into ``cand``."""
    problems: list[Problem] = []
    if cols.assessor is not None:
        value = tables.text(value_at(cells, cols.assessor)).strip()
        cand.assessor_override = value or None
        if value and assessor_field is not None:
            cand.cells[assessor_field.name] = Cell(main.file, main.sheet, row, main.headers[cols.assessor])
    review_value = tables.text(value_at(cells, cols.review)).strip() if cols.review is not None else ""
    cand.review_value = review_value
    if review_value:
        state = cols.review_map.get(review_value.lower()) or cols.review_map.get(review_value)
        if state is None:
            known = "、".join(sorted(set(cols.review_map) - {"已批准", "未批准", "暂缓"}))
            problems.append(problem(IMPORT_REVIEW_UNKNOWN,
                                    **at(Cell(main.file, main.sheet, row, main.headers[cols.review])),
                                    value=review_value, known=known))
        cand.review = state
    cand.submitted = parse_time(value_at(cells, cols.submitted), cols.naive) if cols.submitted is not None else None
    cand.started = parse_time(value_at(cells, cols.start)) if cols.start is not None else None
    cand.ended = parse_time(value_at(cells, cols.end)) if cols.end is not None else None
    cand.ended = cand.ended or cand.submitted
    cand.started = cand.started or cand.ended
    return problems


def _versions(main: tables.Table, col: int, instrument, any_version: bool) -> list[Problem]:
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for row, cells in main.rows:
        value = tables.text(value_at(cells, col)).strip()
        if value and value != instrument.version:
            counts[value] = counts.get(value, 0) + 1
            first.setdefault(value, row)
    code = IMPORT_VERSION_ACCEPTED if any_version else IMPORT_VERSION_DIFFERS
    return [problem(code, **at(Cell(main.file, main.sheet, first[v], main.headers[col])), value=v, count=n,
                    instrument=instrument.id, version=instrument.version) for v, n in counts.items()]


def import_xform(root: Path, path: Path, source: str, instrument, *, units, unit_problems: Sequence[Problem] = (),
                 assessor_column: str | None = None, skip_invalid: bool = False, dry_run: bool = False,
                 any_version: bool = False, now=None) -> ImportResult:
    """Read an ODK Central / KoboToolbox export and import its records into ``root`` (see :func:`run_import`:
    ``units`` is the project's unit list or None, ``unit_problems`` what reading it found)."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        return ImportResult(source=source, file=file, instrument=instrument.id,
                            problems=[problem(FILE_MISSING, file=file)])
    try:
        export, problems = (read_odk if source == "odk" else read_kobo)(path, instrument)
    except OSError as exc:
        return ImportResult(source=source, file=file, instrument=instrument.id,
                            problems=[problem(FILE_UNREADABLE, file=file, detail=exc.strerror or str(exc))])
    if export is None:
        return ImportResult(source=source, file=file, instrument=instrument.id, problems=problems)
    candidates, found = candidates_from(export, instrument, source=source, assessor_column=assessor_column,
                                        any_version=any_version)
    return run_import(root, instrument, candidates, problems + found, source=source, file=file, units=units,
                      unit_problems=unit_problems, skip_invalid=skip_invalid, dry_run=dry_run, now=now)
