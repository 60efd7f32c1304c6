"""Reading the 完成时限 cells of a 任务分解表 into dates.

Units write deadlines as dates or as free text.  :func:`parse_deadline` reads
the **first firm date** the text names and says how it read it:

* ``2018年3月15日``, ``2018-03-15``, ``2018/3/15``, ``2018.3.15`` or an Excel date cell
  → that day (``exact``);
* a named period means **its last day**: ``2018年5月底`` / ``5月末`` / ``2018年5月`` → 5-31,
  ``3月上旬`` → the 10th, ``3月中旬`` → the 20th (中旬 = 11–20日), ``3月下旬`` → the last day
  of the month, ``年底`` / ``年末`` / ``年内`` / ``2018年底`` → 12-31;
* a text naming several dates, e.g. ``2018年6月30日前出台…，年内全面铺开`` or
  ``最短时限…2018年6月底完成，最优服务…2018年12月底完成``, → the first one (6-30); the
  reading is reported (``from_text``) so the lead evaluator can overrule it in
  ``ledger/时限认定.xlsx``;
* a month or day without a year takes the year of an earlier date in the same text,
  else ``default_year`` (the as-of year of the evaluation), else it is unreadable;
* no date at all (``长期坚持``, ``按照省政府要求，及时组织试点单位申报…``) → ``unreadable``;
* an impossible date (``2018年13月``, ``2018年2月30日``) → ``invalid``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

EXACT = "exact"
FROM_TEXT = "from_text"
UNREADABLE = "unreadable"
INVALID = "invalid"
EMPTY = "empty"

_NUM = r"(\d{1,4})"
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬|份)?)"
    r"|(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})"
    r"|(?:(?P<yy>\d{4})\s*年\s*)?(?P<ypart>年底|年末|年内|底|末|内)"
)
_PART_DAY = {"上旬": 10, "中旬": 20}


@dataclass(frozen=True)
class Deadline:
    """How one 完成时限 cell was read: ``date`` is None unless ``kind`` is exact or from_text."""

    date: dt.date | None
    kind: str
    text: str
    detail: str = ""


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _mentions(text: str):
    """Every date-like mention, in order, as (start, year|None, month, day|None, part|None, matched text)."""
    for m in _DATE.finditer(text):
        if m.group("iy"):
            yield m.start(), int(m.group("iy")), int(m.group("im")), int(m.group("id")), None, m.group()
        elif m.group("m"):
            y = int(m.group("y")) if m.group("y") else None
            d = int(m.group("d")) if m.group("d") else None
            yield m.start(), y, int(m.group("m")), d, m.group("part") or "", m.group()
        else:
            part = m.group("ypart")
            if part in ("底", "末", "内") and not m.group("yy"):
                # a bare 底/末/内 counts only as part of 年底/年末/年内 (matched above) or after a year
                continue
            y = int(m.group("yy")) if m.group("yy") else None
            yield m.start(), y, 12, 31, "year", m.group()


def parse_deadline(value: object, default_year: int | None = None) -> Deadline:
    """Read one 完成时限 cell (text, date or datetime)."""
    if isinstance(value, dt.datetime):
        return Deadline(value.date(), EXACT, value.date().isoformat())
    if isinstance(value, dt.date):
        return Deadline(value, EXACT, value.isoformat())
    text = "" if value is None else str(value).strip()
    if not text:
        return Deadline(None, EMPTY, "")
    year_seen: int | None = None
    for _start, y, month, day, part, matched in _mentions(text):
        year = y or year_seen or default_year
        if y:
            year_seen = y
        if year is None:
            return Deadline(None, UNREADABLE, text, f"「{matched}」没有写年份")
        if not 1 <= month <= 12:
            return Deadline(None, INVALID, text, f"「{matched}」的月份 {month} 不存在")
        if day is None:
            day = _PART_DAY.get(part or "", _last_day(year, month))
        elif not 1 <= day <= _last_day(year, month):
            return Deadline(None, INVALID, text, f"「{matched}」：{year}年{month}月没有 {day} 日")
        date = dt.date(year, month, day)
        whole = matched.strip() == text.rstrip("前止。. ") or _is_plain(text)
        kind = EXACT if whole else FROM_TEXT
        detail = "" if kind == EXACT else f"取文中第一个明确日期「{matched.strip()}」"
        return Deadline(date, kind, text, detail)
    return Deadline(None, UNREADABLE, text, "文中没有可以识别的日期")


def _is_plain(text: str) -> bool:
    """A cell that is only a date (with 前 / 以前 / 之前 / 止 around it)."""
    rest = _DATE.sub("", text, count=1)
    return re.fullmatch(r"\s*(以前|之前|前|止|为止|完成)?[。.]?\s*", rest) is not None
