"""Batch validation of raw records: by record id and field, damaged files named, never stopping."""

from __future__ import annotations

import pytest

from evalkit.forms import load_instrument
from evalkit.problems import Report
from evalkit.project import init_project, validate_path
from evalkit.store import Store

STARTED = "2018-11-20T09:00:00+08:00"
ENDED = "2018-11-20T09:30:00+08:00"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("p") / "eval"
    init_project(root, "province-2018")
    return root


def submit(root, answers, unit="c1-01", instrument="hotline_test"):
    inst, _ = load_instrument(root / "instruments" / f"{instrument}.xlsx")
    rev = Store(root).submit(instrument_id=inst.id, instrument_version=inst.version, instrument_sha256=inst.sha256,
                             unit=unit, assessor="张三", answers=answers, started=STARTED, ended=ENDED)
    return rev.instance_id


def raw_problems(root):
    return validate_path(root)[str(root / "raw")]


def test_valid_and_invalid_records(project):
    bad = submit(project, {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20", "calls": [
        {"calls_made": "三", "connected": 1}]}, unit="c1-01")
    found = Report(raw_problems(project)).flatten(["code", "record", "field"])
    mine = [f for f in found if f[1] == bad]
    assert ["record-answer-invalid", bad, "calls[1].calls_made"] in mine
    # required top-level fields that were left out are named too
    assert any(f[2] and not f[2].startswith("calls") for f in mine)


def test_unknown_unit_and_unknown_instrument(project):
    rec = submit(project, {"unit": "zz-99", "assessor": "张三"}, unit="zz-99")
    found = Report(raw_problems(project)).flatten(["code", "record"])
    assert ["record-unit-unknown", rec] in found
    store = Store(project)
    other = store.submit(instrument_id="no_such_form", instrument_version="1", instrument_sha256="0" * 64,
                         unit="c1-01", assessor="张三", answers={}, started=STARTED).instance_id
    assert ["record-instrument-unknown", other] in Report(raw_problems(project)).flatten(["code", "record"])


def test_damaged_file_is_named_and_others_still_checked(project):
    good = submit(project, {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20"})
    torn = project / "raw" / ("f" * 32)
    torn.mkdir()
    (torn / ("e" * 64 + ".json")).write_text('{"schema": "evalkit.record/2", "answ', encoding="utf-8")
    problems = raw_problems(project)
    assert any(p.code == "record-damaged" and str(torn) in (p.file or "") for p in problems)
    assert any(p.record == good for p in problems)  # the good record was still checked (it lacks fields)


def test_today_constraint_uses_the_day_the_record_was_finished(project):
    rec = submit(project, {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-21"})
    found = Report(raw_problems(project)).flatten(["code", "record", "field"])
    assert ["record-answer-invalid", rec, "visit_date"] in found  # a day after it was ended
