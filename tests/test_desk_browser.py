"""The lead's desk in the browser (Voila + Chromium), at 1366×768 and 768×1024: busy indicators while an
action runs (every busy action is slowed by the test-only ``EVALKIT_TEST_DELAY``) with the old error gone,
the reviewer chosen from the assessor list, two hotline tests of one unit told apart in the queue and in
我的记录, the picker in the framework's order, the view-only link, and a photo opening over the page."""

from __future__ import annotations

import struct
import zlib

import pytest
from browser import Server, launched_chromium, new_page, screenshot
from scoring_helpers import Records, shipped_instruments
from test_pages_browser import OVERFLOW_JS, pick
from test_team import assessors

from evalkit.app.busy import DELAY_ENV
from evalkit.project import init_project
from evalkit.store import Store

pytestmark = pytest.mark.browser
DELAY = "2"
SIZES = ((1366, 768), (768, 1024))


def photo_png(path, width: int = 480, height: int = 320):
    """A PNG 480×320 with bands of colour (a stand-in for a photo of a service hall)."""
    rows = []
    for y in range(height):
        band = (y * 6) // height
        colour = [(21, 101, 192), (46, 125, 50), (239, 108, 0), (198, 40, 40), (106, 27, 154), (0, 131, 143)][band]
        rows.append(b"\x00" + bytes(colour) * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("desk") / "eval"
    init_project(root, "province-2018")
    assessors(root / "assessors.xlsx", [["a01", "王磊", "", "wanglei", "评估员"], ["a02", "李娜", "", "lina", "复核员"],
                                        ["a03", "张伟", "", "zhangwei", "组长"]])
    rec = Records(root, shipped_instruments())
    store = Store(root)
    photo = store.save_attachment(photo_png(root.parent / "hall.png").read_bytes(), original_name="大厅全景.png",
                                  media_type="image/png", max_bytes=10_000_000)
    ids = {"site": rec.add("site_visit", "c1-01", {"hall_name": "市政务服务中心", "photo_hall": photo}, state="received",
                           assessor="王磊")}
    for key, number, item in (("first", "0432-62011111", "企业设立登记"), ("second", "0432-62012222", "就业失业登记")):
        ids[key] = rec.add("hotline_test", "c1-02", {"hotline_number": number, "calls": [{"item_asked": item}]},
                           state="received", assessor="王磊")
    root.joinpath("ids.txt").write_text(" ".join(f"{k}={v}" for k, v in ids.items()), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def browser(project):
    server = Server(project, env={DELAY_ENV: DELAY})
    with launched_chromium() as chromium:
        yield server, chromium
    server.stop()


def ids(project) -> dict[str, str]:
    return dict(pair.split("=") for pair in project.joinpath("ids.txt").read_text(encoding="utf-8").split())


def desk_page(chromium, width: int, height: int):
    page = new_page(chromium, width, height)
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)
    return page


@pytest.mark.parametrize("width,height", SIZES)
def test_a_decision_shows_the_busy_line_and_the_old_error_goes(browser, project, width, height):
    server, chromium = browser
    record = ids(project)["first" if width > 1000 else "second"]
    page = desk_page(chromium, width, height)
    page.goto(server.url("review.ipynb", record=record))
    page.locator("h4", has_text=f"记录 {record}").wait_for()
    # the reviewer is chosen from the assessor list, shown as 「姓名（编号）」
    options = page.locator(".ek-review-reviewer datalist option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["张伟（a03）", "李娜（a02）", "王磊（a01）"]
    reviewer = page.locator(".ek-review-reviewer input")
    reviewer.fill("李娜（a02）")
    reviewer.press("Tab")
    page.locator(".ek-review-rejected").click()  # 退回 without a comment: the store's error
    error = page.locator(".ek-error", has_text="必须填写审核意见")
    error.wait_for()
    page.locator(".ek-review-approved").click()
    busy = page.locator("p.ek-busy", has_text="正在记录「已通过」")
    busy.wait_for()
    assert busy.locator(".ek-spinner").count() == 1 and error.count() == 0
    assert page.locator(".ek-review-approved").is_disabled() and page.locator(".ek-review-next").is_disabled()
    assert page.evaluate(OVERFLOW_JS) <= 0
    screenshot(page, f"desk-review-busy-{width}")
    page.get_by_text(f"已将记录 {record[:8]} 标为「已通过」").wait_for()
    assert busy.count() == 0 and page.locator(".ek-review-approved").is_enabled()
    assert Store(project).history(record)[-1].who == "李娜"
    page.close()


def test_the_scoring_page_rescores_and_drills_down_with_busy_lines(browser, project):
    server, chromium = browser
    page = desk_page(chromium, 1366, 768)
    page.goto(server.url("scoring.ipynb"))
    page.locator(".ek-ranking").wait_for()
    page.locator(".ek-p-rescore").click()
    busy = page.locator(".ek-p-wait-rescore p.ek-busy", has_text="正在重新计分")
    busy.wait_for()
    assert page.locator(".ek-p-rescore").is_disabled()
    screenshot(page, "desk-scoring-busy-1366")
    page.locator(".ek-p-wait-rescore", has_text="已按项目文件夹现在的内容重新计分").wait_for()
    assert page.locator(".ek-p-rescore").is_enabled()
    pick(page, ".ek-p-unit", "市编办（c1-01）")
    page.locator(".ek-p-wait-unit p.ek-busy", has_text="正在读取计分卡").wait_for()
    page.locator(".ek-card").wait_for()
    page.locator(".ek-p-wait-unit p.ek-busy").wait_for(state="detached")
    # a what-if: the leaf and its threshold chosen from the framework, a bad value said in Chinese, then one that works
    pick(page, ".ek-w-leaf", "2.2.3 “只跑一次”事项的电话咨询接通率")
    page.locator(".ek-w-param select").first.select_option(index=1)
    page.locator(".ek-w-value input").fill("不是数")
    page.locator(".ek-w-value input").press("Tab")
    page.locator(".ek-w-button").click()
    error = page.locator(".ek-w-message .ek-error")
    error.wait_for()
    page.locator(".ek-w-value input").fill("0.5")
    page.locator(".ek-w-value input").press("Tab")
    page.locator(".ek-w-button").click()
    page.locator(".ek-w-message p.ek-busy", has_text="正在计算假设情形").wait_for()
    assert error.count() == 0 and page.locator(".ek-w-button").is_disabled()
    page.locator(".ek-w-message", has_text="假设情形：指标 2.2.3").wait_for()
    page.locator(".ek-w-compare").scroll_into_view_if_needed()
    assert page.evaluate(OVERFLOW_JS) <= 0
    screenshot(page, "desk-scoring-whatif-1366")
    page.close()


@pytest.mark.parametrize("width,height", SIZES)
def test_two_hotline_tests_of_one_unit_are_told_apart(browser, project, width, height):
    server, chromium = browser
    page = desk_page(chromium, width, height)
    page.goto(server.url("records.ipynb", assessor="王磊"))
    tasks = page.locator(".ek-tasks").last
    tasks.get_by_text("0432-62011111 · 企业设立登记").wait_for()
    assert tasks.get_by_text("0432-62012222 · 就业失业登记").count() == 1
    assert tasks.locator(".ek-when").count() == 3 and "月" in tasks.locator(".ek-when").first.inner_text()
    assert page.evaluate(OVERFLOW_JS) <= 0
    screenshot(page, f"desk-records-{width}")
    page.goto(server.url("review.ipynb", record=ids(project)["first"]))  # a record's link opens the queue on 全部
    page.locator(".ek-review-listing select").wait_for()
    lines = page.locator(".ek-review-listing option").evaluate_all(  # ipywidgets shows spaces as no-break spaces
        "os => os.map(o => o.textContent.replace(/\\u00a0/g, ' '))")
    assert any("（0432-62011111 · 企业设立登记）" in line for line in lines)
    assert any("（0432-62012222 · 就业失业登记）" in line for line in lines)
    page.close()


def test_the_picker_lists_the_forms_in_the_frameworks_order(browser, project):
    server, chromium = browser
    page = desk_page(chromium, 768, 1024)
    page.goto(server.url("form.ipynb"))
    page.locator(".ek-picker-list a").first.wait_for()
    titles = page.locator(".ek-picker-list a").evaluate_all("as => as.map(a => a.textContent)")
    assert titles[:3] == ["文件梳理", "内部访谈", "专家论证"] and titles.index("电话咨询测试") > titles.index("政务大厅调研")
    screenshot(page, "desk-picker-768")
    page.close()


@pytest.mark.parametrize("width,height", SIZES)
def test_a_view_only_link_and_a_photo_that_opens_over_the_page(browser, project, width, height):
    server, chromium = browser
    site = ids(project)["site"]
    page = desk_page(chromium, width, height)
    page.goto(server.url("records.ipynb", assessor="王磊"))
    page.locator(f".ek-rec-{site} a.ek-view-link").click()
    page.locator(".ek-view-only").wait_for()
    assert f"view={site}" in page.url
    form = page.locator(".ek-form").first
    assert form.locator("button:not(.ek-thumb)").count() == 0  # nothing that edits or decides
    assert "修订与审核记录" in form.inner_text() and page.evaluate(OVERFLOW_JS) <= 0
    thumb = page.locator("button.ek-thumb")
    thumb.click()
    box = page.locator(".ek-lightbox[role=dialog]")
    box.wait_for()
    assert page.evaluate("() => document.activeElement.className") == "ek-lightbox-close"
    assert len(page.context.pages) == 1  # not a new tab
    shown = box.locator("img").bounding_box()
    assert shown["width"] > 200 and shown["width"] <= width
    screenshot(page, f"desk-lightbox-{width}")
    page.keyboard.press("Escape")
    box.wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.classList.contains('ek-thumb')")  # focus came back
    page.keyboard.press("Enter")  # the thumbnail is a button: the keyboard opens it too
    box.wait_for()
    box.click(position={"x": 20, "y": 200})  # a click anywhere closes it
    box.wait_for(state="detached")
    page.close()


def test_my_records_shows_a_busy_line_while_the_remembered_assessors_list_loads(browser, project):
    server, chromium = browser
    page = desk_page(chromium, 768, 1024)
    page.add_init_script("localStorage.setItem('evalkit.assessor', '王磊')")  # this device remembers 王磊
    page.goto(server.url("records.ipynb"))
    page.locator("p.ek-busy", has_text="正在读取 王磊 的记录").wait_for()
    page.get_by_text("评估员 王磊 的记录与待办").wait_for()
    assert page.locator("p.ek-busy").count() == 0
    page.close()


def test_a_forms_photo_preview_opens_over_the_page_from_the_keyboard(browser, project):
    server, chromium = browser
    page = desk_page(chromium, 1366, 768)
    page.goto(server.url("form.ipynb", record=ids(project)["site"]))  # the record read in its form
    preview = page.locator("img.ek-photo-preview, .ek-photo-preview img").first
    preview.wait_for()
    page.wait_for_function("() => document.querySelector('img.ek-photo-preview, .ek-photo-preview img')"
                           ".getAttribute('tabindex') === '0'")  # reachable by Tab
    preview.focus()
    page.keyboard.press("Enter")
    box = page.locator(".ek-lightbox[role=dialog]")
    box.wait_for()
    screenshot(page, "desk-form-photo-lightbox-1366")
    page.keyboard.press("Escape")
    box.wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.classList.contains('ek-photo-preview')"
                         " || !!document.activeElement.closest('.ek-photo-preview')")
    page.close()
