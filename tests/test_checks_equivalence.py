"""The cross-record checks made faster at province scale (issue 19) give exactly the problems they gave before.

A service user counted twice is first looked for unit by unit all at once (the case ids and phones read as
columns); duplicates put in order only the records whose fingerprint another shares; logic reads each date's text
once and passes plainly consistent calls; agreement reads and admits only the records of rated instruments.  Here
the code as it was is kept as the reference and run on office-style inputs: phone numbers written with spaces,
dashes, +86, full-width digits, as numbers; case ids and names with spaces; the same citizen under two units; blanks
of every kind; rows and answers of the wrong type; records with the same submission time and id; dates in every
form a clerk or a converter writes them.  Problems must be equal — code, wording, order, fields.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import random
from pathlib import Path

import pytest
from test_scoring_equivalence import _agreement, _duplicates

import evalkit.checks.consistency as consistency
from evalkit.checks import check_consistency
from evalkit.checks.answers import answer_rows, finite_number, scalar
from evalkit.forms import iter_fields
from evalkit.pipeline import generate
from evalkit.problems import problem
from evalkit.project import evaluate, open_project, project_checks
from evalkit.store import SUBMISSION_ORDER

ROOT = Path(__file__).resolve().parent.parent


# ---- the checks as they were before this change ---------------------------------------------------------------

def _service_users_twice(records):
    by_unit = {}
    for at, v in enumerate(sorted((v for v in records if not v.deleted and v.instrument_id == "service_user_check"),
                                  key=SUBMISSION_ORDER)):
        by_unit.setdefault(v.unit, []).append((at, v))
    found = [hit for unit_records in by_unit.values() for hit in _users_twice(unit_records)]
    found.sort(key=lambda hit: hit[0])
    return [p for _, p in found]


def _users_twice(unit_records):
    seen = {"case_id": {}, "callback_phone": {}}
    found = []
    for at, v in unit_records:
        record = v.instance_id
        for i, row in answer_rows(v.answers, "citizens"):
            for name, what in (("case_id", "办件编号"), ("callback_phone", "回访手机号码")):
                value = scalar(row.get(name))
                if value is None:
                    continue
                first = seen[name].setdefault(value, (record, i))
                if first[0] != record or first[1] != i:
                    found.append((at, problem(consistency.USER_TWICE, unit=v.unit, what=what, value=value, record=record,
                                              other=first[0], field=f"citizens[{i}].{name}")))
    return found


def _logic(records, instruments, unit_ids=None, period=None, assessors=None):
    found = []
    dates = {}
    for v in (v for v in records if not v.deleted):
        where = {"record": v.instance_id}
        if unit_ids is not None and v.unit not in unit_ids:
            found.append(problem(consistency.UNIT_UNKNOWN, unit=v.unit, **where))
        if assessors is not None and v.assessor not in assessors:
            found.append(problem(consistency.ASSESSOR_UNKNOWN, value=v.assessor, **where))
        if v.instrument_id == "hotline_test":
            for i, row in answer_rows(v.answers, "calls"):
                made, connected = row.get("calls_made"), row.get("calls_connected")
                if finite_number(made) is not None and finite_number(connected) is not None and connected > made:
                    found.append(problem(consistency.CONNECTED_EXCEEDS, call=i, value=connected, made=made,
                                         field=f"calls[{i}].calls_connected", **where))
        if period and v.instrument_id in instruments:
            if v.instrument_id not in dates:
                dates[v.instrument_id] = [(path, f) for path, f in iter_fields(instruments[v.instrument_id])
                                          if f.type == "date"]
            found += _dates(v, dates[v.instrument_id], period)
    return found


def _dates(view, fields, period):
    start, end = period
    found = []
    for path, f in fields:
        repeat = path[-1] if path and isinstance(view.answers.get(path[-1]), list) else None
        for i, row in answer_rows(view.answers, repeat):
            try:
                day = dt.date.fromisoformat(str(row.get(f.name) or ""))
            except ValueError:
                continue
            if not start <= day <= end:
                name = f"{repeat}[{i}].{f.name}" if repeat else f.name
                found.append(problem(consistency.DATE_OUTSIDE, record=view.instance_id, field=name,
                                     value=day.isoformat(), start=start.isoformat(), end=end.isoformat()))
    return found


class _Everything:
    def __contains__(self, item):
        return True


@contextlib.contextmanager
def as_before():
    """The checks as they were patched in (agreement given every admitted record, as ``_checks`` gave it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(consistency, "service_users_twice", _service_users_twice)
        mp.setattr(consistency, "duplicates", _duplicates)
        mp.setattr(consistency, "agreement", _agreement)
        mp.setattr(consistency, "logic", _logic)
        mp.setattr(consistency, "rated_instruments", lambda instruments: _Everything())
        yield


# ---- office-style inputs ---------------------------------------------------------------------------------------

PHONES = ("13800138000", " 13800138000 ", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000",
          "１３８００１３８０００", "13800138000\u3000", 13800138000, 13800138000.0, "13912345678", 13912345678,
          "", "   ", None, True, False, 0, ["13800138000"], {"手机": "13800138000"}, math.nan, math.inf, "无", "不详")
CASE_IDS = ("C1-20-X00001", " C1-20-X00001", "C1-20-X00001 ", "C1-20 -X00001", "c1-20-x00001", "C1-20-X00002",
            "（２０１８）第１号", "(2018)第1号", 1, 1.0, "1", "", None, "\t")
NAMES = ("张三", "张 三", " 张三", "张三 ", "张\u3000三")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """A generated province subset: 8 units, 1,200 records."""
    root = tmp_path_factory.mktemp("checks-equivalence") / "province"
    generate(root, units=8, records=1200, fast=True)
    return root


def _citizen(rng, base: dict, k: int, crowded: bool) -> object:
    """A row as offices type them: from a small pool of numbers written every which way (``crowded``), or each its
    own; now and then a blank, a missing answer, a name with a space, or no row at all."""
    if rng.random() < 0.03:
        return rng.choice([None, "见附件", ["13800138000"], 7])
    row = dict(base)
    row["case_id"] = rng.choice(CASE_IDS) if crowded else f"C-{k:06d}"
    row["callback_phone"] = rng.choice(PHONES) if crowded else f"139{k:08d}"
    row["item_name"] = rng.choice(NAMES)
    for name in ("case_id", "callback_phone"):
        if rng.random() < 0.05:
            del row[name]
    return row


def _users(views: list, seed: int = 5) -> list:
    """Service-user checks filled in by hand in every unit: crowded units (the same citizens again, written
    differently, in the same record and in later ones), units where every answer is its own (some as numbers or
    blank), the same citizen under two units, records with the same submission time (and one with the same id),
    deleted copies, a repeat that is not a list."""
    rng = random.Random(seed)
    users = [v for v in views if v.instrument_id == "service_user_check" and isinstance(v.answers.get("citizens"), list)]
    base = next(r for v in users for r in v.answers["citizens"] if isinstance(r, dict))
    units = sorted({v.unit for v in views})
    out, k = list(views), 0
    for n in range(400):
        unit = units[n % len(units)]
        crowded = n % len(units) < len(units) // 2
        rows = []
        for _ in range(rng.randint(0, 4)):
            k += 1
            rows.append(_citizen(rng, base, k, crowded))
        if not crowded and rows and rng.random() < 0.3 and isinstance(rows[0], dict):
            rows[0]["callback_phone"] = rng.choice([13950000000 + k, None, "", f" 1396{k:07d} "])   # another number
        answers = {"unit": unit, "assessor": "张三", "visit_date": "2018-11-20", "check_mode": "in_hall",
                   "citizens": rows if rng.random() > 0.02 else "见纸质登记表"}
        submitted = f"2018-11-{rng.randint(5, 28):02d}T{rng.randint(8, 17):02d}:00:00+08:00"
        source = users[n % len(users)]
        out.append(dataclasses.replace(source, instance_id=f"office-{n:03d}", unit=unit, answers=answers,
                                       submitted=submitted, deleted=n % 37 == 5))
    again = out[-1]
    out.append(dataclasses.replace(again, unit=units[0]))   # the same id, the same time, in another unit
    out.append(dataclasses.replace(again, instance_id="office-tie", unit=units[1]))
    return out


# ---- the checks against their reference --------------------------------------------------------------------------

def test_service_users_counted_twice_as_before(province):
    views = _users(open_project(province).records)
    old = _service_users_twice(views)
    assert consistency.service_users_twice(views) == old
    assert consistency.service_users_twice(list(reversed(views))) == _service_users_twice(list(reversed(views)))
    assert len(old) > 100 and len({p.record for p in old}) > 50
    assert {p.field.split(".")[-1] for p in old} == {"case_id", "callback_phone"}


def test_a_phone_written_differently(tmp_path, province):
    """A phone with spaces around it, or given as a number, is the same phone; spaced inside, dashed, with +86 or in
    full-width digits it is another text (as before: the checks do not read phone numbers as numbers), and under
    another unit it is another unit's citizen."""
    source = next(v for v in open_project(province).records if v.instrument_id == "service_user_check")
    written = ["13800138000", " 13800138000 ", 13800138000, "138-0013-8000", "138 0013 8000", "+86 13800138000",
               "１３８００１３８０００", ""]
    views = [dataclasses.replace(source, instance_id=f"r{k}", submitted=f"2018-11-20T09:{k:02d}:00+08:00",
                                 answers={"citizens": [{"callback_phone": phone, "case_id": f"C-{k}"}]})
             for k, phone in enumerate(written)]
    views.append(dataclasses.replace(views[0], instance_id="elsewhere", unit="另一单位"))
    views.append(dataclasses.replace(views[-1], instance_id="blank", answers={"citizens": [{"callback_phone": "  "}]}))
    found = consistency.service_users_twice(views)
    assert found == _service_users_twice(views)
    assert [(p.record, p.field) for p in found] == [("r1", "citizens[1].callback_phone"),
                                                   ("r2", "citizens[1].callback_phone")]


def test_a_unit_whose_answers_are_all_different_reports_nothing(province):
    """Units where every case id and phone is its own (some as numbers, some blank or missing) report nothing,
    whether they are read as the store gives them or answer by answer; each crowded unit reports."""
    views = _users(open_project(province).records)
    units = sorted({v.unit for v in views})
    calm = set(units[len(units) // 2:])
    found = consistency.service_users_twice(views)
    where = {p.record for p in found}
    unit_of = {v.instance_id: v.unit for v in views}
    assert not {unit_of[r] for r in where} & calm
    assert set(units[:len(units) // 2]) <= {unit_of[r] for r in where}


def test_logic_as_before(province):
    """Dates written every way (basic ISO, week dates, slashes, with a space, as numbers, in a repeat or a repeat
    that is not a list), calls of every type and size, unknown units and assessors."""
    project = open_project(province)
    rng = random.Random(23)
    dates = ("2018-11-05", "2018-11-04", "2018-12-14", "2018-12-15", "20181203", "20190101", "2018-W47-1",
             "2018/11/20", " 2018-11-20", "2018-11-20 ", "", None, 20181120, 20190101, ["2018-11-20"], "2018-13-01",
             "2018-11-20T09:00:00")
    numbers = (0, 1, 2, 3, 5, 2.0, 3.0, -1, True, False, "3", None, math.nan, math.inf, -math.inf, 10**400, 1e308)
    views = []
    for k, v in enumerate(project.records):
        answers = dict(v.answers) if isinstance(v.answers, dict) else v.answers
        if isinstance(answers, dict):
            for name, value in list(answers.items()):
                if name.endswith("date") or rng.random() < 0.02:
                    answers[name] = rng.choice(dates) if not isinstance(value, list) or rng.random() < 0.1 else value
                if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
                    answers[name] = [{**r, **{f: rng.choice(dates) for f in r if f.startswith("period")},
                                      **{f: rng.choice(numbers) for f in r if f.startswith("calls_")}} for r in value]
        unit = v.unit if k % 53 else "不在名单的单位"
        assessor = v.assessor if k % 41 else "临时评估员"
        views.append(dataclasses.replace(v, answers=answers, unit=unit, assessor=assessor, deleted=v.deleted or k % 29 == 0))
    args = (project.instruments, {u.id for u in project.units.units}, project.config.period, project.known_assessors)
    old = _logic(views, *args)
    assert consistency.logic(views, *args) == old
    assert consistency.logic(views, project.instruments) == _logic(views, project.instruments)
    codes = {p.code for p in old}
    assert {consistency.DATE_OUTSIDE, consistency.CONNECTED_EXCEEDS, consistency.UNIT_UNKNOWN,
            consistency.ASSESSOR_UNKNOWN} <= codes, codes
    assert sum(p.code == consistency.DATE_OUTSIDE for p in old) > 50


@pytest.mark.parametrize("include_received", [False, True])
def test_every_check_of_office_records_as_before(province, include_received):
    project = open_project(province)
    views = _users(project.records)
    views += [dataclasses.replace(v, instance_id=f"copy-{v.instance_id}") for v in views[::50]]
    evaluation, _ = evaluate(project, include_received=include_received)

    def run():
        return check_consistency(views, project.instruments, evaluation=evaluation, include_received=include_received,
                                 unit_ids={u.id for u in project.units.units}, period=project.config.period,
                                 assessors=project.known_assessors)

    new = run()
    with as_before():
        old = run()
    assert new == old
    assert {"record-duplicate", "service-user-twice"} <= {p.code for p in old}


@pytest.mark.parametrize("which", ["demo", "province"])
def test_project_checks_as_before(which, province):
    project = open_project(ROOT / "data" / "demo" if which == "demo" else province)
    evaluation, _ = evaluate(project)
    new = project_checks(project, evaluation)
    with as_before():
        old = project_checks(project, evaluation)
    assert new == old
