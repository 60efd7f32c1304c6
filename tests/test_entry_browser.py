"""Field entry an assessor can trust, in a real browser (Chromium) on a laptop, a tablet and a phone.

One project (the shipped province framework, with the demo's assessor list and 双随机 assignment)
and one ``evalkit serve`` for the module.  Covered: a reload mid-entry comes back with every answer
(the draft is in the address); a killed kernel shows the Chinese banner and 「重新连接」 brings the
draft back; a submitted form cannot be edited without 「修改此记录」; a hotline test without any
call is refused; deleting an entry asks first and 「撤销」 brings it back; after a failed submit
the first message is on screen under the sticky status line; an unfinished draft is offered; a
bad link is a Chinese page; no page makes a request off 127.0.0.1.  Screenshots (390-px phone
among them) go to ``browser.SHOTS``.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from browser import (
    SHOTS,
    Server,
    choose,
    chosen,
    close,
    entry,
    field,
    fill,
    kernel_id,
    kernel_processes,
    kill_kernel,
    launched_chromium,
    message,
    new_page,
    open_form,
    repeat_instances,
    screenshot,
    status,
    submit,
    text_input,
    wait_status,
)

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
VIEWPORTS = {"laptop": (1366, 768), "tablet": (768, 1024), "phone": (390, 844)}
PAGES = ("form.ipynb", "records.ipynb", "review.ipynb", "sampling.ipynb", "scoring.ipynb", "ledger.ipynb")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    from evalkit.project import init_project

    root = tmp_path_factory.mktemp("entry") / "project"
    init_project(root, "province-2018")
    shutil.copyfile(ROOT / "data" / "demo" / "assessors.xlsx", root / "assessors.xlsx")
    (root / "draws").mkdir(exist_ok=True)
    for path in (ROOT / "data" / "demo" / "draws").glob("assign-*.json"):
        shutil.copyfile(path, root / "draws" / path.name)
    return root


@pytest.fixture(scope="module")
def server(project):
    srv = Server(project, pool_size=1)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as b:
        yield b


def tab(browser, viewport: str):
    width, height = VIEWPORTS[viewport]
    page = new_page(browser, width, height)
    page.off_site = []
    page.context.unroute("**/*")

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            page.off_site.append(url)
            r.abort()

    page.context.route("**/*", route)
    return page


def records(project) -> list:
    from evalkit.store import Store

    return Store(project).records()


def wait_draft_saved(project, draft_id: str, text: str, timeout: float = 30.0) -> None:
    """Wait until the draft ``draft_id`` under ``drafts/`` holds ``text`` (not another test's draft of the same
    unit): the status line may still show an earlier save while the last change is on its way to the kernel."""
    path = project / "drafts" / f"{draft_id}.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text("utf-8", errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"draft {draft_id} does not hold {text!r} after {timeout} s")


def hotline(server, assessor: str = "王磊", unit: str = "c1-12") -> str:
    return server.url("form.ipynb", instrument="hotline_test", unit=unit, assessor=assessor)


def fill_call(page, made: str = "3", connected: str = "3") -> None:
    fill(page, "hotline_number", "0432-62012345")
    choose(page, "number_source", "办事指南")
    call = entry(page, "calls", 1)
    fill(call, "call_time", "10:15")
    fill(call, "item_asked", "不动产登记需要哪些材料")
    fill(call, "calls_made", made)
    fill(call, "calls_connected", connected)
    choose(call, "answer_correct", "准确完整")
    choose(call, "told_all_materials", "是")
    choose(call, "attitude", "热情耐心")


# ---------------------------------------------------------------- a reload mid-entry

@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_reload_mid_entry_comes_back_with_every_answer(server, project, browser, viewport):
    page = tab(browser, viewport)
    try:
        open_form(page, hotline(server, assessor="李娜", unit="c1-07"))
        assert "draft=" not in page.url
        fill_call(page)
        wait_status(page, "草稿已自动保存")
        page.wait_for_url("**draft=*")
        draft_id = re.search(r"draft=([0-9a-f]{32})", page.url).group(1)
        # this page's draft (an earlier viewport's draft of the same unit holds the same answers)
        wait_draft_saved(project, draft_id, '"attitude": "good"')  # the choice 热情耐心 is stored by its name
        page.reload()
        page.locator(".ek-status").first.wait_for(timeout=60_000)
        wait_status(page, "已打开草稿")
        assert text_input(page, "hotline_number").input_value() == "0432-62012345"
        assert chosen(page, "number_source") == "办事指南"
        assert chosen(page, "unit") == "市质监局（c1-07）"
        call = entry(page, "calls", 1)
        assert text_input(call, "call_time").input_value() == "10:15"
        assert text_input(call, "calls_made").input_value() == "3"
        assert text_input(call, "calls_connected").input_value() == "3"
        assert chosen(call, "attitude") == "热情耐心"
        assert repeat_instances(page, "calls").count() == 1
        screenshot(page, f"entry-reloaded-{viewport}")
        assert page.off_site == []
    finally:
        close(page)


# ---------------------------------------------------------------- a lost kernel

def test_a_killed_kernel_shows_the_banner_and_reconnect_brings_the_draft_back(server, project, browser):
    page = tab(browser, "tablet")
    try:
        open_form(page, hotline(server, assessor="张伟", unit="c1-01"))
        fill(page, "hotline_number", "0432-88880000")
        wait_status(page, "草稿已自动保存")
        page.wait_for_url("**draft=*")
        assert page.locator(".ek-offline").count() == 0  # a healthy page shows no banner
        kill_kernel(server, kernel_id(page))
        page.locator(".ek-offline", has_text="连接已断开，已填内容保存在草稿中").wait_for()
        screenshot(page, "entry-connection-lost-tablet")
        page.get_by_role("button", name="重新连接").click()
        wait_status(page, "已打开草稿", timeout=60_000)
        assert page.locator(".ek-offline").count() == 0
        assert text_input(page, "hotline_number").input_value() == "0432-88880000"
    finally:
        close(page)


# ---------------------------------------------------------------- after submit

def test_a_submitted_form_is_read_only_until_corrected_with_a_reason(server, project, browser):
    page = tab(browser, "phone")
    try:
        open_form(page, hotline(server, assessor="王磊", unit="c1-12"))
        fill_call(page)
        prefix = submit(page)
        page.wait_for_url(f"**record={prefix}*")
        assert text_input(page, "hotline_number").is_disabled()
        assert field(entry(page, "calls", 1), "attitude").locator("input").first.is_disabled()
        assert page.get_by_role("button", name="提交", exact=True).count() == 0 or \
            not page.get_by_role("button", name="提交", exact=True).is_visible()
        screenshot(page, "entry-submitted-phone")
        page.get_by_role("button", name="修改此记录").click()
        page.get_by_text(f"正在更正记录 {prefix}").wait_for()
        call = entry(page, "calls", 1)
        fill(call, "calls_connected", "3")
        page.get_by_role("button", name="保存修改").click()
        message(page, "_why").get_by_text("请填写修改原因").wait_for()
        fill(page, "_why", "核对通话记录：第三次也接通了")
        page.get_by_role("button", name="保存修改").click()
        wait_status(page, "已保存修改")
        assert text_input(page, "hotline_number").is_disabled()
        (view,) = [v for v in records(project) if v.instance_id.startswith(prefix)]
        assert view.revisions == 2 and view.answers["calls"][0]["calls_connected"] == 3
        assert page.off_site == []
    finally:
        close(page)


def test_a_hotline_test_without_any_call_is_refused(server, project, browser):
    page = tab(browser, "laptop")
    try:
        open_form(page, hotline(server, assessor="赵敏", unit="c1-02"))
        fill(page, "hotline_number", "0432-62012345")
        choose(page, "number_source", "门户网站")
        call = entry(page, "calls", 1)  # the form opens with the one call it needs
        call.get_by_role("button", name="删除", exact=True).click()
        call.get_by_role("button", name="确定删除").click()
        page.get_by_text("已删除原第 1 条「测试电话」").wait_for()
        before = len(records(project))
        page.get_by_role("button", name="提交", exact=True).click()
        wait_status(page, "处需要修改，尚未提交")
        message(page, "calls").get_by_text("请至少添加 1 条「测试电话」").wait_for()
        assert len(records(project)) == before
    finally:
        close(page)


def test_deleting_an_entry_asks_and_undo_brings_it_back(server, project, browser):
    page = tab(browser, "phone")
    try:
        open_form(page, hotline(server, assessor="黄健", unit="c1-05"))
        second = entry(page, "calls", 2)
        fill(second, "item_asked", "户籍迁移")
        fill(second, "calls_made", "2")
        second.get_by_role("button", name="删除", exact=True).click()
        second.get_by_text("删除第 2 条「测试电话」？其中已填 2 项。").wait_for()
        screenshot(page, "entry-delete-asks-phone")
        second.get_by_role("button", name="取消").click()
        assert repeat_instances(page, "calls").count() == 2
        second.get_by_role("button", name="删除", exact=True).click()
        second.get_by_role("button", name="确定删除").click()
        page.get_by_text("已删除原第 2 条「测试电话」").wait_for()
        assert repeat_instances(page, "calls").count() == 1
        page.get_by_role("button", name="撤销").click()
        restored = entry(page, "calls", 2)
        restored.get_by_text("第 2 条", exact=True).wait_for()
        assert text_input(restored, "item_asked").input_value() == "户籍迁移"
        assert text_input(restored, "calls_made").input_value() == "2"
    finally:
        close(page)


def test_after_a_failed_submit_the_first_error_is_in_view(server, project, browser):
    page = tab(browser, "phone")
    try:
        open_form(page, server.url("form.ipynb", instrument="site_visit", unit="c1-12", assessor="王磊"))
        button = page.get_by_role("button", name="提交", exact=True)
        button.scroll_into_view_if_needed()
        button.click()
        wait_status(page, "处需要修改，尚未提交")
        first = page.locator(".ek-bad").first
        first.wait_for()
        page.wait_for_function("""() => { const b = document.querySelector('.ek-bad').getBoundingClientRect();
                                          return b.top >= 0 && b.top < window.innerHeight; }""")
        bar = page.locator(".ek-status").first.bounding_box()
        assert bar is not None and 0 <= bar["y"] < 60, f"the status line is not on screen: {bar}"
        assert "还差" in status(page) or "处需要修改" in status(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "entry-first-error-phone-viewport.png"))  # what the assessor sees
        page.locator(".ek-next").first.click()  # 「下一处」 goes on to the next message
    finally:
        close(page)


# ---------------------------------------------------------------- drafts offered, bad links

def test_an_unfinished_draft_is_offered(server, project, browser):
    page = tab(browser, "tablet")
    try:
        open_form(page, hotline(server, assessor="吴昊", unit="c1-09"))
        fill(page, "hotline_number", "0432-66660000")
        wait_status(page, "草稿已自动保存")
        close(page)
        page = tab(browser, "tablet")
        open_form(page, hotline(server, assessor="吴昊", unit="c1-09"))
        offer = page.get_by_role("button", name="继续未完成的草稿", exact=False)
        offer.first.click()
        wait_status(page, "已打开草稿")
        assert text_input(page, "hotline_number").input_value() == "0432-66660000"
        page.wait_for_url("**draft=*")
    finally:
        close(page)


def test_a_bad_link_is_a_chinese_page(server, browser):
    page = tab(browser, "phone")
    try:
        page.goto(server.url("form.ipynb", record="not-a-record"), timeout=60_000)
        page.get_by_text("找不到这条记录").wait_for(timeout=60_000)
        text = page.locator("body").inner_text()
        assert "error" not in text.lower() and "Executing" not in text
        page.goto(server.url("form.ipynb", draft="0" * 32), timeout=60_000)
        page.get_by_text("找不到这份草稿").wait_for(timeout=60_000)
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        page.goto(server.url("nothing-here.ipynb"), timeout=60_000)  # the server's own 404 page
        page.get_by_text("找不到这个页面").wait_for()
    finally:
        close(page)


# ---------------------------------------------------------------- nothing off the server

@pytest.mark.parametrize("notebook", PAGES)
def test_no_page_makes_a_request_off_the_server(server, browser, notebook):
    page = tab(browser, "laptop")
    try:
        page.goto(server.url(notebook), timeout=120_000)
        page.locator(".ek-form").first.wait_for(timeout=120_000)
        page.wait_for_load_state("networkidle")
        assert page.off_site == [], f"{notebook} asked outside the server: {page.off_site}"
        assert "Executing" not in page.locator("body").inner_text()
    finally:
        close(page)


def test_a_closed_page_shuts_its_kernel_down(server, browser):
    import time

    def running(kernel: str) -> bool:
        found = False
        for proc in kernel_processes(server):
            try:
                found |= any(f"kernel-{kernel}.json" in part for part in proc.cmdline())
            except Exception:  # noqa: BLE001 - a process that just ended
                continue
        return found

    # A context without request routing: playwright's routing drops a beacon sent while the page unloads
    # (the page only talks to 127.0.0.1: test_no_page_makes_a_request_off_the_server checks that).
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    open_form(page, server.url("form.ipynb", instrument="mystery_visit", unit="c1-12", assessor="王磊"))
    kernel = kernel_id(page)
    assert running(kernel)
    page.goto("about:blank")  # leaving the page sends Voila's shutdown beacon, now with the XSRF cookie it needs
    deadline = time.time() + 30
    while running(kernel) and time.time() < deadline:
        time.sleep(0.2)  # polling the server's processes
    context.close()
    assert not running(kernel), "the kernel of a closed page is still running"
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "_xsrf' argument missing" not in log
