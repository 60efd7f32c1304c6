"""Which records may be duplicates, found without encoding them (:func:`evalkit.checks.consistency.duplicates`).

Two records are duplicates when their sorted encodings (instrument, unit, assessor and answers) are equal, but
encoding every record is most of the check's time at province scale.  A record's fingerprint here is made of its
instrument, unit, assessor, number of answers and, at a few probed answers (:func:`probes`), the text found there —
or one mark for any other JSON value (a number, 是/否, a list, an object, nothing: 1, 1.0 and ``true`` are alike
here, the encoding tells them apart; NaN and infinity, encoded ``null``, are alike with ``null``) and one for no
answer.  Equal encodings have equal answers everywhere, so equal fingerprints: a record whose fingerprint no
other record shares can be nobody's duplicate.  Any probes give the same duplicates; good ones leave few records
to encode.  An answer read of a type JSON does not give (a date object, a tuple: the text or list it is encoded as
is not known here) leaves no record out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

PROBES, PROBE_SAMPLE = 4, 50
_KEYED = frozenset({"unit", "assessor"})   # answers the record's own unit and assessor usually repeat
_MISSING, _OTHER = object(), object()
_MARKED = frozenset({int, float, bool, type(None), list, dict})   # JSON values encoded unlike any text


class Unusual(Exception):
    """An answer of a type the fingerprint does not know (not one JSON decodes to)."""


def may_have_twins(records: Sequence) -> list[int] | None:
    """The places in ``records`` (in order) of the records whose fingerprint another record shares, or None (every
    record may have a twin) when an answer read is of a type JSON does not give.  The probes are chosen in each
    instrument's first records in the order given (oldest first as a project reads them; any probes would do)."""
    firsts: dict[str, list] = {}   # instrument -> the answers of its first records
    for v in records:
        own = firsts.setdefault(v.instrument_id, [])
        if len(own) < PROBE_SAMPLE:
            own.append(v.answers)
    try:
        paths = {instrument: probes(answers) for instrument, answers in firsts.items()}
        prints = [fingerprint(v, paths[v.instrument_id]) for v in records]
    except Unusual:
        return None
    counts = Counter(prints)
    return [at for at, p in enumerate(prints) if counts[p] > 1]


def probes(answers: Sequence) -> list[tuple[str, str | None]]:
    """The ``PROBES`` texts (a name, or a repeat's name and a field of its first row) with the most distinct values
    in ``answers`` (an instrument's first records), not the answers 单位 and 评估员 (the fingerprint has them)."""
    seen: dict[tuple, set] = {}
    for a in answers:
        for name, value in a.items() if type(a) is dict else ():
            if name in _KEYED:
                continue
            if type(value) is str:
                seen.setdefault((name, None), set()).add(value)
            elif type(value) is list and value and type(value[0]) is dict:
                for field, inner in value[0].items():
                    if type(inner) is str:
                        seen.setdefault((name, field), set()).add(inner)
    return sorted(seen, key=lambda path: (-len(seen[path]), path[0], path[1] or ""))[:PROBES]


def fingerprint(view, paths: Sequence[tuple[str, str | None]]) -> int:
    """A record's fingerprint, reading its answers at ``paths`` (see the module's text)."""
    answers = view.answers
    if type(answers) is not dict:
        raise Unusual
    parts = [_mark(view.unit), _mark(view.assessor)]
    for name, field in paths:
        value = answers.get(name, _MISSING)
        if field is not None and type(value) is list:
            value = value[0] if value else _MISSING
            if type(value) is dict:
                value = value.get(field, _MISSING)
        if type(value) is not str and value is not _MISSING:
            value = _mark(value)
        parts.append(value)
    return hash((view.instrument_id, len(answers), *parts))


def _mark(value: object) -> object:
    """A text kept, any other JSON value one mark (:class:`Unusual` for another type)."""
    if type(value) is str:
        return value
    if type(value) in _MARKED:
        return _OTHER
    raise Unusual
