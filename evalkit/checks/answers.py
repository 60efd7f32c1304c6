"""Reading stored answers in the cross-record checks without trusting their types.

A stored record may hold anything JSON can (a list in a rating field, a text where a repeat's rows
should be, ``null`` inside a repeat): validation names such answers (``record-answer-invalid``,
:func:`evalkit.store.check_records`), and the checks leave them out instead of failing on them —
the rows of a repeat that are not objects, and values that are not a text or a number.
"""

from __future__ import annotations

import math


def answer_rows(answers: object, repeat: str | None) -> list[tuple[int | None, dict]]:
    """(1-based row, row) of a repeat's rows that are objects (their place in the list kept), or
    ``[(None, answers)]`` outside a repeat; nothing when the repeat is not a list."""
    if not isinstance(answers, dict):
        return []
    if repeat is None:
        return [(None, answers)]
    items = answers.get(repeat)
    if not isinstance(items, list):
        return []
    return [(i, row) for i, row in enumerate(items, start=1) if isinstance(row, dict)]


def scalar(value: object) -> str | None:
    """A text or number answer as stripped text (None when empty, or a list, an object, 是/否 or not finite)."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value:
        return None
    return str(value) if isinstance(value, int) or math.isfinite(value) else None


def finite_number(value: object) -> float | None:
    """A number answer as a float (None for text, 是/否, lists, objects)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
