"""Team mode (issue 15): ``evalkit team`` starts a real JupyterHub (with configurable-http-proxy and
NativeAuthenticator); two assessors and a lead evaluator sign up, the lead approves them, and each
works in Chromium.  One hub for the whole module.

An assessor cannot open the review page nor another assessor's record or draft (by link or by a
changed query parameter), and a record's assessor is the login even when the page is tampered with;
the lead approves under the lead's own name; a client without a login reaches only the login page;
an account without a role gets a Chinese page naming whom to ask.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from browser import Hub, launched_chromium, open_form, screenshot, submit
from test_forms_browser import fill_hotline_test

from evalkit.app.team import proxy_command
from evalkit.project import init_project
from evalkit.store import Drafts, Store

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(proxy_command() is None, reason="configurable-http-proxy missing: make team-deps")]
PASSWORD = "Kq7-评估-2018x"
STARTED = "2018-11-20T09:00:00+08:00"
PEOPLE = {"zhangwei": "张伟", "lina": "李娜", "wanglei": "王磊"}


def write_assessors(path: Path) -> None:
    """The list as an office keeps it: a title row, spaced headers, a footnote; 账号 and 角色 added."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评估员"
    ws.append(["第三方评估组评估员名单（2018年）"])
    ws.append(["编号", "姓 名", "关联单位", "所在单位", "账号", "角色"])
    ws.append(["a01", "王磊", "c1-08", "吉林省社会科学院", "wanglei", "评估员"])
    ws.append(["a02", "李娜", "", "吉林大学行政学院", "lina", "评估员"])
    ws.append(["a03", "张伟", "", "吉林省社会科学院", "ZhangWei", "组长"])
    ws.append(["a04", "赵六", "", "长春工业大学", "", ""])
    ws.append(["注：账号为团队服务器的登录名。"])
    wb.save(path)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    project = tmp_path_factory.mktemp("team") / "p"
    init_project(project, "province-2018")
    write_assessors(project / "assessors.xlsx")
    store = Store(project)
    other = store.submit(instrument_id="hotline_test", instrument_version="1", instrument_sha256="0" * 64,
                         unit="c1-02", assessor="王磊", answers={"hotline_number": "0432-1"}, started=STARTED,
                         ended=STARTED)
    Drafts(project).save("d" * 32, {"draft_id": "d" * 32, "instrument": "hotline_test", "unit": "c1-02",
                                    "assessor": "王磊", "answers": {"hotline_number": "0432-2"}})
    server = Hub(project)
    try:
        yield {"base": server.base, "project": project, "other": other.instance_id, "hub": server}
    finally:
        server.stop()
        shutil.rmtree(project, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


def context(chromium):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else route.abort())
    ctx.set_default_timeout(120_000)
    return ctx


def sign_up(chromium, hub, account: str) -> None:
    ctx = context(chromium)
    page = ctx.new_page()
    page.goto(f"{hub['base']}/hub/signup")
    page.fill("#username_input", account)
    page.fill("#password_input", PASSWORD)
    page.fill("#password_confirmation_input", PASSWORD)
    page.click("#signup_submit")
    page.locator(".alert").first.wait_for()
    ctx.close()


def log_in(chromium, hub, account: str):
    ctx = context(chromium)
    page = ctx.new_page()
    page.goto(f"{hub['base']}/hub/login")
    page.fill("#username_input", account)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{account}/"), timeout=180_000)  # the user's server started
    return page


def page_url(hub, account: str, name: str, **params: str) -> str:
    from urllib.parse import urlencode

    return f"{hub['base']}/user/{account}/voila/render/{name}" + (f"?{urlencode(params)}" if params else "")


def text_of(page) -> str:
    page.locator(".ek-form, .ek-status, .ek-error").first.wait_for(timeout=180_000)
    return page.inner_text("body")


@pytest.fixture(scope="module")
def people(hub, chromium):
    """The lead signs up (an admin: approved at once), the others sign up and the lead approves them."""
    for account in ("zhangwei", "lina", "wanglei", "zhaoliu"):
        sign_up(chromium, hub, account)
    lead = log_in(chromium, hub, "zhangwei")
    for account in ("lina", "wanglei", "zhaoliu"):
        lead.goto(f"{hub['base']}/hub/authorize/{account}")
        lead.locator(f"#{account}, tr:has-text('{account}')").first.wait_for(state="attached")
    pages = {"zhangwei": lead, "lina": log_in(chromium, hub, "lina"), "zhaoliu": log_in(chromium, hub, "zhaoliu")}
    yield pages
    for page in pages.values():
        page.context.close()


def test_a_client_without_a_login_reaches_only_the_login_page(hub, chromium):
    ctx = context(chromium)
    page = ctx.new_page()
    for path in ("/user/lina/voila/render/form.ipynb", "/user/zhangwei/voila/render/review.ipynb",
                 f"/user/wanglei/voila/render/form.ipynb?record={hub['other']}", "/hub/home", "/"):
        page.goto(hub["base"] + path)
        page.wait_for_url(re.compile(r"/hub/login"))
        assert page.locator("#login_submit").count() == 1, path
        assert "0432-1" not in page.content()  # (the record id may be in the address to come back to)
    answer = page.goto(hub["base"] + "/hub/authorize")  # the lead's approval list: refused outright
    assert answer.status == 403 and "zhangwei" not in page.content()
    ctx.close()


def test_an_assessor_cannot_open_the_leads_pages(hub, people):
    page = people["lina"]
    for name, title in (("review.ipynb", "记录审核"), ("scoring.ipynb", "计分与排名"), ("sampling.ipynb", "抽样与进度"),
                        ("ledger.ipynb", "任务台账")):
        page.goto(page_url(hub, "lina", name, reviewer="张伟"))
        text = text_of(page)
        assert f"「{title}」页面只供" in text and "李娜" in text, text[:300]
        assert hub["other"][:8] not in text
    screenshot(page, "team-assessor-refused")


def test_an_assessor_cannot_open_another_assessors_record_or_draft(hub, people):
    page = people["lina"]
    for params in ({"record": hub["other"]}, {"draft": "d" * 32}, {"record": hub["other"], "assessor": "王磊"},
                   {"draft": "d" * 32, "assessor": "王磊", "edit": "1"}):
        page.goto(page_url(hub, "lina", "form.ipynb", **params))
        text = text_of(page)
        assert "这不是您的记录或草稿" in text, (params, text[:300])
        assert "0432-1" not in text and "0432-2" not in text
    page.goto(page_url(hub, "lina", "records.ipynb", assessor="王磊"))
    text = text_of(page)
    assert "李娜" in text and hub["other"][:8] not in text
    # another user's server: the hub does not let her in
    page.goto(page_url(hub, "wanglei", "form.ipynb", record=hub["other"]))
    page.wait_for_load_state()
    assert "0432-1" not in page.content()


def test_a_view_only_link_is_read_as_the_login_allows(hub, people):
    """?view= shows a record read-only; whether it may be read is the login's role, never the link's: an
    assessor is refused another's record (whatever ?assessor= says), the lead reads it with nothing to press."""
    page = people["lina"]
    for params in ({"view": hub["other"]}, {"view": hub["other"], "assessor": "王磊"}):
        page.goto(page_url(hub, "lina", "form.ipynb", **params))
        text = text_of(page)
        assert "这不是您的记录" in text and "0432-1" not in text, (params, text[:300])
    lead = people["zhangwei"]
    lead.goto(page_url(hub, "zhangwei", "form.ipynb", view=hub["other"]))
    lead.locator(".ek-view-only").wait_for(timeout=180_000)
    assert "0432-1" in lead.inner_text(".ek-form") and lead.locator(".ek-form button").count() == 0
    screenshot(lead, "team-view-only-lead")


def test_the_record_is_the_logins_even_when_the_page_is_tampered_with(hub, people, tmp_path):
    page = people["lina"]
    open_form(page, page_url(hub, "lina", "form.ipynb", instrument="hotline_test", unit="c1-04", assessor="王磊"),
              timeout=180_000)
    box = page.locator(".ek-f-assessor").first
    assert "李娜" in box.inner_text() or "李娜" in box.evaluate("b => b.querySelector('input, select')?.value ?? ''")
    fill_hotline_test(page, tmp_path)
    # the page is tampered with: the locked field is enabled again and another name typed into it
    box.evaluate("""b => { for (const el of b.querySelectorAll('input, select')) el.disabled = false; }""")
    screenshot(page, "team-form-locked")
    prefix = submit(page)
    found = [v for v in Store(hub["project"]).records() if v.instance_id.startswith(prefix)]
    assert len(found) == 1 and found[0].assessor == "李娜"
    hub["lina_record"] = found[0].instance_id


def test_the_lead_approves_under_the_leads_own_name(hub, people):
    record = hub.get("lina_record") or hub["other"]
    page = people["zhangwei"]
    page.goto(page_url(hub, "zhangwei", "review.ipynb", reviewer="李娜"))
    listing = page.locator("select[size]").first
    option = listing.locator("option", has_text=record[:8])
    option.wait_for(state="attached", timeout=180_000)
    listing.select_option(label=option.inner_text())
    page.get_by_text(f"记录 {record}").first.wait_for()
    assert page.get_by_label("审核人").is_disabled() and page.get_by_label("审核人").input_value() == "张伟（a03）"  # the login, as the list names it
    page.locator(".ek-review-approved").click()
    page.get_by_text(f"已将记录 {record[:8]} 标为「已通过」").wait_for()
    screenshot(page, "team-lead-approved")
    history = Store(hub["project"]).history(record)
    assert history[-1].who == "张伟" and Store(hub["project"]).get(record).state == "approved"


def test_an_account_without_a_role_is_told_whom_to_ask(hub, people):
    page = people["zhaoliu"]
    page.goto(page_url(hub, "zhaoliu", "form.ipynb"))
    text = text_of(page)
    assert "账号「zhaoliu」还没有角色" in text and "张伟" in text and "assessors.xlsx" in text
    screenshot(page, "team-no-role")


def test_the_lead_has_jupyterlab_on_the_project_and_an_assessor_has_not(hub, people):
    lina = people["lina"]
    lina.goto(f"{hub['base']}/hub/spawn/lina/lab")
    lina.get_by_text("403").first.wait_for()  # the hub refuses to start it (pre_spawn_hook)
    assert "JupyterLab" not in lina.url
    lead = people["zhangwei"]
    lead.goto(f"{hub['base']}/hub/spawn/zhangwei/lab")
    lead.wait_for_url(re.compile(r"/user/zhangwei/lab/lab"), timeout=180_000)
    lead.locator(".jp-DirListing-item", has_text="analysis").first.wait_for(timeout=180_000)
    assert (hub["project"] / "analysis" / "01_data_quality.ipynb").exists()
    screenshot(lead, "team-lead-lab")
