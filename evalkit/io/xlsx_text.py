"""How much room text takes in a cell: widths of "0" (CJK characters count two), wrapped lines, column widths.

Row heights of the streamed sheets (:mod:`evalkit.io.xlsx_stream`) fit their wrapped text by
these measures; nothing here writes a cell.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from evalkit.io.xlsx import cell_text, display_width

_WIDE: list = []


def usable_width(width: float) -> float:
    """What a column of ``width`` (in widths of "0" of the default font) holds of text: the cell's
    margins take about 0.8 of a "0"."""
    return max(float(width) - 0.8, 2.0)


_ASCII_WORD = re.compile(r"[!-~]{4,}")


def wrapped_lines(text: str, usable: float) -> int:
    """How many lines ``text`` takes in a column that holds ``usable`` widths (each paragraph at least one).

    A CJK character at 10 pt is about 1.9 widths of "0" and an ASCII letter about 1.05, counted as
    1.9 and 1.  Chinese breaks between any two characters, but a word of ASCII text wraps whole, so
    a paragraph with such words that needs more than one line counts on 0.9 of the width.
    """
    lines = 0
    for part in text.split("\n"):
        part = part.replace("\t", "    ")
        wide = text_width(part) - len(part)  # each wide character counted twice there
        width = len(part) + 0.9 * wide
        room = usable * 0.9 if width > usable and _ASCII_WORD.search(part) else usable
        lines += max(1, math.ceil(width / room))
    return lines


def text_width(value: str) -> int:
    """:func:`evalkit.io.xlsx.display_width` of a string (CJK characters count twice), without a loop per character.

    The wide characters (East Asian Width W and F, from this Python's ``unicodedata``)
    are removed by one regular expression, built on first use (~0.15 s); a province's
    free-text answers are 70 million characters.
    """
    if value.isascii():
        return len(value)
    if not _WIDE:
        ranges, start = [], None
        for code in range(0x110000):
            wide = unicodedata.east_asian_width(chr(code)) in ("W", "F")
            if wide and start is None:
                start = code
            elif not wide and start is not None:
                ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
                start = None
        if start is not None:
            ranges.append(f"\\U{start:08x}-\\U{0x10FFFF:08x}")
        _WIDE.append(re.compile("[" + "".join(ranges) + "]+"))
    return 2 * len(value) - len(_WIDE[0].sub("", value))


def clean_text(value: str) -> str:
    """Text fit for a cell (:func:`evalkit.io.xlsx.cell_text`): a pasted form feed or U+FFFE would break the file."""
    return cell_text(value)


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[object]], limits: Sequence[int]) -> list[float]:
    """Widths that fit the header and the first 2000 rows (CJK counts two), at least 6, at most ``limits``."""
    out = []
    for i, h in enumerate(headers):
        w = max([display_width(h)] + [display_width(r[i]) for r in rows[:2000] if i < len(r)])
        out.append(min(max(w + 2, 6), limits[i]))
    return out
