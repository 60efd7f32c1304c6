"""Rows that hold an id drawn from a sampling frame of known size (the finite-population correction).

A service-user check's row holds the case id drawn from 办件记录, an online check's row the item code
drawn from 事项清单: those rows are elements of a frame of known size, and a leaf resampled over them
is corrected by √(1 − f) (:mod:`evalkit.scoring.resampling`).  :func:`drawn_index` finds them a
record at a time, when a leaf first asks about that record; the correction gives up at the first
record or row without exactly one drawn id (most leaves: a questionnaire holds none, a service-user
check several), so at province scale a few records per leaf are read instead of every answer of a
hundred thousand records (as before issue 19: tests/test_scoring_equivalence.py keeps that as the
reference).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

FrameSizes = Mapping[str, Mapping[str, int]]  # unit -> {id drawn from a frame: size of the unit's part of it}
Key = tuple[str, int | None]  # (record, repeat row); row None = the record's own answers


def _may_hold(row: dict, ids: Mapping[str, int]) -> bool:
    """False when no answer of the row (or record) is a drawn id (most rows): one set operation in C. An id is
    text, and text equals no number, so a hashable answer that is not text never matches; a list answer
    (unhashable: a repeat, a multiple choice) sends it to the answer-by-answer look."""
    try:
        return not ids.keys().isdisjoint(row.values())
    except TypeError:
        return True


def _drawn_of(view, ids: Mapping[str, int], found: dict[Key, int]) -> None:
    """The record's (record, row) whose answers hold an id drawn for its unit, with the frame size, into
    ``found``: a repeat row by the first of its answers that is a drawn id (when the frame's size is known),
    the record itself by each of its own answers that is one (the last wins)."""
    answers = view.answers if isinstance(view.answers, dict) else {}
    if not _may_hold(answers, ids):   # no drawn id among its answers, and no repeat (a list) to look into
        return
    record = view.instance_id
    for name, value in answers.items():
        if isinstance(value, list):
            for i, row in enumerate(value, start=1):
                if not (isinstance(row, dict) and _may_hold(row, ids)):
                    continue
                for v in row.values():   # the row's first answer that is a drawn id
                    if isinstance(v, str) and v in ids:
                        if ids[v]:
                            found[(record, i)] = ids[v]
                        break
        elif name != "unit" and isinstance(value, str) and value in ids:
            found[(record, None)] = ids[value]


class UnitDrawn(Mapping):
    """One unit's rows holding a drawn id as a mapping (record, row) → frame size, each record's rows found the
    first time that record is asked about (and remembered).  Iterating or measuring it reads every record."""

    def __init__(self, views: Mapping[str, list], ids: Mapping[str, int]) -> None:
        self._views, self._ids = views, ids   # record -> its views (not deleted), in the records' order
        self._found: dict[str, dict[Key, int]] = {}

    def of_record(self, record: str) -> dict[Key, int]:
        """The record's drawn rows, in the order of its answers."""
        found = self._found.get(record)
        if found is None:
            found = self._found[record] = {}
            for view in self._views.get(record, ()):
                _drawn_of(view, self._ids, found)
        return found

    def sizes(self, record: str) -> list[int]:
        """The frame sizes of the record's drawn rows (one per row)."""
        return list(self.of_record(record).values())

    def __getitem__(self, key: Key) -> int:
        if not isinstance(key, tuple) or len(key) != 2:
            raise KeyError(key)
        return self.of_record(key[0])[key]

    def __iter__(self) -> Iterator[Key]:
        for record in self._views:
            yield from self.of_record(record)

    def __len__(self) -> int:
        return sum(len(self.of_record(record)) for record in self._views)


def drawn_index(views: Iterable, frames: FrameSizes) -> dict[str, UnitDrawn]:
    """Per unit with a frame, its records' drawn rows as a :class:`UnitDrawn` (found a record at a time): one pass
    over the records groups them by unit and record."""
    grouped: dict[str, dict[str, list]] = {}
    for view in views:
        if view.deleted or not frames.get(view.unit):
            continue
        grouped.setdefault(view.unit, {}).setdefault(view.instance_id, []).append(view)
    return {unit: UnitDrawn(records, frames[unit]) for unit, records in grouped.items()}
