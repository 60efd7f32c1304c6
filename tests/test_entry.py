"""The entry lifecycle without a browser: widgets are set as a browser would set them.

Repeats with a least number and a fixed number of entries, delete and undo, read-only after submit
and the correction with its reason and author, the rules of who records where (关联单位 refused,
a unit outside the 双随机 assignment needs a reason, a date outside the 评估期 warns), the draft
offered on a new page, pages of field-list groups, 我的记录 as a task list, bad links as Chinese
pages, and the scoring page's preheated scores kept only while no input changed.
The browser tests (test_entry_browser.py) check the wiring on three viewports.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import make_workbook

from evalkit.app.formview import FormView
from evalkit.app.pages import current_project, fingerprint, form_page
from evalkit.app.people import Team, page_assessor
from evalkit.app.records import records_page
from evalkit.app.scoring import prepare, scored
from evalkit.forms import evaluate_form, load_instrument, validate_answers
from evalkit.sampling import Assessor, latest_assignment, off_assignment_notes
from evalkit.store import Drafts, Store

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2018, 11, 20)
HEAD = ["type", "name", "label::中文 (zh)", "required", "repeat_count", "evalkit::min_repeats", "appearance",
        "evalkit::role", "constraint"]
SURVEY = [
    HEAD,
    ["text", "unit", "被评估单位", "yes", "", "", "", "unit", ""],
    ["text", "assessor", "评估员", "yes", "", "", "", "assessor", ""],
    ["date", "visit_date", "日期", "yes", "", "", "", "", ""],
    ["integer", "n_people", "人数", "", "", "", "", "", ""],
    ["begin_repeat", "calls", "测试电话", "", "", "1", "", "", ""],
    ["integer", "made", "拨打次数", "yes", "", "", "", "", ". >= 0"],
    ["text", "item", "事项", "", "", "", "", "", ""],
    ["end_repeat", "", "", "", "", "", "", "", ""],
    ["begin_repeat", "people", "人员", "", "${n_people}", "", "", "", ""],
    ["text", "who", "姓名", "", "", "", "", "", ""],
    ["end_repeat", "", "", "", "", "", "", "", ""],
    ["begin_group", "scale", "满意度", "", "", "", "field-list", "", ""],
    ["select_one sat", "q1", "总体满意度", "yes", "", "", "likert", "", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["text", "notes", "备注", "", "", "", "", "", ""],
]
CHOICES = [["list_name", "name", "label::中文 (zh)"], ["sat", "5", "非常满意"], ["sat", "3", "一般"], ["sat", "1", "不满意"]]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["测试工具", "mini", "1", "中文 (zh)"]]


@pytest.fixture
def instrument(tmp_path):
    path = make_workbook(tmp_path / "mini.xlsx", {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})
    loaded, problems = load_instrument(path)
    assert loaded is not None, problems
    return loaded


def inputs(level):
    return {fw.field.name: fw for fw in level.inputs}


def repeat(view, name):
    return next(rw for rw in view.root.repeats if rw.field.name == name)


def make(instrument, tmp_path, **kw):
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    kw.setdefault("unit", "c1-01")
    kw.setdefault("assessor", "张三")
    return FormView(instrument, store=Store(root), drafts=Drafts(root), today=TODAY, **kw)


def fill(view):
    call = repeat(view, "calls").instances[0]
    inputs(call)["made"].input.value = "2"
    inputs(view.root)["q1"].input.value = "5"


# ---------------------------------------------------------------- the engine

def test_repeats_have_a_least_and_a_fixed_number_of_entries(instrument):
    calls, people = (next(f for f in instrument.fields if f.name == n) for n in ("calls", "people"))
    assert calls.fewest == 1 and people.repeat_count == "${n_people}"
    base = {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20", "q1": "5"}
    state = evaluate_form(instrument, base, today=TODAY)
    assert [(i.path, i.code, i.message) for i in state.issues] == [("calls", "required", "请至少添加 1 条「测试电话」")]
    state = evaluate_form(instrument, {**base, "calls": [{"made": "1"}], "n_people": "2", "people": [{}]}, today=TODAY)
    assert state.counts == {"people": 2}
    assert [(i.path, i.code) for i in state.issues] == [("people", "count")]
    stored = validate_answers(instrument, {**base, "calls": [{"made": 1}], "n_people": 1, "people": [{"who": "甲"}]})
    assert stored == []
    assert validate_answers(instrument, base) == []  # imports are not refused for it: the form is


def test_min_repeats_must_be_a_whole_number_on_a_repeat(tmp_path):
    survey = [row[:] for row in SURVEY]
    survey[4][5] = "2"  # on an integer field
    survey[5][5] = "一条"
    path = make_workbook(tmp_path / "bad.xlsx", {"survey": survey, "choices": CHOICES, "settings": SETTINGS})
    instrument, problems = load_instrument(path)
    assert instrument is None
    assert [(p.code, p.row) for p in problems] == [("instrument-min-repeats-invalid", 5),
                                                    ("instrument-min-repeats-invalid", 6)]


# ---------------------------------------------------------------- the form view

def test_a_repeat_opens_with_its_least_entries_and_a_fixed_one_follows_its_count(instrument, tmp_path):
    view = make(instrument, tmp_path)
    assert len(repeat(view, "calls").instances) == 1 and repeat(view, "calls").add_button.layout.display is None
    people = repeat(view, "people")
    assert people.instances == [] and people.add_button.layout.display == "none"
    inputs(view.root)["n_people"].input.value = "3"
    assert len(people.instances) == 3
    inputs(people.instances[0])["who"].input.value = "甲"
    inputs(view.root)["n_people"].input.value = "0"
    assert len(people.instances) == 1  # the entry holding an answer stays, and the form says so
    assert "应为 0 条" in people.message.value


def test_deleting_asks_first_and_undo_brings_the_entry_back(instrument, tmp_path):
    view = make(instrument, tmp_path)
    calls = repeat(view, "calls")
    second = calls.add()
    inputs(second)["item"].input.value = "户籍迁移"
    calls.ask(second)
    assert second.confirm.layout.display is None and "其中已填 1 项" in second.confirm.children[0].value
    assert len(calls.instances) == 2  # nothing deleted yet
    second.confirm.children[2].click()  # 取消
    assert second.confirm.layout.display == "none" and len(calls.instances) == 2
    calls.ask(second)
    second.confirm.children[1].click()  # 确定删除
    assert len(calls.instances) == 1 and calls.undo_bar.layout.display is None
    assert "户籍迁移" not in str(view.drafts.load(view.draft_id)["answers"])
    calls.undo_button.click()
    assert calls.instances[1] is second and inputs(second)["item"].input.value == "户籍迁移"
    assert view.drafts.load(view.draft_id)["answers"]["calls"][1]["item"] == "户籍迁移"


def test_a_submitted_form_is_read_only_and_a_correction_needs_a_reason(instrument, tmp_path):
    view = make(instrument, tmp_path, who="李组员")
    fill(view)
    assert view.submit() is None  # the date is required
    inputs(view.root)["visit_date"].input.value = TODAY
    record = view.submit()
    assert record and view.readonly and "已提交" in view.status.value
    assert inputs(view.root)["visit_date"].input.disabled and repeat(view, "calls").add_button.disabled
    assert view.edit_button.layout.display is None and view.submit_button.layout.display == "none"
    assert view.signals.query == f"record={record}"
    view.start_correction()
    assert not inputs(view.root)["visit_date"].input.disabled and view.why_box.layout.display is None
    inputs(view.root)["notes"].input.value = "补记"
    assert view.submit() is None and "请填写修改原因" in view.why_message.value
    view.why.value = "补记现场情况"
    assert view.submit() == record and "已保存修改" in view.status.value and view.readonly
    history = view.store.history(record)
    assert [r.kind for r in history] == ["submission", "edit"]
    assert history[1].who == "李组员" and history[1].why == "补记现场情况"  # who is at the device, not the 评估员 field


def test_the_draft_goes_into_the_address_and_comes_back(instrument, tmp_path):
    view = make(instrument, tmp_path)
    assert view.signals.query == ""
    inputs(view.root)["notes"].input.value = "写了一半"
    assert view.signals.query == f"draft={view.draft_id}"
    again = make(instrument, tmp_path, draft_id=view.draft_id)
    assert inputs(again.root)["notes"].input.value == "写了一半" and "已打开草稿" in again.status.value


def test_who_records_where(instrument, tmp_path):
    team = Team(assessors=(Assessor("a01", "王磊", ("c1-08",)), Assessor("a02", "李娜", ())),
                pairs=(("c1-12", "a01"), ("c1-07", "a02")), period=(dt.date(2018, 11, 5), dt.date(2018, 12, 14)),
                unit_names={"c1-08": "市住建局"})
    view = make(instrument, tmp_path, unit="c1-08", assessor="王磊", team=team)
    fill(view)
    inputs(view.root)["visit_date"].input.value = dt.date(2018, 10, 1)
    assert "不在评估期" in inputs(view.root)["visit_date"].message.value  # a warning …
    assert "市住建局" in inputs(view.root)["unit"].message.value  # … and a refusal
    assert view.submit() is None
    assert [o for _, o in inputs(view.root)["assessor"].input.options] == ["王磊", "李娜"]
    inputs(view.root)["unit"].input.value = "c1-09"  # not one the assignment gave him
    assert view.reason_box.layout.display is None
    assert view.submit() is None and "派员名单以外" in view.reason_message.value
    view.reason.value = "李娜生病，经组长同意代为评估"
    record = view.submit()
    assert record  # the date outside the period only warned
    (note,) = off_assignment_notes(view.store.root)[record]
    assert note.unit == "c1-09" and note.reason == "李娜生病，经组长同意代为评估"
    assert page_assessor({"assessor": "李娜"}, "王磊") == "李娜" and page_assessor({}, "王磊") == "王磊"
    assert page_assessor({}, "-") == ""


def test_field_list_groups_are_pages_and_a_failed_submit_shows_the_page_of_the_first_error(instrument, tmp_path):
    view = make(instrument, tmp_path)
    pager = view.pager
    assert [[f.name for f, _ in page] for page in pager.pages] == [
        ["unit", "assessor", "visit_date", "n_people", "calls", "people"], ["scale"], ["notes"]]
    assert "第 1 / 3 页" in pager.progress.value
    pager.forward.click()
    assert pager.current == 1 and "第 2 / 3 页" in pager.progress.value
    assert view.signals.focus_to == "top"
    pager.forward.click()
    assert view.submit() is None
    assert pager.current == 0  # the date and the call are on the first page
    likert = inputs(view.root)["q1"].input
    assert "ek-likert" in likert._dom_classes and likert.value is None


def test_a_new_page_offers_the_unfinished_draft(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "instruments", project / "instruments", ignore=shutil.ignore_patterns("frameworks"))
    opened = current_project(project)
    page = form_page(opened, {"instrument": "hotline_test", "unit": "c1-01", "assessor": "张三"})
    inputs(page.form.root)["hotline_number"].input.value = "0432-1"
    draft = page.form.draft_id
    again = form_page(opened, {"instrument": "hotline_test", "unit": "c1-01", "assessor": "张三"})
    offer = again.form.offer
    assert offer.layout.display is None
    button = next(b for b in offer.children if "继续未完成的草稿" in getattr(b, "description", ""))
    button.click()
    assert again.form.draft_id == draft and inputs(again.form.root)["hotline_number"].input.value == "0432-1"
    other = form_page(opened, {"instrument": "hotline_test", "unit": "c1-01", "assessor": "李四"})
    assert other.form.offer.layout.display == "none"


def test_bad_links_are_chinese_pages(tmp_path):
    opened = current_project(tmp_path)
    for params in ({"record": "../../etc/passwd"}, {"record": "0" * 32}, {"draft": "x"}):
        text = form_page(opened, params).children[-1].value
        assert "找不到" in text and "Error" not in text


def page_html(widget) -> str:
    """Every HTML the page shows, in order."""
    if hasattr(widget, "children"):
        return "".join(page_html(c) for c in widget.children)
    return widget.value if type(widget).__name__ == "HTML" else ""


def test_my_records_list_returned_records_first_with_their_comments(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "instruments", project / "instruments", ignore=shutil.ignore_patterns("frameworks"))
    opened = current_project(project)
    store = opened.store
    inst = opened.instruments["mystery_visit"]
    ids = [store.submit(instrument_id=inst.id, instrument_version=inst.version, instrument_sha256=inst.sha256,
                        unit=f"c1-0{n}", assessor="张三", answers={"narrative": str(n)}, started="2018-11-20T09:00:00+08:00")
           .instance_id for n in (1, 2)]
    store.review(ids[0], state="rejected", who="周组长", comment="跑动次数与录音不符，请核对")
    Drafts(project).save("a" * 32, {"instrument": "hotline_test", "assessor": "张三", "unit": "c1-03", "answers": {}})
    html = page_html(records_page(opened, {"assessor": "张三"}))
    drafts = html.index("<h4>未完成的草稿")
    assert html.index("<h4>退回或存疑") < html.index(ids[0]) < drafts < html.index(ids[1])
    assert f"ek-rec-{ids[0]} returned" in html and "修改 0 次" in html
    assert "跑动次数与录音不符，请核对" in html and f"record={ids[0]}&amp;edit=1" in html


def test_the_scoring_page_reuses_its_preheated_scores_only_while_nothing_changed(tmp_path):
    project = tmp_path / "demo"
    shutil.copytree(ROOT / "data" / "demo", project)
    opened = current_project(project)
    prepare(opened, draws=5)
    same, cached = scored(opened, draws=5)
    assert same is opened and cached is opened.page_cache
    before = fingerprint(opened)
    view = opened.store.records()[0]
    opened.store.review(view.instance_id, state="approved", who="周组长")
    assert fingerprint(opened) != before
    fresh, _ = scored(opened, draws=5)
    assert fresh is not opened


def test_the_latest_assignment_is_read_from_draws():
    assignment = latest_assignment(ROOT / "data" / "demo")
    assert assignment is not None and ("c1-12", "a01") in assignment.pairs
