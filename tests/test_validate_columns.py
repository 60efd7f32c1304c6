"""Validation on columns (evalkit.forms.validate_many) gives exactly the issues of the row engine.

``validate_many`` checks all the records of one instrument together — each answer column typed once
per distinct value, each expression evaluated once per distinct combination of what it reads, repeat
instances as the rows of a child level — and must give each record the very list
``validate_answers`` gives it: same issues, same order, same paths and messages.  Pinned here on a
hand-made form that raises every kind of issue, on the demo project, on a generated province
subset (through ``check_records`` against the old record-by-record loop, kept below as the
reference) and on seeded random answers.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest
from conftest import make_instrument

from evalkit.forms import validate_answers, validate_many
from evalkit.pipeline import generate
from evalkit.problems import problem
from evalkit.project import open_project
from evalkit.store import check_records
from evalkit.store.checks import _record_day
from evalkit.store.problems import ANSWER_INVALID, INSTRUMENT_CHANGED, INSTRUMENT_UNKNOWN, UNIT_UNKNOWN

ROOT = Path(__file__).resolve().parents[1]
HEAD = ["type", "name", "label::中文 (zh)", "required", "required_message::中文 (zh)", "constraint",
        "constraint_message::中文 (zh)", "relevant", "calculation", "evalkit::role"]
ROLES = {"unit": "unit", "assessor": "assessor"}
SURVEY = [
    HEAD,
    ["text", "unit", "被评估单位", "yes", "请填写被评估单位", "", "", "", ""],
    ["text", "assessor", "评估员", "yes", "", "", "", "", ""],
    ["date", "visit_date", "评估日期", "yes", "", ". <= today()", "评估日期不能晚于今天", "", ""],
    ["time", "arrival", "到达时间", "", "", "", "", "", ""],
    ["select_one yn", "open", "大厅是否开放", "yes", "", "", "", "", ""],
    ["begin_group", "hall", "大厅", "", "", "", "", "${open} = 'yes'", ""],
    ["integer", "windows", "窗口数", "yes", "", ". > 0 and . <= 50", "窗口数应在 1 到 50 之间", "", ""],
    ["begin_group", "inner", "窗口细项", "", "", "", "", "${windows} > 2", ""],
    ["integer", "windows_open", "开放窗口数", "yes", "", ". <= ${windows}", "开放窗口不能多于窗口总数", "", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["calculate", "open_share", "开放比例", "", "", "", "", "",
     "if(${windows} > 0, round(${windows_open} * 100 div ${windows}, 1), '')"],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["text", "closed_reason", "未开放原因", "yes", "", "", "", "${open} = 'no'", ""],
    ["decimal", "reported_share", "自报开放比例", "", "", ". >= 0 and . <= 100", "0 到 100", "", ""],
    ["select_multiple ch", "channels", "办理渠道", "yes", "请至少选一个渠道",
     "not(selected(., 'none') and count-selected(.) > 1)", "选了「无」就不能再选别的", "", ""],
    ["text", "channel_other", "其他渠道", "yes", "", "", "", "selected(${channels}, 'other')", ""],
    ["text", "phone", "电话", "", "", "regex(., '^1[3-9][0-9]{9}$')", "请填写 11 位手机号", "", ""],
    ["note", "note_1", "以下为服务对象", "", "", "", "", "", ""],
    ["begin_repeat", "citizens", "服务对象", "", "", "", "", "${open} != 'closed'", ""],
    ["integer", "trips", "跑动次数", "yes", "", ". >= 0 and . <= 20", "0 到 20 次", "", ""],
    ["text", "reason", "多次跑动原因", "yes", "请说明原因", "string-length(.) >= 4", "原因至少 4 个字", "${trips} > 1", ""],
    ["date", "done_on", "办结日期", "", "", ". <= today() and . >= ${visit_date}", "办结日期不合理", "", ""],
    ["begin_repeat", "trips_detail", "跑动明细", "", "", "", "", "${trips} > 0", ""],
    ["select_one yn", "same_window", "是否同一窗口", "yes", "", "", "", "", ""],
    ["integer", "wait", "等候分钟", "", "", ". <= ${windows} * 60", "等候过长", "${same_window} = 'no'", ""],
    ["end_repeat", "", "", "", "", "", "", "", ""],
    ["end_repeat", "", "", "", "", "", "", "", ""],
]
SURVEY = [HEAD] + [[*row, ROLES.get(row[1], "")] for row in SURVEY[1:]]
CHOICES = [["list_name", "name", "label::中文 (zh)"], ["yn", "yes", "是"], ["yn", "no", "否"],
           ["ch", "window", "窗口"], ["ch", "online", "网上"], ["ch", "other", "其他"], ["ch", "none", "无"]]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["大厅（列校验）", "hall_columns", "1", "中文 (zh)"]]

GOOD = {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20", "arrival": "09:30", "open": "yes", "windows": 10,
        "windows_open": 5, "open_share": 50.0, "reported_share": 50, "channels": ["window", "online"],
        "phone": "13912345678",
        "citizens": [{"trips": 1, "trips_detail": [{"same_window": "yes"}]},
                     {"trips": 3, "reason": "材料不全一次", "done_on": "2018-11-19",
                      "trips_detail": [{"same_window": "no", "wait": 20}, {"same_window": "yes"}]}]}
RECORDS = [
    GOOD,
    {**GOOD, "windows": "十", "reported_share": "很多", "arrival": "9点半", "visit_date": "2018/11/20"},  # types
    {**GOOD, "surprise": "x", "also_unknown": None, "unit": None},  # unknown fields (one null), required
    {**GOOD, "open": "no", "closed_reason": "装修"},  # the hall group hidden: its answers are not relevant
    {**GOOD, "windows": 2, "closed_reason": "不该填"},  # the inner group hidden, a hidden field given
    {**GOOD, "open": "maybe", "windows": 60, "windows_open": 70},  # choice, constraints, ${} in a constraint
    {**GOOD, "channels": ["none", "window"], "phone": "12345"},  # select_multiple constraint, regex
    {**GOOD, "channels": "other bogus", "channel_other": ""},  # choice in a multiple, relevant and required
    {**GOOD, "visit_date": "2030-01-01"},  # today() is the record's day
    {**GOOD, "citizens": [{"trips": 2, "reason": "短", "extra": 1, "done_on": "2017-01-01",
                           "trips_detail": [{"same_window": "no", "wait": 999}, {"bogus": None}]},
                          {"trips": 0, "reason": "不该填", "trips_detail": [{"same_window": "yes"}]},
                          {"trips": "x"}]},  # nested repeats: types, constraints, hidden, unknown
    {**GOOD, "citizens": "三个人"},  # a repeat that is not a list
    {**GOOD, "citizens": [{"trips": 1}, "not a dict"]},
    {**GOOD, "open": "closed", "citizens": [{"trips": 1}]},  # a repeat that is not relevant
    {**GOOD, "citizens": [], "channels": [], "phone": ""},  # empty values
    {**GOOD, "windows": True, "windows_open": 1.0, "reported_share": -0.0, "open_share": "x"},
    {**GOOD, "windows": 3.5, "reported_share": float("nan"), "channels": ("window",), "unit": 12},
    {},
]
DAYS = [dt.date(2018, 11, 20)] * (len(RECORDS) - 2) + [None, dt.date(2018, 11, 21)]


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    return make_instrument(tmp_path_factory.mktemp("forms") / "hall_columns.xlsx",
                           {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})


def rows(instrument, answers, days):
    return [validate_answers(instrument, a, today=d) for a, d in zip(answers, days)]


def test_every_kind_of_issue_comes_out_as_the_row_engine_gives_it(form):
    expected = rows(form, RECORDS, DAYS)
    assert validate_many(form, RECORDS, DAYS) == expected
    codes = {issue.code for found in expected for issue in found}
    assert codes == {"type", "unknown-field", "required", "choice", "constraint", "not-relevant"}
    paths = {issue.path for found in expected for issue in found}
    assert {"surprise", "also_unknown", "citizens[1].extra", "citizens[1].trips_detail[2].bogus",
            "citizens[1].trips_detail[1].wait", "citizens[2].reason", "citizens[3].trips", "citizens",
            "windows_open", "closed_reason", "channel_other"} <= paths
    messages = {issue.message for found in expected for issue in found}
    assert {"请填写被评估单位", "原因至少 4 个字", "评估日期不能晚于今天", "请填写 11 位手机号"} <= messages


def test_issues_keep_their_record_when_records_repeat_and_interleave(form):
    answers = RECORDS * 3
    days = DAYS * 3
    random.Random(19).shuffle(order := list(range(len(answers))))
    answers, days = [answers[i] for i in order], [days[i] for i in order]
    assert validate_many(form, answers, days) == rows(form, answers, days)


def test_records_that_are_not_dicts_take_the_row_engine(form):
    class Answers(dict):
        pass

    answers = [GOOD, Answers(RECORDS[1]), RECORDS[2]]
    assert validate_many(form, answers, [None] * 3) == rows(form, answers, [None] * 3)


def test_an_expression_the_evaluator_refuses_is_raised_as_the_row_engine_raises_it(form):
    broken = form.level.steps[1].field
    bad = dataclasses.replace(form, fields=(dataclasses.replace(broken, constraint="foo(.)"), *form.fields[1:]))
    with pytest.raises(Exception) as row_error:
        rows(bad, [GOOD], [None])
    with pytest.raises(type(row_error.value)):
        validate_many(bad, [GOOD], [None])


# --- seeded random answers -------------------------------------------------------------------

ODD = [None, "", " ", 0, 1, -1, 0.0, -0.0, 1.0, 2.5, float("nan"), float("inf"), True, False, "0", "1", "2", "3",
       "10", "-3", "1e3", " 7 ", "yes", "no", "maybe", "other", "none", "window online", "window none",
       ["window"], ["none", "online"], ["other"], [], [1, 2], ("window",), {"a": 1}, "2018-11-19", "2030-01-01",
       "2018-02-30", dt.date(2018, 1, 1), "09:30", "25:00", "13912345678", "短", "足够长的原因", 10**20,
       {"window": True}, [{"a": 1}], ["window", {"x": 1}], [["window"]]]   # stored by hand or another tool


def mutate(rng: random.Random, answers: dict, names: list[str], depth: int = 0) -> dict:
    out = dict(answers)
    for _ in range(rng.randint(0, 5)):
        action = rng.random()
        name = rng.choice(names)
        if action < 0.6:
            out[name] = rng.choice(ODD)
        elif action < 0.75:
            out.pop(name, None)
        elif action < 0.85:
            out[rng.choice(["x", "extra", "citizens_x"])] = rng.choice(ODD)
        elif depth == 0:
            out["citizens"] = rng.choice([None, "", [], [{}], "x", [1], [{"trips": rng.choice(ODD)}] * rng.randint(1, 3),
                                          [mutate(rng, c, ["trips", "reason", "done_on", "trips_detail"], 1)
                                           for c in GOOD["citizens"]]])
    return out


def test_random_answers_give_the_row_engine_issues(form):
    rng = random.Random(20181120)
    names = [s.name for s in form.level.steps if s.kind != "group"]
    answers = [mutate(rng, copy.deepcopy(rng.choice(RECORDS[:-1])), names) for _ in range(1500)]
    days = [rng.choice([None, dt.date(2018, 11, 20), dt.date(2018, 1, 1)]) for _ in answers]
    expected = rows(form, answers, days)
    assert validate_many(form, answers, days) == expected
    assert sum(map(len, expected)) > 1500  # the answers are wrong in many ways


# Columns of one plain type each (as a generated or well-kept project has them): the paths that key floats
# by themselves, lists of codes without a call per row, empties of int columns by None and text
# constraints tested in one pass over the distinct answers.
PLAIN = {
    "open": ["yes", "no", None, ""],
    "windows": [None, 0, 1, 2, 3, 10, 60, 10**20],
    "windows_open": [None, 0, 1, 5, 11, -1],
    "reported_share": [None, 0.5, 2.5, 50.0, 100.0, 150.5, -1.0, float("nan"), float("inf")],
    "channels": [None, [], ["window"], ["none", "online"], ["other"], ["window", "online"], ["none"], ["bogus"]],
    "phone": [None, "", "13912345678", "1391234567", "短", "23912345678"],
    "closed_reason": [None, "", "装修", "停电"],
}
CITIZEN = {"trips": [None, 0, 1, 2, 3, 25], "reason": [None, "", "短", "材料不全一次", "足够长的原因"]}


@pytest.mark.parametrize(("seed", "zeros"), [(1, False), (2, True), (3, False)])
def test_plain_typed_columns_give_the_row_engine_issues(form, seed, zeros):
    rng = random.Random(seed)
    plain = {**PLAIN, "reported_share": PLAIN["reported_share"] + ([0.0, -0.0] if zeros else [])}
    answers = []
    for _ in range(600):
        out = {**copy.deepcopy(GOOD), **{name: copy.deepcopy(rng.choice(pool)) for name, pool in plain.items()}}
        out["citizens"] = [{**copy.deepcopy(rng.choice(GOOD["citizens"])),
                            **{name: rng.choice(pool) for name, pool in CITIZEN.items()}}
                           for _ in range(rng.randint(0, 3))]
        answers.append({k: v for k, v in out.items() if v is not None or rng.random() < 0.5})
    days = [rng.choice([None, dt.date(2018, 11, 20), dt.date(2018, 1, 1)]) for _ in answers]
    expected = rows(form, answers, days)
    assert validate_many(form, answers, days) == expected
    assert sum(map(len, expected)) > 600


# --- the demo and a generated province subset, through check_records ------------------------

def reference_check_records(records, raw, instruments, units=None):
    """check_records as it was before validation on columns: one record at a time."""
    problems = []
    for view in sorted(records, key=lambda v: (v.submitted, v.instance_id)):
        if view.deleted:
            continue
        where = {"record": view.instance_id, "file": str(Path(raw) / view.instance_id)}
        if units is not None and units.get(view.unit) is None:
            problems.append(problem(UNIT_UNKNOWN, unit=view.unit, **where))
        inst = instruments.get(view.instrument_id)
        if inst is None:
            problems.append(problem(INSTRUMENT_UNKNOWN, instrument=view.instrument_id, **where))
            continue
        if view.instrument_version != inst.version and view.instrument_sha256 != inst.sha256:
            problems.append(problem(INSTRUMENT_CHANGED, instrument=inst.id, version=view.instrument_version,
                                    current=inst.version, **where))
        for issue in validate_answers(inst, view.answers, today=_record_day(view)):
            problems.append(problem(ANSWER_INVALID, instrument=inst.id, unit=view.unit, assessor=view.assessor,
                                    detail=issue.message, **{**where, "field": issue.path}))
    return problems


def same_problems(project):
    raw = project.root / "raw"
    found = check_records(project.records, raw, project.instruments, project.units)
    assert found == reference_check_records(project.records, raw, project.instruments, project.units)
    return found


def test_the_demo_records_give_the_same_problems():
    project = open_project(ROOT / "data" / "demo")
    assert len(project.records) > 500
    same_problems(project)


def test_demo_records_with_random_damage_give_the_row_engine_issues():
    project = open_project(ROOT / "data" / "demo")
    rng = random.Random(7)
    for instrument_id, instrument in sorted(project.instruments.items()):
        views = [v for v in project.records if v.instrument_id == instrument_id and not v.deleted]
        names = [s.name for s in instrument.level.steps if s.kind != "group"]
        answers = [mutate(rng, v.answers, names) if rng.random() < 0.5 else v.answers for v in views]
        days = [_record_day(v) for v in views]
        assert validate_many(instrument, answers, days) == rows(instrument, answers, days), instrument_id


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province") / "prov"
    generate(root, units=12, records=1500, fast=True)
    return open_project(root)


def test_a_generated_province_subset_gives_the_same_problems(province):
    assert len(province.records) >= 1500
    same_problems(province)


def test_odd_record_ids_units_and_instruments_name_the_same_files(form):
    """Ids that Path does not join as they are, units not in the roster, an unknown instrument, a changed one,
    a deleted record: the same problems as the old loop."""
    project = open_project(ROOT / "data" / "demo")
    base = next(v for v in project.records if v.instrument_id == "hotline_test" and not v.deleted)
    odd = [("..", base.unit, base.instrument_id), ("a/b", "no-such-unit", base.instrument_id),
           (".hidden", base.unit, "no_such_form"), ("x.", "no-such-unit", base.instrument_id),
           ("/abs", base.unit, base.instrument_id), ("", base.unit, base.instrument_id)]
    views = [dataclasses.replace(base, instance_id=name, unit=unit, instrument_id=inst, submitted=f"2018-11-2{n}")
             for n, (name, unit, inst) in enumerate(odd)]
    views += [dataclasses.replace(base, instance_id="changed", instrument_version="0", instrument_sha256="0"),
              dataclasses.replace(base, instance_id="gone", deleted=True, answers={"x": 1}),
              *project.records[:50]]
    for raw in (project.root / "raw", Path("."), Path("/")):
        assert (check_records(views, raw, project.instruments, project.units)
                == reference_check_records(views, raw, project.instruments, project.units))
