"""Import candidates: records read from a source, before they are checked and written.

Each reader (:mod:`evalkit.interop.xform`, :mod:`evalkit.interop.table`) turns its file
into :class:`Candidate` records: answers keyed by field name, repeats as lists, each value
remembering its file / sheet / row / column (:class:`Cell`) so that every problem says
where it is.  Instance ids are stable (:func:`stable_id`: uuid5 of the source's own id, or
of the table file's hash and row), so importing the same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from evalkit.problems import did_you_mean

NAMESPACE = uuid.UUID("6f1c3a52-9d0e-4b7a-8f61-2c4e5d7a9b10")  # evalkit imports; never change
CHINA = dt.timezone(dt.timedelta(hours=8))
SOURCES = {"odk": "ODK Central", "kobo": "KoboToolbox", "table": "问卷表格"}
FIX = {"odk": " ODK Central 中更正该提交后重新导出", "kobo": " KoboToolbox 中更正该提交后重新导出",
       "table": "原表格中更正"}


@dataclass
class Cell:
    """Where a value came from."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None


@dataclass
class Candidate:
    """One record read from a source, before validation."""

    source_id: str
    instance_id: str
    where: Cell
    raw: dict                                        # field -> value (repeats: list of dicts)
    cells: dict = field(default_factory=dict)        # answer path ("calls[2].x") -> Cell
    submitted: str | None = None                     # ISO time the source received it
    started: str | None = None
    ended: str | None = None
    review: str | None = None                        # received / has_issues / approved / rejected
    review_value: str = ""
    assessor_override: str | None = None


def stable_id(*parts: str) -> str:
    """The evalkit instance id for a source record: uuid5 hex (32 lowercase hex digits, like new_id)."""
    return uuid.uuid5(NAMESPACE, "\x1f".join(parts)).hex


def record_day(candidate: Candidate) -> dt.date | None:
    """The day the record was made (for ``today()`` in its calculations), from its times."""
    for stamp in (candidate.ended, candidate.submitted, candidate.started):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp).date()
            except ValueError:
                continue
    return None


def where(cell: Cell) -> str:
    """`` 工作表「x」第 3 行「y」列`` for a message (after the file name)."""
    parts = []
    if cell.sheet:
        parts.append(f"工作表「{cell.sheet}」")
    if cell.row is not None:
        parts.append(f"第 {cell.row} 行")
    if cell.column:
        parts.append(f"「{cell.column}」列")
    return (" " + " ".join(parts)) if parts else ""


def at(cell: Cell, **extra) -> dict:
    """Location keywords for :func:`problem`."""
    return {"file": cell.file, "sheet": cell.sheet, "row": cell.row, "column": cell.column, "where": where(cell),
            **extra}


def at_missing(cell: Cell, **extra) -> dict:
    """Location keywords for a column that is not there: the message names the header row, the record the column."""
    return {**at(Cell(cell.file, cell.sheet, cell.row, None), **extra), "column": cell.column}


def close_to(word: str, candidates: Iterable[str]) -> str:
    """A did-you-mean only for candidates that really look alike."""
    return did_you_mean(word, difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7))
