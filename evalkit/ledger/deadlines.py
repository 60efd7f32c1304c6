"""Reading the 完成时限 cells of a 任务分解表 into dates, saying how each was read.

Units write deadlines as dates or as free text.  :func:`parse_deadline` first reads the text as
a person would — full-width digits and punctuation as half-width, Chinese numerals as digits
(``二〇一八年六月底`` = ``2018年6月底``, ``十二月`` = ``12月``, ``第三季度``), white space ignored — and
then takes the **first firm date** the text names:

* ``2018年3月15日``, ``2018-03-15``, ``2018/3/15``, ``2018.3.15`` or an Excel date cell → that day;
* a named period means **its last day**: ``2018年5月底`` / ``5月末`` → 5-31, ``2018年5月`` /
  ``2018.5`` → 5-31 (only the month written), ``3月上旬`` → the 10th, ``3月中旬`` → the 20th,
  ``3月下旬`` → the last day of the month, ``上半年`` → 6-30, ``下半年`` → 12-31, ``第N季度`` /
  ``N季度`` → the quarter's last day, ``年底`` / ``年末`` / ``年内`` / ``2018年底`` → 12-31,
  ``2018年`` alone → 12-31;
* a **range** means its end: ``2018年3月—8月``, ``2018年3—8月``, ``3月15日至4月30日``,
  ``2018.3-2018.8`` → the end of the second part (8-31, 4-30);
* a text naming several dates, e.g. ``2018年6月30日前出台…，年内全面铺开``, → the first (6-30);
* a month or day without a year takes the year of an earlier date in the same text, else
  ``default_year`` — the evaluation year, which the caller names in ``year_source`` — else it is
  unreadable;
* no date at all (``长期坚持``, ``按照省政府要求，及时组织试点单位申报…``) → ``unreadable``;
* an impossible date (``2018年13月``, ``2018年2月30日``) → ``invalid``.

Every reading that is not a plain date says how it was read (:attr:`Deadline.detail`), so the
task's note can carry it into the status list, the progress report and the score trace.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

EXACT = "exact"
FROM_TEXT = "from_text"
UNREADABLE = "unreadable"
INVALID = "invalid"
EMPTY = "empty"

_PARTS = r"上旬|中旬|下旬|底|末|初|份"
_DATE = re.compile(
    r"(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d)"
    r"|(?P<ay>\d{4})[-/.](?P<am>\d{1,2})(?!\d)"
    r"|(?:(?P<ry>\d{4})年)?(?P<rm>\d{1,2})(?=[-~—–―至到]+\d{1,2}月)"
    r"|(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号]|(?P<part>" + _PARTS + r"))?"
    r"|(?:(?P<qy>\d{4})年)?第?(?P<q>[1-4])季度(?:末|底)?"
    r"|(?:(?P<hy>\d{4})年)?(?P<half>上半年|下半年)(?:末|底)?"
    r"|(?:(?P<yy>\d{4})年)?(?P<ypart>年底|年末|年内|底|末|内)"
    r"|(?P<by>\d{4})年(?!\d)"
)
_RANGE = re.compile(r"(?:[-~—–―]+|至|到)(?:次年|翌年|第二年)?")
_DAY_ONLY = re.compile(r"(?P<d>\d{1,2})[日号]")
_PART_DAY = {"上旬": 10, "初": 10, "中旬": 20}
_PART_WORD = {"上旬": "上旬取 10日", "初": "月初取 10日", "中旬": "中旬取 20日", "下旬": "下旬取月末"}
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_ZH_QUARTER = "一二三四"
_PLAIN_REST = re.compile(r"(以前|之前|前|止|为止|前完成|完成|底前)?[。.;；]?")

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")
_CN_SMALL = re.compile(r"(?<![〇零○一二三四五六七八九十])([一二三四五六七八九十]{1,3})(?=\s*(?:月|日|号|季度))")


@dataclass(frozen=True)
class Deadline:
    """How one 完成时限 cell was read.

    ``kind``: ``exact`` when the cell is one date, period or range (with at most 前 / 止 / 完成
    around it), ``from_text`` when the date was picked out of a longer text, else ``empty``,
    ``unreadable`` or ``invalid`` (``date`` is None).  ``detail`` says how the date was read
    whenever it is not a plain date (a period's last day, a range's end, the first of several
    dates, the year assumed), or why there is none; ``year_assumed`` when the text had no year
    and the evaluation year was taken."""

    date: dt.date | None
    kind: str
    text: str
    detail: str = ""
    year_assumed: bool = False


def _small_number(chars: str) -> str:
    """「十」「十二」「二十」「三十一」 → "10" "12" "20" "31"; a single numeral → its digit."""
    if "十" not in chars:
        return "".join(str(_CN_DIGITS[c]) for c in chars) if len(chars) == 1 else chars
    tens, _, ones = chars.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return chars
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def normal_text(text: str) -> str:
    """The text as it is read: NFKC (full-width → half-width), Chinese numerals of years, months,
    days and quarters as digits, 元月 as 1月, no white space."""
    text = unicodedata.normalize("NFKC", text).replace("元月", "1月")
    text = _CN_YEAR.sub(lambda m: "".join(str(_CN_DIGITS[c]) for c in m.group()), text)
    text = _CN_SMALL.sub(lambda m: _small_number(m.group(1)), text)
    return re.sub(r"\s+", "", text)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@dataclass(frozen=True)
class _Mention:
    """One date-like mention: year (None when not written), month, day (None: the period's end)."""

    start: int
    end: int
    year: int | None
    month: int
    day: int | None
    words: str            # how a period became a day ("上半年取 6月30日"), "" for a plain date
    matched: str


def _mention(m: re.Match) -> _Mention | None:
    g = m.groupdict()
    y = next((int(g[k]) for k in ("iy", "ay", "ry", "y", "qy", "hy", "yy", "by") if g.get(k)), None)
    if g["iy"]:
        return _Mention(m.start(), m.end(), y, int(g["im"]), int(g["id"]), "", m.group())
    if g["am"]:
        return _Mention(m.start(), m.end(), y, int(g["am"]), None, "只写到月份，取该月最后一天", m.group())
    if g["rm"]:
        return _Mention(m.start(), m.end(), y, int(g["rm"]), None, "", m.group())
    if g["m"]:
        part = g["part"] or ""
        day = int(g["d"]) if g["d"] else _PART_DAY.get(part)
        words = "" if g["d"] or part in ("底", "末") else _PART_WORD.get(part, "只写到月份，取该月最后一天")
        return _Mention(m.start(), m.end(), y, int(g["m"]), day, words, m.group())
    if g["q"]:
        q = int(g["q"])
        month, day = _QUARTER_END[q]
        return _Mention(m.start(), m.end(), y, month, day, f"第{_ZH_QUARTER[q - 1]}季度取季末 {month}月{day}日", m.group())
    if g["half"]:
        first = g["half"] == "上半年"
        return _Mention(m.start(), m.end(), y, 6 if first else 12, 30 if first else 31,
                        f"「{g['half']}」取 {'6月30日' if first else '12月31日'}", m.group())
    if g["ypart"]:
        if g["ypart"] in ("底", "末", "内") and not g["yy"]:
            return None  # a bare 底/末/内 counts only as part of 年底/年末/年内 or after a year
        words = "「年内」取 12月31日" if g["ypart"].endswith("内") else ""
        return _Mention(m.start(), m.end(), y, 12, 31, words, m.group())
    return _Mention(m.start(), m.end(), y, 12, 31, "只写了年份，取 12月31日", m.group())


def _mentions(text: str) -> list[_Mention]:
    found = []
    for m in _DATE.finditer(text):
        mention = _mention(m)
        if mention is not None:
            found.append(mention)
    return found


def _range_end(text: str, first: _Mention, following: list[_Mention]) -> _Mention | None:
    """The end of a range 「A—B」 / 「A至B」 starting with ``first``, or None when no range follows."""
    joint = _RANGE.match(text, first.end)
    if joint is None:
        return None
    nxt = following[0] if following else None
    if nxt is not None and nxt.start == joint.end():
        return nxt
    day = _DAY_ONLY.match(text, joint.end())
    if day and first.day is not None:
        return _Mention(day.start(), day.end(), first.year, first.month, int(day.group("d")), "", day.group())
    return None


def parse_deadline(value: object, default_year: int | None = None, year_source: str = "") -> Deadline:
    """Read one 完成时限 cell (text, date or datetime); see the module docstring.

    ``year_source`` names where ``default_year`` comes from (e.g. 「评估年度（evalkit.toml 的评估期
    2018-01-01 至 2018-12-31）」) for the note of a date written without a year."""
    if isinstance(value, dt.datetime):
        return Deadline(value.date(), EXACT, value.date().isoformat())
    if isinstance(value, dt.date):
        return Deadline(value, EXACT, value.isoformat())
    text = "" if value is None else str(value).strip()
    if not text:
        return Deadline(None, EMPTY, "")
    norm = normal_text(text)
    mentions = _mentions(norm)
    if not mentions:
        return Deadline(None, UNREADABLE, text, "文中没有可以识别的日期")
    first = mentions[0]
    end = _range_end(norm, first, mentions[1:])
    chosen = end or first
    year = first.year or chosen.year
    assumed = year is None
    if assumed:
        if default_year is None:
            return Deadline(None, UNREADABLE, text, f"「{first.matched}」没有写年份")
        year = default_year
    start_year = year
    year = chosen.year or year
    if end is not None and end.year is None and (end.month, end.day or 31) < (first.month, first.day or 31):
        year += 1   # 「2018年11月—2月」: the range runs into the next year
    if not 1900 <= year <= 2100:
        return Deadline(None, INVALID, text, f"「{chosen.matched}」的年份 {year} 不在 1900–2100 之间")
    month = chosen.month
    for part in (first, chosen):
        if not 1 <= part.month <= 12:
            return Deadline(None, INVALID, text, f"「{part.matched}」的月份 {part.month} 不存在")
    day = chosen.day if chosen.day is not None else _last_day(year, month)
    if not 1 <= day <= _last_day(year, month):
        return Deadline(None, INVALID, text, f"「{chosen.matched}」：{year}年{month}月没有 {day} 日")
    return _reading(text, norm, dt.date(year, month, day), first, end, mentions,
                    start_year if assumed else None, year_source, year != start_year)


def _reading(text: str, norm: str, date: dt.date, first: _Mention, end: _Mention | None, mentions: list[_Mention],
             assumed_year: int | None, year_source: str, next_year: bool = False) -> Deadline:
    """The Deadline with its kind and the words saying how it was read."""
    how = []
    last = end or first
    if end is not None:
        day = f"{date.year}年{date.month}月{date.day}日" if next_year else f"{date.month}月{date.day}日"
        how.append(f"时间段「{norm[first.start:end.end]}」取结束日期 {day}")
        if end.words and not end.words.startswith("只写到月份"):
            how.append(end.words)
    elif first.words:
        how.append(first.words)
    later = [m for m in mentions if m.start >= last.end]
    if later:
        how.append(f"文中有多个日期，取第一个「{norm[first.start:last.end]}」")
    rest = norm[:first.start] + norm[last.end:]
    kind = EXACT if not later and _PLAIN_REST.fullmatch(rest) is not None else FROM_TEXT
    if kind == FROM_TEXT and not how:
        how.append(f"取文中的日期「{norm[first.start:last.end]}」")
    if assumed_year is not None:
        source = f"，评估年度取自{year_source}" if year_source else ""  # 「取自项目设置 evalkit.toml 的 year」
        how.append(f"没有写年份，按评估年度 {assumed_year} 年计{source}")
    return Deadline(date, kind, text, "；".join(how), assumed_year is not None)
