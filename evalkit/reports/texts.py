"""The records' free text for the reports, in record order, masked when asked: :func:`text_blocks`.

A province has 1.5 million free-text answers (the evidence workbook's 文字记录 sheet has them
all).  They are made a block at a time and column by column (:class:`TextBlock`): per answer
only its field, its repeat row and its text are appended; what a record's answers share — the
record, the unit, the instrument — is kept once per record with the number of its answers, and
each distinct answer is cleaned and masked once per kind of field.  :class:`TextAnswer` — one
answer as a named tuple — is made only where one is looked at (a unit page's first answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from typing import NamedTuple

from evalkit.forms import iter_fields
from evalkit.io.xlsx import plain_text
from evalkit.reports.masking import masker, personal_kind

MASKED_KEPT = 200000  # distinct free-text answers kept cleaned and masked per kind while the texts are gone through
BLOCK = 2000          # answers in a block, at least (a block ends where a record ends)


class TextAnswer(NamedTuple):
    """One free-text answer of a record (masked when asked), for the reports' field notes."""

    record: str
    unit: str
    instrument: str
    field: str
    label: str
    row: int | None
    text: str
    personal: str | None = None


class TextField(NamedTuple):
    """A free-text field of an instrument as the reports name it, and what personal data it holds."""

    name: str
    label: str
    personal: str | None


class TextBlock(NamedTuple):
    """Free-text answers of whole records, column by column: per record (``records``, ``units``, ``instruments``,
    ``counts`` — how many answers it has here), per answer (``fields``: :class:`TextField`, ``rows``, ``texts``)."""

    records: list
    units: list
    instruments: list
    counts: list
    fields: list
    rows: list
    texts: list

    def per_answer(self, column: list) -> list:
        """A per-record column (``records``, ``units``, ``instruments``) repeated for each of the record's answers."""
        return list(chain.from_iterable(map(repeat, column, self.counts)))

    def answers(self) -> Iterator[TextAnswer]:
        """The block's answers as :class:`TextAnswer`, in order."""
        for record, unit, instrument, f, row, text in zip(self.per_answer(self.records), self.per_answer(self.units),
                                                          self.per_answer(self.instruments), self.fields, self.rows,
                                                          self.texts):
            yield TextAnswer(record, unit, instrument, f.name, f.label, row, text, f.personal)


def text_fields(instruments: dict) -> dict[str, list[tuple[tuple[str, ...], TextField]]]:
    """Each instrument's free-text fields (not the unit or the assessor) with their group path."""
    return {k: [(path, TextField(f.name, f.label, personal_kind(f.name, f.label, f.role))) for path, f in
                iter_fields(inst) if f.type == "text" and f.role not in ("unit", "assessor")]
            for k, inst in instruments.items()}


def text_blocks(records: Iterable, instruments: dict, *, mask: bool, names: tuple,
                block: int = BLOCK) -> Iterator[TextBlock]:
    """Free-text answers of every record not deleted (``records``: record views in order), personal fields masked
    when ``mask`` (``names``: citizens' names masked in any text), in blocks of whole records."""
    done: dict[str | None, dict[str, str]] = {}  # per kind, each distinct answer (「无」…) cleaned and masked once
    fields = text_fields(instruments)
    # per kind of field, its masking made once (masking.masker: the names' pattern looked up once, not per answer)
    maskers = {f.personal: masker(f.personal, names) for found in fields.values() for _, f in found} if mask else {}
    specs_of = {k: [(path, f.name, f, done.setdefault(f.personal, {}), maskers.get(f.personal)) for path, f in found]
                for k, found in fields.items()}
    out = TextBlock([], [], [], [], [], [], [])
    add_field, add_row, add_text = out.fields.append, out.rows.append, out.texts.append
    for view in records:
        specs, answers = specs_of.get(view.instrument_id), view.answers
        if view.deleted or specs is None or not isinstance(answers, dict):
            continue
        before = len(out.texts)
        scopes: dict[tuple, list] = {(): [(None, answers)]}  # the rows of each group of the record, opened up once
        for path, name, f, seen, masked in specs:
            found = scopes.get(path)
            if found is None:
                found = scopes[path] = scopes_at(answers, path)
            for row, scope in found:
                value = scope.get(name)
                if value is None:  # not answered there
                    continue
                raw = value if type(value) is str else str(value)
                text = seen.get(raw)
                if text is None:
                    if raw.strip() == "":
                        continue
                    text = plain_text(raw)
                    if masked is not None:
                        text = masked(text)
                    if len(seen) >= MASKED_KEPT:
                        seen.clear()
                    seen[raw] = text
                add_field(f)
                add_row(row)
                add_text(text)
        count = len(out.texts) - before
        if count:
            out.records.append(view.instance_id)
            out.units.append(view.unit)
            out.instruments.append(view.instrument_id)
            out.counts.append(count)
            if len(out.texts) >= block:
                yield out
                out = TextBlock([], [], [], [], [], [], [])
                add_field, add_row, add_text = out.fields.append, out.rows.append, out.texts.append
    if out.texts:
        yield out


def scopes_at(answers: dict, path: tuple[str, ...]) -> list[tuple[int | None, dict]]:
    """The answers' dicts at ``path`` with their repeat row (groups are opened up; a repeat is a list of row dicts)."""
    scopes: list[tuple[int | None, dict]] = [(None, answers)]
    for part in path:
        nxt = []
        for row, scope in scopes:
            inner = scope.get(part)
            if isinstance(inner, list):
                nxt += [(i, r) for i, r in enumerate(inner, start=1) if isinstance(r, dict)]
            elif isinstance(inner, dict):
                nxt.append((row, inner))
            else:
                nxt.append((row, scope))  # plain groups are stored opened up
        scopes = nxt
    return scopes
