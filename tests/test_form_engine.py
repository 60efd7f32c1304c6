"""A form's behaviour without widgets: the form engine (evalkit.forms.evaluate_form).

The live form shows what the engine returns for what the widgets hold (entry mode); batch
validation is the same walk of a stored record (stored mode).  The form below is read through
pyxform like any instrument.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import make_instrument, make_workbook

from evalkit.forms import FieldIssue, Mode, evaluate_form, load_instrument, validate_answers

TODAY = dt.date(2018, 11, 20)
HEAD = ["type", "name", "label::中文 (zh)", "required", "constraint", "constraint_message::中文 (zh)", "relevant",
        "calculation", "evalkit::role"]
SURVEY = [
    HEAD,
    ["text", "unit", "被评估单位", "yes", "", "", "", "", "unit"],
    ["text", "assessor", "评估员", "yes", "", "", "", "", "assessor"],
    ["select_one yn", "open", "大厅是否开放", "yes", "", "", "", "", ""],
    ["begin_group", "hall", "大厅", "", "", "", "${open} = 'yes'", "", ""],
    ["integer", "windows", "窗口数", "yes", ". > 0 and . <= 50", "窗口数应在 1 到 50 之间", "", "", ""],
    ["integer", "windows_open", "开放窗口数", "yes", ". <= ${windows}", "开放窗口不能多于窗口总数", "", "", ""],
    ["calculate", "open_share", "开放比例", "", "", "", "",
     "if(${windows} > 0, round(${windows_open} * 100 div ${windows}, 1), '')", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["text", "closed_reason", "未开放原因", "yes", "", "", "${open} = 'no'", "", ""],
    ["decimal", "reported_share", "自报开放比例", "", ". <= ${open_share}", "不能高于实际开放比例", "", "", ""],
    ["begin_repeat", "citizens", "服务对象", "", "", "", "", "", ""],
    ["integer", "trips", "跑动次数", "yes", ". >= 0 and . <= 20", "0 到 20 次", "", "", ""],
    ["text", "reason", "多次跑动原因", "yes", "", "", "${trips} > 1", "", ""],
    ["end_repeat", "", "", "", "", "", "", "", ""],
]
CHOICES = [["list_name", "name", "label::中文 (zh)"], ["yn", "yes", "是"], ["yn", "no", "否"]]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["大厅（测试用）", "hall_mini", "1", "中文 (zh)"]]
FILLED = {"unit": "c1-01", "assessor": "张三", "open": "yes", "windows": "10", "windows_open": "5",
          "reported_share": "40", "citizens": [{"trips": "1", "reason": ""}, {"trips": "3", "reason": "材料不全"}]}


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    return make_instrument(tmp_path_factory.mktemp("forms") / "hall_mini.xlsx",
                           {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})


def entry(form, **changes):
    """The engine's state for the filled form with some answers changed (as the widgets hold them)."""
    return evaluate_form(form, {**FILLED, **changes}, today=TODAY)


def stored(form, answers):
    return evaluate_form(form, answers, mode=Mode.STORED, today=TODAY)


def codes(state) -> list[tuple[str, str]]:
    return [(i.path, i.code) for i in state.issues]


def test_a_filled_form_is_stored_typed_with_its_calculation(form):
    state = entry(form)
    assert state.issues == ()
    assert state.answers == {"unit": "c1-01", "assessor": "张三", "open": "yes", "windows": 10, "windows_open": 5,
                             "open_share": 50.0, "reported_share": 40.0,
                             "citizens": [{"trips": 1}, {"trips": 3, "reason": "材料不全"}]}
    assert state.calculated == {"open_share": 50.0}
    assert state.hidden == {"closed_reason", "citizens[1].reason"}


def test_relevance_hides_a_group_with_its_fields_and_shows_a_field(form):
    state = entry(form, open="no", closed_reason="装修")
    assert {"hall", "windows", "windows_open", "open_share"} <= state.hidden
    assert "closed_reason" not in state.hidden
    assert state.answers["closed_reason"] == "装修"
    assert not {"windows", "windows_open", "open_share"} & set(state.answers)  # typed, but hidden: dropped
    assert state.calculated == {"open_share": 50.0}  # still computed (the form shows it in the hidden group)


def test_required_only_when_relevant(form):
    assert ("closed_reason", "required") not in codes(entry(form, open="yes"))
    assert ("closed_reason", "required") in codes(entry(form, open="no"))
    assert ("windows", "required") in codes(entry(form, windows=""))
    assert ("windows", "required") not in codes(entry(form, windows="", open="no", closed_reason="装修"))


def test_constraint_with_the_current_value(form):
    state = entry(form, windows="60", reported_share="")
    assert state.issues == (FieldIssue("windows", "windows", "constraint", "窗口数应在 1 到 50 之间"),)
    assert state.answers["windows"] == 60  # kept: the issue blocks the submit, not the value
    assert codes(entry(form, windows_open="12")) == [("windows_open", "constraint")]


def test_a_calculation_feeds_a_later_constraint(form):
    assert codes(entry(form, reported_share="60")) == [("reported_share", "constraint")]
    assert codes(entry(form, windows_open="8", reported_share="60")) == []  # open_share is now 80
    assert entry(form, windows_open="8").calculated["open_share"] == 80.0


def test_text_in_an_integer_field_is_a_type_issue_and_is_not_stored(form):
    state = entry(form, windows="十个")
    assert state.issues[0] == FieldIssue("windows", "windows", "type", "请输入整数（只填数字，如 12）")
    assert "windows" not in state.answers
    assert ("windows", "required") not in codes(state)  # one issue per field


def test_repeat_instances_have_their_own_paths(form):
    state = entry(form, citizens=[{"trips": "25"}, {"trips": "2"}, {"trips": "0"}])
    assert codes(state) == [("citizens[1].trips", "constraint"), ("citizens[1].reason", "required"),
                            ("citizens[2].reason", "required")]  # 25 is out of range, yet more than 1 trip
    assert {"citizens[1].reason", "citizens[2].reason", "citizens[3].reason"} & state.hidden == {"citizens[3].reason"}
    assert state.answers["citizens"] == [{"trips": 25}, {"trips": 2}, {"trips": 0}]


def test_widget_errors_count_as_type_issues_of_their_field(form):
    state = evaluate_form(form, FILLED, today=TODAY, errors={"citizens[2].reason": "照片太大"})
    assert state.issues == (FieldIssue("citizens[2].reason", "reason", "type", "照片太大"),)
    assert state.answers["citizens"][1] == {"trips": 3}


def test_values_in_hidden_fields_are_dropped_in_entry_and_reported_in_a_stored_record(form):
    typed = {"unit": "c1-01", "assessor": "张三", "open": "yes", "windows": 10, "windows_open": 5,
             "open_share": 50.0, "closed_reason": "装修"}
    state = entry(form, closed_reason="装修")
    assert "closed_reason" not in state.answers and "closed_reason" in state.hidden and state.issues == ()
    assert codes(stored(form, typed)) == [("closed_reason", "not-relevant")]
    closed = {**typed, "open": "no"}  # the whole hall group is hidden now
    assert codes(stored(form, closed)) == [
        ("windows", "not-relevant"), ("windows_open", "not-relevant")]  # calculates are not judged
    assert stored(form, closed).issues[0].message == "该字段在当前答案下不适用，却有填写内容"


def test_a_record_has_the_same_issues_in_both_modes(form):
    state = entry(form, windows="60", reported_share="200", assessor="", citizens=[{"trips": "2"}])
    assert codes(state) == [("assessor", "required"), ("windows", "constraint"), ("reported_share", "constraint"),
                            ("citizens[1].reason", "required")]
    again = stored(form, state.answers)  # the record as submitted (here: even with its issues)
    assert again.issues == state.issues
    assert again.answers == state.answers and again.hidden == state.hidden
    assert validate_answers(form, state.answers, today=TODAY) == list(state.issues)


def test_a_stored_record_keeps_its_calculated_values_and_names_unknown_fields(form):
    record = {**entry(form).answers, "open_share": 10.0, "extra": "x", "citizens": "两位"}
    state = stored(form, record)
    assert codes(state) == [("extra", "unknown-field"), ("reported_share", "constraint"), ("citizens", "type")]
    assert state.calculated == {"open_share": 10.0}  # as stored, not recomputed (50.0)
    assert codes(entry(form, extra="x")) == []  # what no widget holds is simply not part of the record


def test_a_stored_record_lists_type_issues_of_a_level_first(form):
    record = {**entry(form).answers, "unit": "", "windows_open": "五", "extra": 1}
    assert codes(stored(form, record)) == [("windows_open", "type"), ("extra", "unknown-field"), ("unit", "required")]


def test_a_number_in_a_stored_select_multiple_is_an_issue_not_a_crash(tmp_path):
    survey = [HEAD, ["text", "unit", "单位", "", "", "", "", "", "unit"],
              ["text", "assessor", "评估员", "", "", "", "", "", "assessor"],
              ["select_multiple yn", "both", "两项", "", "", "", "", "", ""]]
    instrument, problems = load_instrument(make_workbook(tmp_path / "m.xlsx", {
        "survey": survey, "choices": CHOICES, "settings": SETTINGS}))
    assert instrument is not None, problems
    assert [(i.path, i.code, i.message) for i in validate_answers(instrument, {"both": 5})] == [
        ("both", "choice", "选项「5」不在可选列表中")]
    assert validate_answers(instrument, {"both": ("yes",)}) == []


def test_the_state_is_frozen_and_the_facts_are_kept_on_the_instrument(form):
    state = entry(form)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.issues = ()  # type: ignore[misc]
    assert form.level is form.level and form.choice_names == {"yn": frozenset({"yes", "no"})}
    citizens = next(s.field for s in form.level.steps if s.name == "citizens")
    assert citizens.level is citizens.level and citizens.level.names == {"trips", "reason"}
    assert [s.name for s in form.level.steps if s.groups] == ["windows", "windows_open", "open_share"]
