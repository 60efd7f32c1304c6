"""The lead evaluator's pages in the browser (Voila + Chromium): sampling, scoring, the review queue
(three approvals in a row with 「下一条」, a 存疑 thread answered from 我的记录, a duplicate voided from
the problem that found it), the ledger page on a province project, and every page at 1366×768 and
768×1024 without horizontal page overflow (wide tables scroll inside their box)."""

from __future__ import annotations

import pytest
from browser import SCROLLERS_JS, Server, launched_chromium, new_page, screenshot
from scoring_helpers import Records, shipped_instruments
from test_sampling_page import case_frame

from evalkit.project import init_project
from evalkit.sampling import list_draws
from evalkit.store import Store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages") / "eval"
    init_project(root, "province-2018")
    case_frame(root / "frames" / "cases.xlsx")
    rec = Records(root, shipped_instruments())
    calls = [{"calls_made": 1, "calls_connected": 1}] * 8 + [{"calls_made": 1, "calls_connected": 0}] * 2
    root.joinpath("ids.txt").write_text(rec.add("hotline_test", "c1-01", {"calls": calls}), encoding="utf-8")
    for n in (1, 2, 3):  # the review queue: three records of one assessor
        rec.add("hotline_test", f"c2-0{n}", {"calls": calls[:n]}, state="received", assessor="孙评估")
    twins = [rec.add("hotline_test", "c2-04", {"calls": calls[:4]}, state="received", assessor="李重复") for _ in (1, 2)]
    query = rec.add("hotline_test", "c2-05", {"calls": calls[:5]}, state="received", assessor="钱存疑")
    root.joinpath("review.txt").write_text(" ".join([*twins, query]), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def browser(project):
    server = Server(project)
    with launched_chromium() as chromium:
        yield server, chromium
    server.stop()


def lead_page(chromium, width: int = 1280, height: int = 900):
    """A tab with a patient default timeout: these pages score and read every record while the kernel starts,
    and the machine running the tests is shared."""
    page = new_page(chromium, width, height)
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)
    return page


def pick(page, css: str, label: str) -> None:
    page.locator(f"{css} select").first.select_option(label=label)


def type_into(page, css: str, value: str) -> None:
    box = page.locator(f"{css} input").first
    box.fill(value)
    box.press("Tab")


def test_sampling_page_draws_and_tracks_fieldwork(browser, project):
    server, chromium = browser
    page = lead_page(chromium)
    page.goto(server.url("sampling.ipynb"))
    pick(page, ".ek-s-frame", "cases.xlsx")
    page.get_by_text("建议样本量").wait_for()
    type_into(page, ".ek-s-n", "6")
    type_into(page, ".ek-s-reserve", "2")
    type_into(page, ".ek-s-seed", "20181120")
    page.get_by_role("button", name="抽样并记录").click()
    page.locator(".ek-drawn").wait_for()
    assert page.get_by_text("下载样本表（给电话组）").is_visible()
    (draw_id,) = list_draws(project)
    page.locator(".ek-progress").wait_for()
    assert "合计" in page.locator(".ek-progress").inner_text()
    screenshot(page, "page-sampling")
    page.close()


def test_scoring_page_drills_down_to_a_record(browser, project):
    server, chromium = browser
    record = project.joinpath("ids.txt").read_text(encoding="utf-8")
    page = lead_page(chromium)
    page.goto(server.url("scoring.ipynb"))
    page.locator(".ek-ranking").wait_for(timeout=60_000)
    pick(page, ".ek-p-unit", "市编办（c1-01）")
    page.locator(".ek-card").wait_for()
    pick(page, ".ek-p-leaf", "2.2.3 “只跑一次”事项的电话咨询接通率")
    page.locator(".ek-trace").wait_for()
    assert "8/10" in page.locator(".ek-trace").inner_text()
    pick(page, ".ek-p-record", record[:8])
    page.locator(".ek-record").wait_for()
    assert record in page.locator(".ek-form").first.inner_text()
    assert page.locator(f".ek-trace a[href*='review.ipynb?record={record}']").count() == 1
    screenshot(page, "page-scoring")
    # the duplicate is voided from the problem that found it
    first, twin, _ = project.joinpath("review.txt").read_text(encoding="utf-8").split()
    pick(page, ".ek-p-code", "record-duplicate")
    page.get_by_role("link", name="打开记录并作废").first.click()
    page.locator(".ek-review-void-box textarea").wait_for(timeout=60_000)
    assert page.locator(".ek-review-void-box").inner_text().count(first) == 1
    page.get_by_label("审核人").fill("周组长")
    page.locator(".ek-review-void-box textarea").fill(f"与记录 {first[:8]} 重复提交")
    page.locator(".ek-review-void").click()
    page.get_by_text(f"已作废记录 {twin[:8]}").wait_for()
    screenshot(page, "page-review-voided")
    voided = Store(project).get(twin)
    assert voided.deleted and Store(project).history(twin)[-1].why == f"与记录 {first[:8]} 重复提交"
    page.close()


def test_the_review_queue_approves_three_records_in_a_row_with_next(browser, project):
    server, chromium = browser
    page = lead_page(chromium, 1366, 768)
    page.goto(server.url("review.ipynb", reviewer="周组长"))
    pick(page, ".ek-review-assessor", "孙评估")
    page.get_by_text("第 1 / 3 条").wait_for()
    decided = []
    for n in (1, 2, 3):
        heading = page.locator(".ek-record").first
        heading.wait_for()
        shown = page.locator("h4", has_text="记录 ").first.inner_text().split()[1]
        decided.append(shown)
        if n == 2:
            page.keyboard.press("Alt+1")  # the shortcut does what the button does
        else:
            page.locator(".ek-review-approved").click()
        page.get_by_text(f"已将记录 {shown[:8]} 标为「已通过」").wait_for()
        page.get_by_text(f"第 1 / {4 - n} 条").wait_for()  # the queue is one shorter; the record stays shown
        if n == 1:
            screenshot(page, "page-review-queue")
        page.locator(".ek-review-next").click()
        if n < 3:
            page.locator("h4", has_text=f"记录 {shown}").wait_for(state="detached")
    page.get_by_text("这已是队列中的最后一条").wait_for()
    assert len(set(decided)) == 3
    assert all(Store(project).get(r).state == "approved" for r in decided)
    page.close()


def test_a_query_reaches_the_assessors_records_and_the_answer_comes_back(browser, project):
    server, chromium = browser
    query = project.joinpath("review.txt").read_text(encoding="utf-8").split()[-1]
    page = lead_page(chromium, 1366, 768)
    page.goto(server.url("review.ipynb", record=query, reviewer="周组长"))
    page.locator("h4", has_text=f"记录 {query}").wait_for()
    page.locator(".ek-review-comment textarea").fill("第 3 组的接通次数与录音不符，请核实")
    page.locator(".ek-review-has_issues").click()
    page.get_by_text(f"已将记录 {query[:8]} 标为「存疑」").wait_for()
    page.goto(server.url("records.ipynb", assessor="钱存疑"))
    box = page.locator(f".ek-query-{query}")
    box.get_by_text("第 3 组的接通次数与录音不符，请核实").wait_for()
    assert "returned" in box.locator("li").first.get_attribute("class")
    box.locator("textarea").fill("已复听录音：第 3 组接通 1 次，回答无误")
    screenshot(page, "page-records-query")
    box.locator(".ek-reply").click()
    page.get_by_text(f"已答复记录 {query[:8]}").wait_for()
    assert Store(project).get(query).state == "received"
    page.goto(server.url("review.ipynb", record=query, reviewer="周组长"))
    page.locator(".ek-history li.answer", has_text="已复听录音：第 3 组接通 1 次，回答无误").wait_for()
    assert "审核：存疑：第 3 组的接通次数与录音不符" in page.locator(".ek-history").inner_text()
    page.locator(".ek-review-approved").click()
    page.get_by_text(f"已将记录 {query[:8]} 标为「已通过」").wait_for()
    assert Store(project).get(query).state == "approved"
    page.close()


OVERFLOW_JS = f"""() => {{
    const doc = document.documentElement.scrollWidth - window.innerWidth;
    const inner = ({SCROLLERS_JS})().filter(el => !el.classList.contains('ek-scroll'))
        .map(el => el.scrollWidth - el.clientWidth);
    return Math.max(doc, ...inner);
}}"""
PAGES = (("review.ipynb", {}, ".ek-review-approved"), ("records.ipynb", {"assessor": "孙评估"}, ".ek-tasks"),
         ("sampling.ipynb", {}, ".ek-draw"), ("scoring.ipynb", {}, ".ek-ranking"), ("ledger.ipynb", {}, ".ek-l-none"))


def test_every_page_fits_a_laptop_and_a_tablet_and_the_ledger_page_says_it_does_not_apply(browser, project):
    """No horizontal overflow of the page (wide tables scroll in their own .ek-scroll box) at 1366×768 and
    768×1024; the ledger page on a province project is one sentence and links to the pages it has."""
    server, chromium = browser
    page = lead_page(chromium, 1366, 768)
    for notebook, params, ready in PAGES:
        page.goto(server.url(notebook, **params))
        page.locator(ready).first.wait_for(timeout=60_000)
        for width, height in ((1366, 768), (768, 1024)):
            page.set_viewport_size({"width": width, "height": height})
            assert page.evaluate(OVERFLOW_JS) <= 0, f"{notebook} is wider than {width}×{height}"
            screenshot(page, f"page-fit-{notebook.split('.')[0]}-{width}")
        page.set_viewport_size({"width": 1366, "height": 768})
    note = page.locator(".ek-l-none").inner_text()
    assert "没有任务台账" in note and "ledger-" not in note
    assert page.get_by_role("link", name="计分与排名").count() == 1
    page.close()


def test_a_unit_report_reflows_on_a_phone_with_readable_charts(browser, project, tmp_path):
    """The HTML unit report at 390 px: no sideways page, tables scroll in place, the chart keeps its size
    (its labels stay readable; it scrolls inside its box instead of shrinking)."""
    from evalkit import rerun

    _, chromium = browser
    out = tmp_path / "out"
    rerun(project, out)
    page = lead_page(chromium, 390, 844)
    page.set_content((out / "units" / "c1-01.html").read_text(encoding="utf-8"))  # the page is self-contained
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    drawn = page.evaluate("""() => { const svg = document.querySelector('.chart svg');
        return [svg.getBoundingClientRect().width, Number(svg.getAttribute('width'))]; }""")
    assert drawn[0] == pytest.approx(drawn[1], abs=1), f"the chart was shrunk to {drawn[0]} of {drawn[1]} px"
    assert page.evaluate("() => getComputedStyle(document.querySelector('table.card')).overflowX") == "auto"
    screenshot(page, "report-unit-390")
    page.close()
