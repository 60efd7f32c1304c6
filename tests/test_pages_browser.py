"""The lead evaluator's sampling and scoring pages in the browser (Voila + Chromium)."""

from __future__ import annotations

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, new_page, screenshot
from scoring_helpers import Records, shipped_instruments
from test_sampling_page import case_frame

from evalkit.project import init_project
from evalkit.sampling import list_draws

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages") / "eval"
    init_project(root, "province-2018")
    case_frame(root / "frames" / "cases.xlsx")
    rec = Records(root, shipped_instruments())
    calls = [{"calls_made": 1, "calls_connected": 1}] * 8 + [{"calls_made": 1, "calls_connected": 0}] * 2
    root.joinpath("ids.txt").write_text(rec.add("hotline_test", "c1-01", {"calls": calls}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def browser(project):
    from playwright.sync_api import sync_playwright

    server = Server(project)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield server, chromium
        chromium.close()
    server.stop()


def pick(page, css: str, label: str) -> None:
    page.locator(f"{css} select").first.select_option(label=label)


def type_into(page, css: str, value: str) -> None:
    box = page.locator(f"{css} input").first
    box.fill(value)
    box.press("Tab")


def test_sampling_page_draws_and_tracks_fieldwork(browser, project):
    server, chromium = browser
    page = new_page(chromium)
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
    page = new_page(chromium)
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
    screenshot(page, "page-scoring")
    page.close()
