"""Reading 完成时限 cells (evalkit.ledger.deadlines): dates, free text, unreadable and impossible deadlines."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from conftest import SHIPPED

from evalkit.ledger import EMPTY, EXACT, FROM_TEXT, INVALID, UNREADABLE, parse_deadline

D = dt.date


@pytest.mark.parametrize("text, year, kind, date", [
    ("2018年3月15日", None, EXACT, D(2018, 3, 15)),
    ("2018年6月30日前", None, EXACT, D(2018, 6, 30)),
    ("2018-05-31", None, EXACT, D(2018, 5, 31)),
    ("2018/5/31", None, EXACT, D(2018, 5, 31)),
    ("2018年5月底", None, EXACT, D(2018, 5, 31)),
    ("2018年2月底", None, EXACT, D(2018, 2, 28)),
    ("2018年5月", None, EXACT, D(2018, 5, 31)),
    ("2018年3月上旬", None, EXACT, D(2018, 3, 10)),
    ("2018年3月中旬", None, EXACT, D(2018, 3, 20)),      # 中旬 = 11–20日: its last day
    ("2018年3月下旬", None, EXACT, D(2018, 3, 31)),
    ("2018年底", None, EXACT, D(2018, 12, 31)),
    ("年内", 2018, EXACT, D(2018, 12, 31)),
    ("年底", 2018, EXACT, D(2018, 12, 31)),
    ("3月中旬", 2018, EXACT, D(2018, 3, 20)),
    ("年内", None, UNREADABLE, None),                   # no year anywhere
    ("2018年6月30日前出台“多规合一”工作方案，年内全面铺开", None, FROM_TEXT, D(2018, 6, 30)),
    ("最短时限和最少证明工作2018年6月底完成，最优服务工作2018年12月底完成", None, FROM_TEXT, D(2018, 6, 30)),
    ("5月底前完成，年底前验收", 2018, FROM_TEXT, D(2018, 5, 31)),
    ("长期坚持", 2018, UNREADABLE, None),
    ("按照省政府要求，及时组织试点单位申报，按试点单位要求全面落实", 2018, UNREADABLE, None),
    ("2018年13月", None, INVALID, None),
    ("2018年2月30日", None, INVALID, None),
    ("", None, EMPTY, None),
    (None, None, EMPTY, None),
    (dt.datetime(2018, 7, 31), None, EXACT, D(2018, 7, 31)),
])
def test_parse_deadline(text, year, kind, date):
    found = parse_deadline(text, year)
    assert (found.kind, found.date) == (kind, date)


def test_from_text_and_invalid_say_why():
    assert parse_deadline("2018年7月31日前，出台落实《指导意见》").detail == "取文中的日期「2018年7月31日」"
    assert parse_deadline("2018年6月30日前出台方案，年内全面铺开").detail == "文中有多个日期，取第一个「2018年6月30日」"
    assert parse_deadline("2018年13月").detail == "「2018年13月」的月份 13 不存在"
    assert parse_deadline("2018年2月30日").detail == "「2018年2月30日」：2018年2月没有 30 日"


def test_the_76_deadlines_of_seed_002_as_shipped():
    """Every 完成时限 of the Jilin City table: 71 plain dates, 4 read from free text, 1 unreadable."""
    with open(SHIPPED / "src" / "jilin-city-2018.indicators.csv", encoding="utf-8") as fh:
        rows = {int(r["序号"]): r["完成时限"] for r in csv.DictReader(fh) if r["序号"]}
    assert len(rows) == 76
    found = {n: parse_deadline(text, 2018) for n, text in rows.items()}
    by_kind = {k: sorted(n for n, d in found.items() if d.kind == k) for k in (EXACT, FROM_TEXT, UNREADABLE, INVALID)}
    assert by_kind[FROM_TEXT] == [15, 21, 23, 34]
    assert by_kind[UNREADABLE] == [20]
    assert by_kind[INVALID] == []
    assert len(by_kind[EXACT]) == 71
    assert {n: found[n].date for n in by_kind[FROM_TEXT]} == {
        15: D(2018, 6, 30), 21: D(2018, 7, 31), 23: D(2018, 12, 31), 34: D(2018, 6, 30)}
    assert found[1].date == D(2018, 3, 15) and found[26].date == D(2018, 5, 20) and found[76].date == D(2018, 8, 31)


# ---------------------------------------------------------------- as offices write them (issue 18)

@pytest.mark.parametrize("text, date, detail", [
    ("2018年3月—8月", D(2018, 8, 31), "时间段「2018年3月—8月」取结束日期 8月31日"),
    ("2018年3—8月", D(2018, 8, 31), "时间段「2018年3—8月」取结束日期 8月31日"),
    ("2018年3月至2018年8月底", D(2018, 8, 31), "时间段「2018年3月至2018年8月底」取结束日期 8月31日"),
    ("2018.3-2018.8", D(2018, 8, 31), "时间段「2018.3-2018.8」取结束日期 8月31日"),
    ("2018年3月15日至4月30日", D(2018, 4, 30), "时间段「2018年3月15日至4月30日」取结束日期 4月30日"),
    ("2018年6月1日至30日", D(2018, 6, 30), "时间段「2018年6月1日至30日」取结束日期 6月30日"),
    ("2018年上半年", D(2018, 6, 30), "「上半年」取 6月30日"),
    ("2018年下半年", D(2018, 12, 31), "「下半年」取 12月31日"),
    ("2018年第一季度", D(2018, 3, 31), "第一季度取季末 3月31日"),
    ("2018年第三季度", D(2018, 9, 30), "第三季度取季末 9月30日"),
    ("2018年四季度末", D(2018, 12, 31), "第四季度取季末 12月31日"),
    ("二〇一八年六月底", D(2018, 6, 30), ""),
    ("二零一八年十二月三十一日前", D(2018, 12, 31), ""),
    ("２０１８年１０月３１日", D(2018, 10, 31), ""),
    ("２０１８．７．３１", D(2018, 7, 31), ""),
    ("2018.5", D(2018, 5, 31), "只写到月份，取该月最后一天"),
    ("2018年", D(2018, 12, 31), "只写了年份，取 12月31日"),
    ("2018年6月30日-长期", D(2018, 6, 30), "取文中的日期「2018年6月30日」"),
])
def test_periods_ranges_and_numerals(text, date, detail):
    found = parse_deadline(text)
    assert (found.date, found.detail, found.year_assumed) == (date, detail, False)
    assert found.kind == (EXACT if "取文中" not in detail else FROM_TEXT)


def test_a_date_without_a_year_takes_the_evaluation_year_and_says_so():
    found = parse_deadline("6月底前", 2018, "项目设置 evalkit.toml 的 year")
    assert (found.date, found.kind, found.year_assumed) == (D(2018, 6, 30), EXACT, True)
    assert found.detail == "没有写年份，按评估年度 2018 年计，评估年度取自项目设置 evalkit.toml 的 year"
    ranged = parse_deadline("3月—8月", 2018)
    assert ranged.date == D(2018, 8, 31) and ranged.detail.startswith("时间段「3月—8月」取结束日期 8月31日；没有写年份")
    assert parse_deadline("6月底前").kind == UNREADABLE           # no evaluation year: unreadable, never a guess


def test_impossible_ends_of_ranges_are_invalid():
    assert parse_deadline("2018年3月—13月").kind == INVALID
    assert parse_deadline("2018年2月1日至30日").kind == INVALID
