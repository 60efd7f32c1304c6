"""The forms in a real browser: Debian's Chromium (Python playwright) against ``evalkit serve``.

One project, one server (pool size 1) and one browser serve the whole module.
Every shipped instrument is filled and submitted through the browser; a
constraint and a type error are shown beside their fields and block the submit;
a record is corrected (two revisions) and approved in the review page; a draft
survives a SIGKILL-ed kernel; stored ``<script>`` shows as text; the form has
no horizontal scrolling on a 10-inch tablet or a laptop.

Waits are on visible conditions (status line, a field shown, a message) or on
the files in the project, never on sleeps.  Screenshots go to ``browser.SHOTS``
(``EVALKIT_SHOTS``, or a folder of this run's own under the system temp directory; never the
repository) and their paths are printed.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from browser import (
    Server,
    add_repeat,
    check,
    choose,
    chosen,
    close,
    entry,
    field,
    fill,
    horizontal_overflow,
    kernel_id,
    kill_kernel,
    launched_chromium,
    message,
    new_page,
    open_form,
    screenshot,
    submit,
    text_input,
    tiny_png,
    upload,
    wait_status,
)

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    from evalkit.project import init_project

    root = tmp_path_factory.mktemp("browser") / "project"
    init_project(root, "province-2018")
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


@pytest.fixture
def page(browser):
    """A fresh tab (own context, loopback only) that fails the test on any JavaScript dialog."""
    tab = new_page(browser)
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.dialogs = dialogs
    yield tab
    if not tab.is_closed():
        close(tab)
    assert dialogs == [], f"a JavaScript dialog fired: {dialogs}"


def store(project):
    from evalkit.store import Store

    return Store(project)


def record_by_prefix(project, prefix: str):
    found = [v for v in store(project).records() if v.instance_id.startswith(prefix)]
    assert len(found) == 1, f"expected one record starting with {prefix}, found {len(found)}"
    return found[0]


def form_url(server, instrument: str, unit: str = "c1-01", assessor: str = "王评估") -> str:
    return server.url("form.ipynb", instrument=instrument, unit=unit, assessor=assessor)


SHOT_PATHS: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def list_screenshots(request):
    """Print the screenshots taken (also under -q, where print output is captured)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not SHOT_PATHS:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for path in SHOT_PATHS:
            reporter.write_line(f"screenshot: {path}")


def shot(page, name: str) -> Path:
    path = screenshot(page, name)
    SHOT_PATHS.append(path)
    return path


# ---------------------------------------------------------------- filling each instrument
# Each filler fills the form shown in ``page`` with valid answers and returns the
# answers the stored record must hold (a few key fields each).

def fill_site_visit(page, tmp: Path) -> dict:
    choose(page, "unit", "市发改委（c1-03）")
    fill(page, "visit_date", "2018-11-20")
    fill(page, "arrival_time", "09:30")
    fill(page, "hall_name", "吉林市政务服务中心")
    choose(page, "hall_level", "市（州）级政务大厅")
    fill(page, "windows_total", "40")
    fill(page, "windows_open", "36")
    fill(page, "windows_comprehensive", "12")
    choose(page, "one_window_mode", "部分")
    for code in ("queue", "kiosk", "rating"):
        check(page, "facilities", code)
    field(page, "facilities_count").get_by_text("自动计算：3").wait_for()
    fill(page, "items_listed", "120")
    fill(page, "items_in_hall", "120")
    fill(page, "guides_checked", "10")
    fill(page, "guides_available", "10")
    fill(page, "guides_complete", "8")
    fill(page, "guides_vague", "2")
    fill(page, "guides_vague_examples", "企业设立登记：营业执照及其他相关材料")
    fill(page, "period_start", "2018-10-01")
    fill(page, "period_end", "2018-10-31")
    fill(page, "cases_total", "1000")
    fill(page, "cases_instant", "750")
    fill(page, "cases_instant_done", "700")
    field(page, "instant_share").get_by_text("自动计算：75.0").wait_for()
    fill(page, "cases_promised", "200")
    fill(page, "cases_promised_on_time", "190")
    fill(page, "waiting_people", "5")
    fill(page, "waiting_minutes", "12")
    choose(page, "guide_desk_staffed", "是")
    choose(page, "leader_roster_public", "是")
    choose(page, "leader_on_duty", "否")
    check(page, "complaint_channels", "phone")
    check(page, "complaint_channels", "hotline")
    fill(page, "findings", "两份办事指南含“其他相关材料”等兜底表述。")
    upload(page, "photo_hall", tiny_png(tmp / "hall.png"))
    return {"unit": "c1-03", "visit_date": "2018-11-20", "arrival_time": "09:30", "hall_level": "city",
            "windows_total": 40, "facilities": ["queue", "kiosk", "rating"], "facilities_count": 3,
            "period_end": "2018-10-31", "instant_share": 75.0, "complaint_channels": ["phone", "hotline"]}


def fill_internal_interview(page, tmp: Path) -> dict:
    choose(page, "interview_form", "座谈会")
    fill(page, "participants", "8")
    choose(page, "interviewee_role", "改革联络员")
    fill(page, "interviewee_dept", "行政审批科")
    fill(page, "interviewee_name", "李明")  # shown because 「要求匿名」 defaults to 否
    fill(page, "duration_minutes", "60")
    choose(page, "leading_group", "是")
    fill(page, "leader_meetings", "6")
    choose(page, "self_check_done", "是")
    fill(page, "self_check_issues", "5")
    fill(page, "self_check_fixed", "4")
    choose(page, "cross_dept_mechanism", "部分")
    rating = add_repeat(page, "ratings")
    # pyxform turns the labels' “curly” quotes into straight ones when it reads the workbook
    choose(rating, "indicator", '1.3.1.1 "一把手"工程情况（文件梳理、内部访谈）')
    choose(rating, "level", "完全达到")
    fill(rating, "statement", "主要负责同志每季度主持召开改革专题会议并形成纪要。")
    return {"interview_form": "group", "participants": 8, "anonymous": "no", "interviewee_name": "李明",
            "self_check_fixed": 4,
            "ratings": [{"indicator": "1.3.1.1", "level": "full", "needs_verification": "no"}]}


def fill_expert_review(page, tmp: Path) -> dict:
    fill(page, "expert_name", "赵教授")
    choose(page, "expert_field", "法律")
    choose(page, "conflict", "否")
    check(page, "materials", "plan")
    check(page, "materials", "guides")
    check(page, "materials", "other")
    fill(page, "materials_other", "窗口工作台账")
    score = entry(page, "scores", 1)  # the form opens with the one score it needs
    choose(score, "indicator", "2.1.1.1 事项流程规范化情况（文件梳理、内部访谈、专家论证）")
    fill(score, "score", "2")
    fill(score, "rationale", "流程图与办事指南不一致，环节表述不统一。")
    fill(score, "improvement", "统一流程图和办事指南的环节名称。")
    fill(page, "overall_opinion", "规范化程度一般，需进一步统一办事指南。")
    upload(page, "photo_signed", tiny_png(tmp / "signed.png"))
    return {"expert_field": "law", "conflict": "no", "materials": ["plan", "guides", "other"],
            "scores": [{"indicator": "2.1.1.1", "score": 2, "improvement": "统一流程图和办事指南的环节名称。"}]}


def fill_document_review(page, tmp: Path) -> dict:
    choose(page, "material_source", "现场调阅")
    first = add_repeat(page, "documents")
    fill(first, "doc_title", "吉林市“只跑一次”改革实施方案")
    fill(first, "doc_number", "吉政办函〔2018〕52号")
    fill(first, "doc_date", "2018-06-01")
    choose(first, "doc_kind", "实施方案或工作方案")
    choose(first, "doc_published", "在本单位门户网站公开")
    fill(first, "doc_url", "http://www.jlcity.gov.cn/zpyc/2018-52.html")
    second = add_repeat(page, "documents")
    fill(second, "doc_title", "改革领导小组第三次会议纪要")
    choose(second, "doc_kind", "会议纪要")
    choose(second, "doc_published", "仅内部印发")
    fill(page, "items_total", "300")
    fill(page, "items_reviewed", "300")
    fill(page, "items_run_once", "240")
    field(page, "run_once_share").get_by_text("自动计算：80.0").wait_for()
    choose(page, "list_dynamic", "是")
    fill(page, "guides_sampled", "20")
    fill(page, "guides_standard", "18")
    fill(page, "guides_vague_text", "1")
    choose(page, "materials_reduced", "是")
    choose(page, "self_check_ledger", "是")
    rating = add_repeat(page, "ratings")
    choose(rating, "indicator", '1.2.2 公布的"只跑一次"事项所占比例情况')
    choose(rating, "level", "基本达到")
    fill(rating, "basis", "事项清单（2018 年版）第 3 页")
    return {"material_source": "onsite", "items_run_once": 240, "run_once_share": 80.0,
            "documents": [{"doc_number": "吉政办函〔2018〕52号", "doc_date": "2018-06-01", "doc_published": "website"},
                          {"doc_kind": "minutes", "doc_published": "internal"}],
            "ratings": [{"indicator": "1.2.2", "level": "basic"}]}


def fill_service_user_check(page, tmp: Path) -> dict:
    choose(page, "check_mode", "大厅现场拦访")
    citizen = entry(page, "citizens", 1)
    choose(citizen, "user_type", "个人")
    fill(citizen, "item_name", "个体工商户设立登记")
    fill(citizen, "case_id", "JL2018-000123")
    choose(citizen, "case_kind", "承诺件")
    fill(citizen, "trips", "2")
    check(citizen, "trip_reason", "notice")
    fill(citizen, "promised_days", "5")
    choose(citizen, "promise_status", "已在承诺时限内办结")
    fill(citizen, "actual_days", "3")
    choose(citizen, "done_status", "已办成")
    choose(citizen, "online_use", "网上申请、现场办理")
    choose(citizen, "progress_visible", "是")
    choose(citizen, "satisfaction", "满意")
    fill(citizen, "callback_phone", "13912345678")
    return {"check_mode": "in_hall",
            "citizens": [{"case_kind": "promised", "trips": 2, "trip_reason": ["notice"], "promised_days": 5,
                          "actual_days": 3, "satisfaction": "4", "callback_phone": "13912345678"}]}


def fill_hotline_test(page, tmp: Path, notes: str = "") -> dict:
    fill(page, "hotline_number", "0432-62012345")
    choose(page, "number_source", "办事指南")
    call = entry(page, "calls", 1)
    fill(call, "call_time", "10:15")
    fill(call, "item_asked", "不动产登记需要哪些材料")
    fill(call, "calls_made", "3")
    fill(call, "calls_connected", "2")
    choose(call, "no_answer_reason", "占线")
    fill(call, "answer_seconds", "20")
    choose(call, "answer_correct", "准确完整")
    choose(call, "told_all_materials", "是")
    choose(call, "attitude", "热情耐心")
    if notes:
        fill(page, "notes", notes)
    return {"hotline_number": "0432-62012345", "number_source": "guide",
            "calls": [{"call_time": "10:15", "calls_made": 3, "calls_connected": 2, "no_answer_reason": "busy",
                       "answer_correct": "correct"}]}


def fill_online_check(page, tmp: Path) -> dict:
    choose(page, "portal", "吉林省政务服务网")
    fill(page, "portal_url", "https://zwfw.jl.gov.cn/")
    item = entry(page, "online_items", 1)
    fill(item, "item_name", "企业投资项目备案")
    choose(item, "item_online", "是")
    choose(item, "guide_online_complete", "是")
    choose(item, "online_depth", "全流程网上办理（申请、受理、审批、送达均在线）")
    choose(item, "realtime_tracking", "是")
    check(item, "tracking_channels", "web")
    check(item, "tracking_channels", "sms")
    check(item, "consult_channels", "live_chat")
    choose(item, "consult_test", "已答复")
    fill(item, "reply_hours", "4.5")
    choose(page, "complaint_entry", "是")
    choose(page, "complaint_reply", "否")
    return {"portal": "province", "complaint_reply": "no",
            "online_items": [{"online_depth": "full", "tracking_channels": ["web", "sms"],
                              "consult_channels": ["live_chat"], "reply_hours": 4.5}]}


def fill_mystery_visit(page, tmp: Path) -> dict:
    fill(page, "arrival_time", "14:05")
    fill(page, "duration_minutes", "45")
    fill(page, "item_attempted", "咨询公积金提取")
    choose(page, "scenario", "咨询办事要求")
    choose(page, "guided", "是")
    fill(page, "queue_minutes", "10")
    choose(page, "window_type", "综合受理窗口")
    choose(page, "staff_on_post", "是")
    choose(page, "attitude", "一般")
    choose(page, "told_at_once", "否")
    choose(page, "extra_materials", "是")
    fill(page, "extra_materials_detail", "单位开具的在职证明")
    choose(page, "referred_elsewhere", "否")
    choose(page, "outcome", "需要再跑一次以上")
    fill(page, "outcome_reason", "窗口要求补交在职证明后再来")
    choose(page, "improper_conduct", "否")
    fill(page, "narrative", "14:05 到达大厅取号，等候约十分钟后在综合窗口咨询，工作人员要求另行开具在职证明。")
    return {"duration_minutes": 45, "outcome": "another_trip", "extra_materials": "yes",
            "outcome_reason": "窗口要求补交在职证明后再来"}


LIKERT = ("q_guide", "q_one_window", "q_waiting", "q_promise", "q_phone", "q_online", "q_progress", "q_complaint",
          "q_staff", "q_overall")


def page_to(page, name: str) -> None:
    """On a form of pages (field-list groups), turn to the page holding ``name`` with 「下一页」."""
    for _ in range(10):
        if field(page, name).is_visible():
            return
        page.get_by_role("button", name="下一页 →").click()
        page.wait_for_timeout(200)  # the next page is shown by the kernel's answer
    raise AssertionError(f"no page shows {name}")


def fill_questionnaire(page, tmp: Path) -> dict:
    fill(page, "questionnaire_no", "Q-0001")
    choose(page, "respondent_type", "企业")
    fill(page, "visits_last_year", "3")
    fill(page, "last_item", "税务登记")
    fill(page, "last_trips", "1")
    labels = ("非常满意", "满意", "一般", "不满意", "非常不满意", "不了解/未接触")
    page_to(page, LIKERT[0])  # the ten items are one page (a field-list group) with a progress bar
    page.locator(".ek-page-count", has_text="第 2 /").wait_for()
    for n, name in enumerate(LIKERT):
        choose(page, name, labels[n % len(labels)])
    page_to(page, "suggestions")
    fill(page, "suggestions", "希望延长午间办理时间")
    fill(page, "respondent_phone", "13812345678")
    return {"questionnaire_no": "Q-0001", "respondent_type": "enterprise", "last_trips": 1,
            "q_guide": "5", "q_overall": "2", "respondent_phone": "13812345678"}


FILLERS = {
    "site_visit": fill_site_visit,
    "internal_interview": fill_internal_interview,
    "expert_review": fill_expert_review,
    "document_review": fill_document_review,
    "service_user_check": fill_service_user_check,
    "hotline_test": fill_hotline_test,
    "online_check": fill_online_check,
    "mystery_visit": fill_mystery_visit,
    "questionnaire": fill_questionnaire,
}


def contains(actual, expected, where: str = "answers") -> None:
    """Every key in ``expected`` has that value in ``actual`` (lists of dicts: item by item)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not a dict"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing (have {sorted(actual)})"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list) and expected and isinstance(expected[0], dict):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r}"
        for n, (a, e) in enumerate(zip(actual, expected)):
            contains(a, e, f"{where}[{n}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


# ---------------------------------------------------------------- 1. every instrument

def test_every_shipped_instrument_is_filled_and_submitted(server, project, browser, tmp_path):
    shipped = sorted(p.stem for p in (project / "instruments").glob("*.xlsx"))
    assert shipped == sorted(FILLERS), "every shipped instrument needs a filler here"
    for instrument, filler in FILLERS.items():
        tab = new_page(browser)
        try:
            before = len(store(project).records())
            opened = dt.date.today().isoformat()   # the form's date defaults to the day it is opened
            open_form(tab, form_url(server, instrument))
            assert field(tab, "assessor").locator("input").input_value() == "王评估"
            expected = filler(tab, tmp_path)
            wait_status(tab, "草稿已自动保存")
            shot(tab, f"form-{instrument}")
            prefix = submit(tab)
            tab.get_by_role("button", name="修改此记录").wait_for()  # read-only now, correctable
        finally:
            close(tab)
        view = record_by_prefix(project, prefix)
        assert len(store(project).records()) == before + 1
        assert (project / "raw" / view.instance_id).is_dir()
        assert view.instrument_id == instrument and view.assessor == "王评估"
        assert view.unit == expected.get("unit", "c1-01")
        # a run crossing midnight: the form may have been opened on the day after ``opened`` (CI once failed so)
        days = {opened, dt.date.today().isoformat()}
        assert view.answers["visit_date"] in ({expected["visit_date"]} if "visit_date" in expected else days)
        contains(view.answers, expected, instrument)
    photos = {v.instrument_id: v.attachments for v in store(project).records()}
    assert [a["media_type"] for a in photos["expert_review"]] == ["image/png"]
    assert [a["media_type"] for a in photos["site_visit"]] == ["image/png"]


# ---------------------------------------------------------------- 2. bad input

def test_constraint_and_type_errors_show_beside_the_field_and_nothing_is_saved(server, project, page):
    open_form(page, form_url(server, "hotline_test", assessor="错误测试"))
    fill(page, "hotline_number", "0432-62012345")
    choose(page, "number_source", "门户网站")
    call = entry(page, "calls", 1)
    fill(call, "call_time", "10:15")
    fill(call, "item_asked", "户籍迁移")
    fill(call, "calls_made", "2")
    fill(call, "calls_connected", "3")
    connected = message(call, "calls_connected")
    connected.get_by_text("接通次数不能超过拨打次数，也不能为负数").wait_for()
    fill(call, "calls_made", "三次")
    message(call, "calls_made").get_by_text("请输入整数").wait_for()
    before = len(store(project).records())
    page.get_by_role("button", name="提交", exact=True).click()
    wait_status(page, "处需要修改，尚未提交")
    shot(page, "bad-input")
    assert len(store(project).records()) == before
    assert not any(v.assessor == "错误测试" for v in store(project).records())
    # put right, the same entry goes through
    fill(call, "calls_made", "3")
    connected.get_by_text("接通次数不能超过").wait_for(state="detached")
    message(call, "calls_made").get_by_text("请输入整数").wait_for(state="detached")
    for name, label in (("answer_correct", "不准确"), ("told_all_materials", "否"), ("attitude", "一般")):
        choose(call, name, label)
    prefix = submit(page)
    assert record_by_prefix(project, prefix).answers["calls"][0]["calls_made"] == 3


def test_out_of_range_trips_blocks_the_submit(server, project, page):
    open_form(page, form_url(server, "service_user_check", assessor="错误测试"))
    choose(page, "check_mode", "电话回访")
    citizen = entry(page, "citizens", 1)
    fill(citizen, "trips", "99")
    message(citizen, "trips").get_by_text("跑动次数应在 0 到 20 之间").wait_for()
    before = len(store(project).records())
    page.get_by_role("button", name="提交", exact=True).click()
    wait_status(page, "处需要修改，尚未提交")
    # the required fields left empty are now named too
    message(citizen, "user_type").get_by_text("请选择「服务对象类型」").wait_for()
    assert len(store(project).records()) == before


# ---------------------------------------------------------------- 3. and 4. correct, then approve

@pytest.fixture(scope="module")
def hotline_record(server, project, browser, tmp_path_factory) -> str:
    """A valid hotline record submitted through the browser; returns its instance id."""
    tab = new_page(browser)
    try:
        open_form(tab, form_url(server, "hotline_test", unit="c1-04", assessor="孙更正"))
        fill_hotline_test(tab, tmp_path_factory.mktemp("hotline"))
        prefix = submit(tab)
    finally:
        close(tab)
    return record_by_prefix(project, prefix).instance_id


def test_a_record_is_corrected_into_a_second_revision(server, project, page, hotline_record):
    open_form(page, server.url("form.ipynb", record=hotline_record))
    wait_status(page, "已提交的记录")  # a record opens read-only
    assert text_input(page, "hotline_number").is_disabled()
    page.get_by_role("button", name="修改此记录").click()
    call = field(page, "calls")
    assert text_input(call, "calls_connected").input_value() == "2"
    assert chosen(call, "no_answer_reason") == "占线"
    fill(call, "calls_connected", "3")  # all three calls went through after all
    field(call, "no_answer_reason").wait_for(state="hidden")
    page.get_by_role("button", name="保存修改").click()
    wait_status(page, "有 1 处需要修改，尚未提交")  # 修改原因 is required, and said beside it
    message(page, "_why").get_by_text("请填写修改原因").wait_for()
    assert store(project).get(hotline_record).revisions == 1
    fill(page, "_why", "核对通话记录：第三次也接通了")
    submit(page, button="保存修改")
    shot(page, "record-corrected")
    history = store(project).history(hotline_record)
    assert [r.kind for r in history] == ["submission", "edit"]
    assert history[1].why == "核对通话记录：第三次也接通了" and history[1].who == "孙更正"
    current = store(project).get(hotline_record)
    assert current.revisions == 2
    assert current.answers["calls"][0]["calls_connected"] == 3
    assert "no_answer_reason" not in current.answers["calls"][0]
    assert len([v for v in store(project).records() if v.instance_id == hotline_record]) == 1


def test_the_record_is_approved_in_the_review_page(server, project, page, hotline_record):
    page.goto(server.url("review.ipynb"))
    listing = page.locator("select[size]").first
    option = listing.locator("option", has_text=hotline_record[:8])
    option.wait_for(state="attached")
    listing.select_option(label=option.inner_text())
    page.locator(".ek-record").first.wait_for()
    page.get_by_text(f"记录 {hotline_record}").first.wait_for()
    page.get_by_label("审核人").fill("周组长")
    page.get_by_label("审核人").press("Tab")
    page.locator(".ek-review-approved").click()
    page.get_by_text(f"已将记录 {hotline_record[:8]} 标为「已通过」").wait_for()
    shot(page, "review-approved")
    view = store(project).get(hotline_record)
    assert view.state == "approved"
    assert store(project).history(hotline_record)[-1].who == "周组长"


# ---------------------------------------------------------------- 5. a killed kernel

def test_a_draft_survives_a_killed_kernel(server, project, browser, page):
    from evalkit.store import Drafts

    assessor = "钱草稿"
    drafts = Drafts(project)
    assert drafts.list(assessor=assessor) == []
    open_form(page, form_url(server, "service_user_check", unit="c2-01", assessor=assessor))
    fill(page, "visit_date", "2018-11-19")
    choose(page, "check_mode", "电话回访")
    citizen = entry(page, "citizens", 1)
    fill(citizen, "item_name", "城乡居民医保参保登记")
    fill(citizen, "trips", "3")
    check(citizen, "trip_reason", "queue")
    wait_status(page, "草稿已自动保存")
    wanted = {"visit_date": "2018-11-19", "check_mode": "callback",
              "citizens": [{"item_name": "城乡居民医保参保登记", "trips": "3", "trip_reason": ["queue"]}]}

    def saved() -> dict | None:
        found = drafts.list(assessor=assessor)
        if len(found) != 1:
            return None
        try:
            contains(found[0]["answers"], wanted, "draft")
        except AssertionError:
            return None
        return found[0]

    deadline = time.time() + 15
    while (draft := saved()) is None and time.time() < deadline:
        time.sleep(0.1)  # polling the project folder: the kernel writes the draft file
    assert draft is not None, f"the draft never held every answer: {drafts.list(assessor=assessor)}"
    kill_kernel(server, kernel_id(page))
    close(page)

    tab = new_page(browser)
    try:
        tab.goto(server.url("records.ipynb", assessor=assessor))
        link = tab.get_by_role("link", name="服务对象抽查", exact=False)
        link.wait_for()
        assert f"draft={draft['draft_id']}" in link.get_attribute("href")
        link.click()
        tab.locator(".ek-status").first.wait_for(timeout=60_000)
        assert "draft=" in tab.url
        assert text_input(tab, "visit_date").input_value() == "2018-11-19"
        assert chosen(tab, "check_mode") == "电话回访"
        assert chosen(tab, "unit") == "永吉县（c2-01）"
        back = field(tab, "citizens")
        assert text_input(back, "item_name").input_value() == "城乡居民医保参保登记"
        assert text_input(back, "trips").input_value() == "3"
        assert field(back, "trip_reason").locator(".ek-c-queue input").is_checked()
        assert not field(back, "trip_reason").locator(".ek-c-notice input").is_checked()
        shot(tab, "draft-resumed")
    finally:
        close(tab)


# ---------------------------------------------------------------- 6. records page and escaping

def test_records_page_lists_the_assessors_records_with_a_correction_link(server, project, page, hotline_record):
    page.goto(server.url("records.ipynb", assessor="孙更正"))
    row = page.locator(f".ek-rec-{hotline_record}")
    row.wait_for()
    assert "电话咨询测试" in row.inner_text()
    assert "市公安局（c1-04）" in row.inner_text()
    mine = [v for v in store(project).records() if v.assessor == "孙更正"]
    page.get_by_text(f"评估员 孙更正 的记录（{len(mine)} 条）").wait_for()
    assert page.locator("[class^='ek-rec-']").count() == len(mine)
    fix = row.get_by_role("link", name="更正")
    assert f"record={hotline_record}" in fix.get_attribute("href")
    fix.click()
    wait_status(page, "已提交的记录", timeout=60_000)
    page.get_by_role("button", name="修改此记录").wait_for()
    assert text_input(page, "hotline_number").input_value() == "0432-62012345"


def test_script_in_an_answer_shows_as_text_in_the_review_page(server, project, browser, page, tmp_path):
    evil = "<script>alert(1)</script>"
    tab = new_page(browser)
    tab.on("dialog", lambda d: page.dialogs.append(d.message) or d.dismiss())
    try:
        open_form(tab, form_url(server, "hotline_test", assessor="吴转义"))
        fill_hotline_test(tab, tmp_path, notes=evil)
        prefix = submit(tab)
    finally:
        close(tab)
    record = record_by_prefix(project, prefix)
    assert record.answers["notes"] == evil
    page.goto(server.url("review.ipynb"))
    listing = page.locator("select[size]").first
    option = listing.locator("option", has_text=prefix)
    option.wait_for(state="attached")
    listing.select_option(label=option.inner_text())
    cell = page.locator(".ek-record td", has_text=evil)
    cell.wait_for()
    assert cell.inner_text() == evil
    assert page.locator(".ek-record script").count() == 0
    shot(page, "review-escaped")
    assert page.dialogs == []


# ---------------------------------------------------------------- 7. layout

@pytest.mark.parametrize("width,height", [(800, 1280), (1280, 800)], ids=["tablet-portrait", "laptop"])
def test_the_form_has_no_horizontal_scrolling(server, browser, width, height):
    tab = new_page(browser, width=width, height=height)
    try:
        open_form(tab, form_url(server, "site_visit", assessor="布局"))
        check(tab, "facilities", "queue")
        fill(tab, "guides_checked", "5")
        fill(tab, "guides_vague", "9")  # a long message beside a field
        message(tab, "guides_vague").get_by_text("含模糊表述份数不能超过抽查份数").wait_for()
        assert horizontal_overflow(tab) <= 0, f"form is wider than a {width}×{height} viewport"
        small = tab.evaluate("""() => [...document.querySelectorAll('.ek-form input, .ek-form select, .ek-form textarea')]
            .filter(e => !['checkbox', 'radio', 'file'].includes(e.type) && parseFloat(getComputedStyle(e).fontSize) < 16)
            .map(e => e.closest('.ek-field')?.className.match(/ek-f-(\\w+)/)?.[1])""")
        assert small == [], f"inputs under 16px make a tablet zoom in when they get the focus: {small}"
        shot(tab, f"layout-site_visit-{width}x{height}")
        open_form(tab, form_url(server, "service_user_check", assessor="布局"))
        citizen = entry(tab, "citizens", 1)
        fill(citizen, "trips", "2")
        field(citizen, "trip_reason").wait_for()
        assert horizontal_overflow(tab) <= 0, f"repeat is wider than a {width}×{height} viewport"
        shot(tab, f"layout-service_user_check-{width}x{height}")
        tab.goto(server.url("review.ipynb"))
        tab.locator(".ek-review-approved").wait_for()
        assert horizontal_overflow(tab) <= 0, f"review page is wider than a {width}×{height} viewport"
    finally:
        close(tab)
