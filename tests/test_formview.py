"""The form controller without a browser: widgets are set as a browser would set them.

The browser tests (test_forms_browser.py) check the wiring; here every rule is checked.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import make_workbook

from evalkit.app.formview import FormView
from evalkit.app.pages import current_project, form_page
from evalkit.app.record import record_html
from evalkit.forms import load_instrument
from evalkit.store import Drafts, Store

TODAY = dt.date(2018, 11, 20)
SURVEY = [
    ["type", "name", "label::中文 (zh)", "required", "constraint", "constraint_message::中文 (zh)", "relevant",
     "calculation", "default", "evalkit::role"],
    ["text", "unit", "被评估单位", "yes", "", "", "", "", "", "unit"],
    ["text", "assessor", "评估员", "yes", "", "", "", "", "", "assessor"],
    ["date", "visit_date", "日期", "yes", ". <= today()", "日期不能晚于今天", "", "", "today()", ""],
    ["integer", "calls_made", "拨打次数", "yes", ". >= 0 and . <= 50", "0 到 50 之间", "", "", "", ""],
    ["integer", "connected", "接通次数", "yes", ". <= ${calls_made}", "接通次数不能多于拨打次数", "", "", "", ""],
    ["calculate", "rate", "接通率", "", "", "", "", "if(${calls_made} > 0, ${connected} div ${calls_made}, 0)", "", ""],
    ["select_one yn", "all_ok", "全部正常", "yes", "", "", "", "", "", ""],
    ["text", "why_not", "原因", "yes", "", "", "${all_ok} = 'no'", "", "", ""],
    ["select_multiple issue", "issues", "问题", "", "count-selected(.) <= 2", "最多选两项", "", "", "", ""],
    ["begin_repeat", "citizens", "服务对象", "", "", "", "", "", "", ""],
    ["integer", "trips", "跑动次数", "yes", ". >= 0 and . <= 20", "0 到 20 次", "", "", "", ""],
    ["text", "reason", "多次跑动原因", "yes", "", "", "${trips} > 1", "", "", ""],
    ["end_repeat", "", "", "", "", "", "", "", "", ""],
]
CHOICES = [["list_name", "name", "label::中文 (zh)"], ["yn", "yes", "是"], ["yn", "no", "否"],
           ["issue", "vague", "模糊表述"], ["issue", "queue", "排队过长"], ["issue", "rude", "态度差"]]
SETTINGS = [["form_title", "form_id", "version", "default_language"],
            ["热线测试（测试用）", "hotline_mini", "1", "中文 (zh)"]]


@pytest.fixture
def setup(tmp_path):
    path = make_workbook(tmp_path / "hotline_mini.xlsx", {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})
    instrument, problems = load_instrument(path)
    assert instrument is not None, problems
    project = tmp_path / "project"
    project.mkdir()
    return instrument, Store(project), Drafts(project)


def inputs(view, level=None):
    level = level or view.root
    return {fw.field.name: fw for fw in level.inputs}


def make(setup, **kw):
    instrument, store, drafts = setup
    return FormView(instrument, store=store, drafts=drafts, unit="c1-01", assessor="张三", today=TODAY, **kw)


def fill_valid(view):
    f = inputs(view)
    f["calls_made"].input.value = "10"
    f["connected"].input.value = "8"
    f["all_ok"].input.value = "yes"


def test_prefill_defaults_and_calculation(setup):
    view = make(setup)
    f = inputs(view)
    assert f["unit"].input.value == "c1-01" and f["assessor"].input.value == "张三"
    assert f["visit_date"].input.value == TODAY
    fill_valid(view)
    answers, issues = view.refresh(show_required=True)
    assert issues == []
    assert answers["rate"] == 0.8  # 8 div 10
    assert "自动计算" in f["rate"].input.value


def test_text_in_number_field_is_answered_in_chinese_and_nothing_is_saved(setup):
    view = make(setup)
    fill_valid(view)
    inputs(view)["calls_made"].input.value = "十次"
    assert "请输入整数" in inputs(view)["calls_made"].message.value
    assert view.submit() is None
    assert setup[1].records() == []
    assert "尚未提交" in view.status.value


def test_constraint_message_beside_the_field(setup):
    view = make(setup)
    fill_valid(view)
    inputs(view)["connected"].input.value = "12"  # 12 > 10 calls made
    assert "接通次数不能多于拨打次数" in inputs(view)["connected"].message.value
    assert view.submit() is None and setup[1].records() == []


def test_future_date_is_refused(setup):
    view = make(setup)
    fill_valid(view)
    inputs(view)["visit_date"].input.value = TODAY + dt.timedelta(days=1)
    assert view.submit() is None
    assert "日期不能晚于今天" in inputs(view)["visit_date"].message.value


def test_required_shown_on_submit_and_relevant_shows_and_hides(setup):
    view = make(setup)
    f = inputs(view)
    assert f["why_not"].box.layout.display == "none"
    f["calls_made"].input.value = "3"
    f["connected"].input.value = "3"
    f["all_ok"].input.value = "no"
    assert f["why_not"].box.layout.display is None
    assert f["why_not"].message.value == ""  # required is not nagged before submit
    assert view.submit() is None
    assert "必填" in f["why_not"].message.value
    f["why_not"].input.value = "指南有「等」字"
    f["all_ok"].input.value = "yes"  # hidden again: its value is not part of the record
    instance = view.submit()
    record = setup[1].get(instance)
    assert "why_not" not in record.answers


def test_select_multiple_constraint(setup):
    view = make(setup)
    fill_valid(view)
    for box in inputs(view)["issues"].checks:
        box.value = True
    assert "最多选两项" in inputs(view)["issues"].message.value
    inputs(view)["issues"].checks[0].value = False
    answers, issues = view.refresh(show_required=True)
    assert issues == [] and answers["issues"] == ["queue", "rude"]


def test_repeat_instances_with_their_own_rules(setup):
    view = make(setup)
    fill_valid(view)
    repeat = view.root.repeats[0]
    first, second = repeat.add(), repeat.add()
    inputs(view, first)["trips"].input.value = "1"
    inputs(view, second)["trips"].input.value = "3"
    assert inputs(view, first)["reason"].box.layout.display == "none"
    assert inputs(view, second)["reason"].box.layout.display is None
    assert view.submit() is None  # the second citizen needs a reason
    inputs(view, second)["reason"].input.value = "材料不全，退回补正"
    instance = view.submit()
    assert setup[1].get(instance).answers["citizens"] == [{"trips": 1}, {"trips": 3, "reason": "材料不全，退回补正"}]


def test_every_change_saves_a_draft_and_the_draft_comes_back(setup):
    instrument, store, drafts = setup
    view = make(setup)
    inputs(view)["calls_made"].input.value = "7"
    inputs(view)["connected"].input.value = "abc"  # kept as typed, even though invalid
    assert "草稿已自动保存" in view.status.value
    saved = drafts.load(view.draft_id)
    assert saved["answers"]["calls_made"] == "7" and saved["answers"]["connected"] == "abc"
    again = make(setup, draft_id=view.draft_id)  # a new kernel after the tab was closed
    assert inputs(again)["calls_made"].input.value == "7"
    assert inputs(again)["connected"].input.value == "abc"
    assert "请输入整数" in inputs(again)["connected"].message.value


def test_submit_writes_one_record_and_discards_the_draft(setup):
    instrument, store, drafts = setup
    view = make(setup)
    fill_valid(view)
    instance = view.submit()
    record = store.get(instance)
    assert record.unit == "c1-01" and record.assessor == "张三"
    assert record.answers["calls_made"] == 10 and record.answers["visit_date"] == "2018-11-20"
    assert record.instrument_id == "hotline_mini" and record.instrument_version == "1"
    assert drafts.load(view.draft_id) is None
    assert view.submit() == instance and len(store.records()) == 1  # a second click adds nothing
    assert "已提交" in view.status.value


def test_correcting_a_record_needs_a_reason_and_makes_a_revision(setup):
    instrument, store, drafts = setup
    view = make(setup)
    fill_valid(view)
    instance = view.submit()
    fix = make(setup, record_id=instance, editing=True)
    assert inputs(fix)["calls_made"].input.value == "10"
    inputs(fix)["connected"].input.value = "9"
    assert fix.submit() is None  # no reason given
    fix.why.value = "复核通话记录"
    assert fix.submit() == instance
    history = store.history(instance)
    assert [r.kind for r in history] == ["submission", "edit"] and history[1].why == "复核通话记录"
    assert store.get(instance).answers["connected"] == 9


def test_labels_are_escaped(tmp_path):
    survey = [SURVEY[0], SURVEY[1], SURVEY[2], ["text", "x", "<script>alert(1)</script>", "", "", "", "", "", "", ""]]
    path = make_workbook(tmp_path / "x.xlsx", {"survey": survey, "choices": CHOICES, "settings": SETTINGS})
    instrument, _ = load_instrument(path)
    (tmp_path / "p").mkdir()
    view = FormView(instrument, store=Store(tmp_path / "p"), drafts=Drafts(tmp_path / "p"))
    label = inputs(view)["x"].box.children[0].value
    assert "<script>" not in label and "&lt;script&gt;" in label


def test_review_shows_choice_labels(setup):
    instrument, store, drafts = setup
    view = make(setup)
    fill_valid(view)
    inputs(view)["issues"].checks[1].value = True
    instance = view.submit()
    (store.root / "instruments").mkdir()
    shutil.copyfile(instrument.path, store.root / "instruments" / "hotline_mini.xlsx")
    html = record_html(current_project(store.root), instance)  # the page reads the form's store
    assert "<td>是</td>" in html and "排队过长" in html and "（yes）" not in html


def test_after_submit_the_next_record_starts_on_the_same_page(tmp_path):
    """「在本页再填一份」: a fresh form for the same instrument, unit and assessor, without a new page."""
    project = tmp_path / "p"
    (project / "instruments").mkdir(parents=True)
    make_workbook(project / "instruments" / "hotline_mini.xlsx",
                  {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})
    opened = current_project(project)
    page = form_page(opened, {"instrument": "hotline_mini", "unit": "c1-01", "assessor": "张三"})
    first = page.form
    assert first.again_button.layout.display == "none"  # offered only after a submit
    fill_valid(first)
    inputs(first)["calls_made"].input.value = "9"
    one = first.submit()
    assert one and first.again_button.layout.display is None
    first.again_button.click()
    second = page.form
    assert second is not first and page.children == (second.widget,)
    assert inputs(second)["unit"].input.value == "c1-01" and inputs(second)["assessor"].input.value == "张三"
    assert inputs(second)["calls_made"].input.value == "" and second.draft_id != first.draft_id
    fill_valid(second)
    two = second.submit()
    records = {r.instance_id: r for r in opened.store.records()}
    assert set(records) == {one, two}
    assert records[one].answers["calls_made"] == 9 and records[two].answers["calls_made"] == 10
