"""The lead's desk without a browser: the busy helper, choices from the project's lists, the picker in the
framework's order, two records of one unit told apart, the view-only link and who may read through it,
photos as thumbnails that open over the page."""

from __future__ import annotations

import ipywidgets as w
import pytest
from scoring_helpers import Records, shipped_instruments
from test_team import assessors, team_env

from evalkit.app.busy import DELAY_ENV, FAILED, busy
from evalkit.app.choices import NamedChoice
from evalkit.app.ledger import LedgerView
from evalkit.app.pages import LOGIN, current_project, form_page, gate, instruments_in_order, picker_page
from evalkit.app.record import record_html, record_summary, summary_fields
from evalkit.app.records import RecordsView
from evalkit.app.review import ReviewView
from evalkit.project import init_project, open_project


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "eval"
    init_project(root, "province-2018")
    return root


# ---------------------------------------------------------------------- the busy helper
def test_busy_disables_the_controls_shows_a_spinner_and_clears_the_old_error(monkeypatch):
    monkeypatch.delenv(DELAY_ENV, raising=False)
    line, button, other = w.HTML("<p class='ek-error'>上一次的错误</p>"), w.Button(), w.Button(disabled=True)
    seen = []
    with busy(line, "正在计分……", button, other):
        seen.append((button.disabled, other.disabled, line.value))
    (disabled, still, shown), = seen
    assert disabled and still and "正在计分……" in shown and "ek-spinner" in shown and "上一次的错误" not in shown
    assert not button.disabled and other.disabled  # each control as it was before
    assert line.value == ""  # the busy line is cleared when the action said nothing


def test_busy_keeps_the_actions_own_message_and_says_a_failure_in_chinese(monkeypatch, caplog):
    monkeypatch.delenv(DELAY_ENV, raising=False)
    line, button = w.HTML(), w.Button()
    with busy(line, "正在登记……", button):
        line.value = "<span class='ek-marked'>已登记</span>"
    assert line.value == "<span class='ek-marked'>已登记</span>"
    with busy(line, "正在登记……", button):
        raise RuntimeError("disk full")
    assert FAILED in line.value and "ek-error" in line.value and "disk full" not in line.value
    assert not button.disabled
    assert "disk full" in caplog.text  # the details go to the log only


def test_the_test_delay_hook_is_read_only_from_its_variable(monkeypatch):
    monkeypatch.setenv(DELAY_ENV, "not a number")  # a bad value is no delay, never an error
    line = w.HTML()
    with busy(line, "正在读取……"):
        pass
    assert line.value == ""


# ---------------------------------------------------------------------- choices from the project's lists
def test_a_named_choice_shows_name_and_id_and_keeps_the_name():
    box = NamedChoice([("王磊（a01）", "王磊"), ("李娜（a02）", "李娜")], value="李娜", description="审核人")
    assert box.options == ("王磊（a01）", "李娜（a02）") and box.value == "李娜（a02）" and box.ensure_option
    assert box.code == "李娜"
    box.value = "王磊（a01）"
    assert box.code == "王磊"
    given = NamedChoice([("王磊（a01）", "王磊")], value="周组长")  # a name from the link stays choosable
    assert given.value == "周组长" and given.code == "周组长"
    assert not NamedChoice([], strict=False).ensure_option  # no list in the project: a name is typed


def test_review_and_ledger_choose_people_from_the_assessor_list(root):
    assessors(root / "assessors.xlsx", [["a01", "王磊", "", "wanglei", "评估员"], ["a02", "李娜", "", "lina", "复核员"],
                                        ["a03", "张伟", "", "zhangwei", "组长"]])
    Records(root, shipped_instruments()).add("hotline_test", "c1-01", {}, state="received", assessor="王磊")
    view = ReviewView(current_project(root))
    assert isinstance(view.reviewer, NamedChoice) and view.reviewer.ensure_option
    assert list(view.reviewer.options) == ["张伟（a03）", "李娜（a02）", "王磊（a01）"]  # the lead and reviewer first
    assert ("王磊（a01）", "王磊") in view.assessor.options
    view.reviewer.value = "李娜（a02）"
    view.decide("approved")
    assert view.store.get(view.listing.value).state == "approved"
    assert view.store.history(view.listing.value)[-1].who == "李娜"


def test_the_ledger_page_offers_the_assessors_as_who_marks(tmp_path):
    from test_progress import ledger_project

    root = ledger_project(tmp_path / "jl", tmp_path / "inputs")
    assessors(root / "assessors.xlsx", [["a01", "王磊", "", "wanglei", "组长"]])
    page = LedgerView(current_project(root))
    assert list(page.who.options) == ["评估组", "王磊（a01）"] and page.who.code == "评估组"


# ---------------------------------------------------------------------- the picker
def test_the_picker_follows_the_frameworks_order_with_the_chinese_title_first(root):
    project = current_project(root)
    order = [i.id for i in instruments_in_order(project)]
    assert order[:3] == ["document_review", "internal_interview", "expert_review"]  # 1.1.1's 评分依据, in order
    assert order.index("hotline_test") > order.index("site_visit")  # 2.2.3 comes after the hall's 1.3.2
    html = picker_page(project, {}).children[-1].value
    titles = [project.instruments[i].title for i in order]
    assert [html.index(f">{t}</a>") for t in titles] == sorted(html.index(f">{t}</a>") for t in titles)
    assert "电话咨询测试</a> <span class='ek-hint'>Hotline test · 指标 " in html


# ---------------------------------------------------------------------- two records of one unit
def _two_hotline_tests(root, state="received"):
    rec = Records(root, shipped_instruments())
    return [rec.add("hotline_test", "c1-01", {"hotline_number": number, "calls": [{"item_asked": item}]},
                    state=state, assessor="王磊")
            for number, item in (("0432-62011111", "企业设立登记"), ("0432-62012222", "就业失业登记"))]


def test_two_hotline_tests_of_one_unit_are_told_apart(root):
    first, second = _two_hotline_tests(root)
    project = current_project(root)
    assert summary_fields(project.instruments["hotline_test"]) == ["hotline_number", "item_asked"]
    assert record_summary(project, project.store.get(first)) == "0432-62011111 · 企业设立登记"
    queue = ReviewView(project, reviewer="组长")
    lines = dict((i, label) for label, i in queue.listing.options)
    assert "（0432-62011111 · 企业设立登记）" in lines[first] and "（0432-62012222 · 就业失业登记）" in lines[second]
    assert "月" in lines[first] and "日 " in lines[first]  # 「12月3日 14:05」, not an ISO stamp
    mine = RecordsView(project, {"assessor": "王磊"}).body.value
    assert "0432-62011111 · 企业设立登记" in mine and "0432-62012222 · 就业失业登记" in mine
    assert mine.count("class='ek-when'") == 2


# ---------------------------------------------------------------------- the view-only link
def _text(widget) -> str:
    found = []
    for child in getattr(widget, "children", ()):
        found.append(getattr(child, "value", "") if isinstance(getattr(child, "value", ""), str) else "")
        found.append(_text(child))
    return " ".join(found)


def _buttons(widget) -> list:
    found = [widget] if isinstance(widget, w.Button) else []
    for child in getattr(widget, "children", ()):
        found += _buttons(child)
    return found


def test_a_view_only_link_shows_the_record_with_nothing_to_press(root):
    first, _ = _two_hotline_tests(root)
    page = form_page(current_project(root), {"view": first})
    text = _text(page)
    assert "只读查看" in text and f"记录 {first}" in text and "修订与审核记录" in text
    assert _buttons(page) == [] and "ek-view-only" in text
    mine = RecordsView(current_project(root), {"assessor": "王磊"}).body.value
    assert f"form.ipynb?view={first}" in mine
    missing = _text(form_page(current_project(root), {"view": "0" * 32}))
    assert "找不到这条记录" in missing


def test_who_may_read_through_the_link_comes_from_the_login(root, monkeypatch):
    assessors(root / "assessors.xlsx", [["a01", "王磊", "", "wanglei", "评估员"], ["a02", "李娜", "", "lina", "评估员"],
                                        ["a03", "张伟", "", "zhangwei", "组长"], ["a04", "周审", "", "zhoushen", "复核员"]])
    first, _ = _two_hotline_tests(root)
    project = open_project(root)
    team_env(monkeypatch, "lina")  # another assessor: refused, whatever the link says
    _, refused = gate("form_page", project, {"view": first, "assessor": "王磊", LOGIN: "王磊"})
    assert refused is not None and "这不是您的记录" in _text(refused)
    for account in ("wanglei", "zhangwei", "zhoushen"):  # the owner, the lead, a reviewer
        team_env(monkeypatch, account)
        _, refused = gate("form_page", project, {"view": first})
        assert refused is None, account


# ---------------------------------------------------------------------- photos
def test_a_photo_is_a_thumbnail_button_for_the_lightbox(root, tmp_path):
    from browser import tiny_png

    from evalkit.store import Store

    store = Store(root)
    attachment = store.save_attachment(tiny_png(tmp_path / "hall.png").read_bytes(), original_name="大厅.png",
                                       media_type="image/png", max_bytes=10_000_000)
    record = Records(root, shipped_instruments()).add("site_visit", "c1-01", {"photo_hall": attachment})
    html = record_html(current_project(root), record)
    assert "<button type='button' class='ek-thumb'" in html and "aria-label='放大查看照片 大厅.png'" in html
    assert "<details" not in html and "target=" not in html


# ---------------------------------------------------------------------- every slow action is wired to busy
def recorder(monkeypatch, module) -> list:
    """Every busy line the module's actions show: (text, what the line showed, the controls disabled)."""
    from contextlib import contextmanager

    seen = []

    @contextmanager
    def recording(message, text, *controls):
        with busy(message, text, *controls):
            seen.append((text, "ek-spinner" in message.value, all(c.disabled for c in controls)))
            yield

    monkeypatch.setattr(module, "busy", recording)
    return seen


def test_the_ledger_pages_actions_show_a_busy_line(tmp_path, monkeypatch):
    from test_progress import ledger_project

    import evalkit.app.ledger as ledger

    seen = recorder(monkeypatch, ledger)
    view = LedgerView(current_project(ledger_project(tmp_path / "jl", tmp_path / "inputs")))
    view.cadence.value = "monthly"
    view.mark_button.click()
    view.report_button.click()
    assert [t for t, *_ in seen] == ["正在统计进度……", "正在登记……", "正在生成进度报告……"]
    assert all(spinner and disabled for _, spinner, disabled in seen)
    assert "请先选择单位" in view.mark_info.value and "下载进度报告" in view.report_info.value


def test_the_sampling_pages_actions_show_a_busy_line(root, monkeypatch):
    from test_sampling_page import case_frame

    import evalkit.app.sampling as sampling

    case_frame(root / "frames" / "cases.xlsx")
    seen = recorder(monkeypatch, sampling)
    view = sampling.SamplingView(current_project(root))
    view.frame.value = "cases.xlsx"
    view.n.value, view.seed.value = 6, "20181120"
    view.draw_button.click()
    view.mark_button.click()
    texts = [t for t, *_ in seen]
    assert texts[:2] == ["正在读取抽样框……", "正在抽样并记录，请稍候……"] and "正在统计实地进度……" in texts
    assert texts[-1] == "正在记录联系结果……" and all(spinner for _, spinner, _ in seen)
    assert "已记录抽样" in view.draw_info.value


def test_the_review_and_records_actions_show_a_busy_line(root, monkeypatch):
    import evalkit.app.records as records
    import evalkit.app.review as review

    first, second = _two_hotline_tests(root)
    queue, mine = recorder(monkeypatch, review), recorder(monkeypatch, records)
    view = ReviewView(current_project(root), reviewer="组长")
    view.assessor.value = "王磊"
    view.comment.value = "号码与台账不符，请核实"
    view.decide("has_issues")
    view.next.click()
    assert [t for t, *_ in queue][:2] == ["正在读取记录……", "正在记录「存疑」……"] and "正在读取下一条……" in [t for t, *_ in queue]
    assert all(spinner and disabled for _, spinner, disabled in queue)
    page = RecordsView(current_project(root), {"assessor": "王磊"})
    (box,) = page.returned.children
    box.children[1].value = "已复核：号码正确"
    box.children[2].children[0].click()
    assert [t for t, *_ in mine] == ["正在发送答复……"] and "已答复记录" in page.head.value


def test_rescoring_reads_the_project_folder_as_it_is_now_and_keeps_the_unit_shown(root, monkeypatch):
    import evalkit.app.scoring as scoring

    rec = Records(root, shipped_instruments())
    rec.add("hotline_test", "c1-01", {"calls": [{"calls_made": 1, "calls_connected": 1}]})
    seen = recorder(monkeypatch, scoring)
    view = scoring.ScoringView(current_project(root), draws=20, params={"unit": "c1-01"})
    assert "record-duplicate" not in [c for _, c in view.code.options]
    twins = [rec.add("hotline_test", "c1-02", {"calls": [{"calls_made": 1, "calls_connected": 0}]}) for _ in (1, 2)]
    kept = view.project.scored_units
    view.rescore_button.click()
    assert "record-duplicate" in [c for _, c in view.code.options] and twins
    # the units the page scored go on to the folder read again: all but c1-02, whose records changed, are taken
    assert view.project.scored_units is kept and kept.taken == len(view.evaluation.units) - 1
    assert view.unit.value == "c1-01" and "已按项目文件夹现在的内容重新计分" in view.waits["rescore"].value
    assert not view.rescore_button.disabled and "正在重新计分，请稍候……" in [t for t, *_ in seen]


def test_a_what_if_compares_the_category_and_says_a_bad_value_in_chinese(root, monkeypatch):
    import evalkit.app.scoring as scoring
    import evalkit.app.whatif as whatif

    rec = Records(root, shipped_instruments())
    for unit, connected in (("c1-01", 9), ("c1-02", 7)):
        rec.add("hotline_test", unit, {"calls": [{"calls_made": 1, "calls_connected": 1}] * connected
                                       + [{"calls_made": 1, "calls_connected": 0}] * (10 - connected)})
    seen = recorder(monkeypatch, whatif)
    panel = scoring.ScoringView(current_project(root), draws=20).what_if
    assert ("2.2.3 “只跑一次”事项的电话咨询接通率", "2.2.3") in panel.leaf.options  # chosen from the framework
    panel.leaf.value = "2.2.3"
    assert [k for _, k in panel.param.options][1:] and all("（现为 " in label for label, _ in panel.param.options[1:])
    panel.button.click()
    assert "请先选择" in panel.message.value
    panel.param.value = panel.param.options[1][1]
    panel.value.value = "不是数"
    panel.button.click()
    assert "ek-error" in panel.message.value and "2.2.3" in panel.message.value and panel.table.value == ""
    panel.value.value, panel.provisional.value = "0.5", True
    kept = panel._project().scored_units
    scored = kept.scored
    panel.button.click()
    assert "假设情形：指标 2.2.3" in panel.message.value and "待定单位也排名" in panel.message.value
    # a threshold and provisional units ranked change nothing the units counted: every unit the page scored is taken
    assert kept.scored == scored == len(panel._evaluation().units) and kept.taken == scored
    assert "市编办（c1-01）" in panel.table.value and "假设名次" in panel.table.value
    assert [t for t, *_ in seen] == ["正在计算假设情形，请稍候……"] * 3 and not panel.button.disabled
