"""The task-ledger page in the browser (Voila + Chromium): progress table, marking a task, the xlsx report."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from browser import Server, launched_chromium, new_page, screenshot
from office_tables import write_office_roster, write_office_table
from test_ledger import pieces
from test_progress import ledger_project

from evalkit.ledger import import_roster, import_table, load_ledger
from evalkit.project import init_project, open_project

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("ledgerpage")
    return ledger_project(base / "jl", base / "inputs")


@pytest.fixture(scope="module")
def browser(project):
    server = Server(project)
    with launched_chromium() as chromium:
        yield server, chromium
    server.stop()


def pick(page, css: str, label: str) -> None:
    page.locator(f"{css} select").first.select_option(label=label)


def type_into(page, css: str, value: str, tag: str = "input") -> None:
    box = page.locator(f"{css} {tag}").first
    box.fill(value)
    box.press("Tab")


def task_label(project, no: int) -> str:
    ledger, _ = load_ledger(*pieces(project))
    t = ledger.task("c1-01", no)
    return f"{no}. {t.title[:24]}{'…' if len(t.title) > 24 else ''}（{ledger.state('c1-01', no).status}）"


def test_ledger_page_table_mark_and_report(browser, project):
    server, chromium = browser
    page = new_page(chromium)
    page.goto(server.url("ledger.ipynb"), timeout=90_000)
    units = page.locator(".ek-l-units")
    units.wait_for(timeout=90_000)
    assert "周调度：2018-11-19（周一） 至 2018-11-25（周日）" in page.locator(".ek-period").inner_text()
    row = page.locator(".ek-l-u-c1-01").inner_text().split("\t")
    assert row == ["c1-01", "市编办", "75", "0", "0", "2", "3", "56", "1", "1", "张丽 13904310003"]

    pick(page, ".ek-l-unit", "市编办（c1-01）")
    pick(page, ".ek-l-cadence", "月统筹")
    page.get_by_text("月统筹：2018-11-01（周四） 至 2018-11-30（周五）").wait_for(timeout=60_000)
    page.locator(".ek-l-roster").wait_for()
    assert "王强" in page.locator(".ek-l-roster").inner_text()

    # a bad mark: done without a date — the reason beside the button, nothing written
    before = sorted((project / "ledger" / "status").rglob("*.json"))
    pick(page, ".ek-l-task", task_label(project, 26))
    pick(page, ".ek-l-status", "已完成")
    page.get_by_role("button", name="登记完成情况").click()
    info = page.locator(".ek-l-mark-info .ek-problems")
    info.wait_for(timeout=60_000)
    assert "ledger-done-no-date" in info.inner_text() and "没有完成日期" in info.inner_text()
    assert sorted((project / "ledger" / "status").rglob("*.json")) == before

    # a good one: closed with its date and materials
    pick(page, ".ek-l-status", "已销账")
    type_into(page, ".ek-l-completed", "2018-11-19")
    type_into(page, ".ek-l-materials", "吉市编发〔2018〕12号\n结项总结", tag="textarea")
    page.get_by_role("button", name="登记完成情况").click()
    page.locator(".ek-marked").wait_for(timeout=60_000)
    assert "已登记：c1-01 序号 26 已销账，完成日期 2018-11-19" in page.locator(".ek-marked").inner_text()
    s = load_ledger(*pieces(project))[0].state("c1-01", 26)
    assert (s.status, s.completed, s.materials) == (
        "已销账", dt.date(2018, 11, 19), ("吉市编发〔2018〕12号", "结项总结"))
    # the table refreshes: task 26 (due 2018-05-20) moves from 逾期未完成 to done late this month
    page.locator(".ek-l-t-26", has_text="本期完成（逾期完成）").wait_for(timeout=60_000)

    page.get_by_role("button", name="生成进度报告（xlsx）").click()
    page.locator(".ek-l-written").wait_for(timeout=60_000)
    assert page.get_by_text("下载进度报告 progress-monthly-2018-11-20-c1-01.xlsx").is_visible()
    path = project / "out" / "ledger" / "progress-monthly-2018-11-20-c1-01.xlsx"
    ws = openpyxl.load_workbook(path)["按单位"]
    assert [c.value for c in ws[6]][:10] == ["c1-01", "市编办", 75, 9, 1, 3, 4, 55, 2, 1]
    screenshot(page, "page-ledger")
    page.close()


def test_the_page_shows_how_each_deadline_of_an_office_table_was_read(browser, tmp_path):
    """A table as a Jilin City office sends it back (merged spans, a range, a date without a year):
    the page's task lines carry each deadline's 时限说明."""
    _, chromium = browser
    root = tmp_path / "jl"
    init_project(root, "jilin-city-2018", as_of=dt.date(2018, 11, 20))
    p = open_project(root)
    table = write_office_table(tmp_path / "发改委任务分解表.xlsx")
    assert import_table(p.root, p.config, p.framework, p.units, table.path, "c1-03")[0] is not None
    assert import_roster(root, p.units, write_office_roster(tmp_path / "联络信息表.xlsx"), "c1-03")[0] is not None
    server = Server(root)
    try:
        page = new_page(chromium)
        page.goto(server.url("ledger.ipynb", unit="c1-03", cadence="monthly", date="2018-08-31"), timeout=90_000)
        line = page.locator(".ek-l-t-7")
        line.wait_for(timeout=90_000)
        assert "时间段「2018年3月—8月」取结束日期 8月31日" in line.inner_text()
        assert "没有写年份，按评估年度 2018 年计" in page.locator(".ek-l-t-8").inner_text()
        screenshot(page, "page-ledger-office-table")
        page.close()
    finally:
        server.stop()
