"""Stored answers of the wrong type never crash scoring or the cross-record checks.

A record written by hand or by another tool may hold anything JSON can: a list in a rating field, a
text where a repeat's rows should be, ``null`` among the rows, a text in a number field.  Validation
names such a record (``record-answer-invalid``); rater agreement, the service user counted twice, the
other checks and scoring leave the odd value or row out (found crashing on 2026-12-05: agreement raised
TypeError on a list rating, the service-user check AttributeError on a ``citizens`` that was a text),
and everything else comes out as it would without the record.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import make_workbook
from scoring_helpers import Records, shipped_instruments

from evalkit.checks import check_consistency
from evalkit.cli.main import main
from evalkit.forms import base_type, validate_answers
from evalkit.project import evaluate, init_project, open_project, project_checks
from evalkit.store import Store, check_records

STARTED = "2018-11-20T09:00:00+08:00"
KEPT = ("service_user_check", "document_review", "expert_review", "hotline_test")
INDICATORS = ("1.1.1", "1.2.1")
LEVELS = ("full", "basic", "partial", "none")


@pytest.fixture(scope="module")
def instruments():
    return shipped_instruments()


def citizen(trips: int, **extra) -> dict:
    return {"user_type": "person", "item_name": "营业执照", "case_kind": "instant", "trips": trips, **extra}


def new_project(root: Path, kept: tuple[str, ...] | None = KEPT) -> None:
    """A province-2018 project with four units and only the ``kept`` instruments (each takes pyxform ~0.1 s)."""
    init_project(root, "province-2018")
    for path in (root / "instruments").glob("*.xlsx"):
        if kept is not None and path.stem not in kept:
            path.unlink()
    make_workbook(root / "units.xlsx", {
        "单位": [["编号", "名称", "类别", "类型", "上级地区"],
               ["d1", "市编办", "1", "部门", ""], ["d2", "市发改委", "1", "部门", ""],
               ["r0", "吉林市", "2", "地区", ""], ["r1", "永吉县", "2", "地区", "r0"]],
        "类别": [["编号", "名称", "绩效权重", "仅通报", "说明"], ["1", "第一类", 1, "否", ""], ["2", "第二类", 0.7, "否", ""]]})
    config = root / "evalkit.toml"
    text = re.sub(r'as_of = "[^"]*"', 'as_of = "2018-12-31"', config.read_text(encoding="utf-8"))
    config.write_text(text + "\n[scoring]\ndraws = 5\nseed = 7\n", encoding="utf-8")


def submit(root: Path, instruments: dict, instrument: str, unit: str, answers: object, *, assessor: str,
           iid: str | None = None) -> str:
    """A record written through the store as it is (approved), with a chosen id when given."""
    inst = instruments[instrument]
    store = Store(root)
    full = {"unit": unit, "assessor": assessor, **answers} if isinstance(answers, dict) else answers
    rev = store.submit(instrument_id=inst.id, instrument_version=inst.version, instrument_sha256=inst.sha256,
                       unit=unit, assessor=assessor, answers=full, started=STARTED, ended=STARTED, instance_id=iid)
    store.review(rev.instance_id, state="approved", who="组长")
    return rev.instance_id


def fill(root: Path, instruments: dict) -> None:
    """Records every check has something to say about: a service user twice, connected calls above the calls
    made, three raters disagreeing on rubric levels (α, κ) and 1–5 scores (α, ICC, a deviating rater)."""
    rng = random.Random(19)
    submit(root, instruments, "service_user_check", "d1", {"visit_date": "2018-11-12", "citizens": [
        citizen(1, case_id="2018-001"), citizen(2, callback_phone="13912345678")]}, assessor="甲")
    submit(root, instruments, "service_user_check", "d1", {"visit_date": "2018-11-13", "citizens": [
        citizen(1, case_id="2018-001")]}, assessor="乙")
    submit(root, instruments, "service_user_check", "d2", {"visit_date": "2018-11-13", "citizens": [
        citizen(1) for _ in range(5)]}, assessor="甲")
    submit(root, instruments, "hotline_test", "d2", {"visit_date": "2018-11-20",
                                                      "calls": [{"calls_made": 2, "calls_connected": 5}]}, assessor="甲")
    for unit in ("d1", "d2", "r0", "r1"):
        agreed = {code: rng.randint(1, 5) for code in INDICATORS}
        for rater in ("甲", "乙", "丙", "丁", "戊"):
            submit(root, instruments, "document_review", unit, {"ratings": [
                {"indicator": code, "level": rng.choice(LEVELS), "basis": "文件"} for code in INDICATORS]},
                assessor=rater)
            submit(root, instruments, "expert_review", unit, {"scores": [   # 戊 scores the other end of the scale
                {"indicator": code, "score": 6 - agreed[code] if rater == "戊" else agreed[code]} for code in INDICATORS]},
                assessor=rater)


# (instrument, answers) of records each check must pass over: every rating row or citizen row is unreadable
ODD_RECORDS = {
    "rating a list": ("document_review", {"ratings": [{"indicator": "1.1.1", "level": ["full", "none"]}]}),
    "rating an object": ("document_review", {"ratings": [{"indicator": "1.2.1", "level": {"等级": "full"}}]}),
    "indicator a list": ("document_review", {"ratings": [{"indicator": ["1.1.1"], "level": "full"}]}),
    "ratings a text": ("document_review", {"ratings": "完全达到"}),
    "score a list": ("expert_review", {"scores": [{"indicator": "1.1.1", "score": [5]}]}),
    "score a text": ("expert_review", {"scores": [{"indicator": "1.1.1", "score": "五"}]}),
    "score 是": ("expert_review", {"scores": [{"indicator": "1.2.1", "score": True}]}),
    "score rows not objects": ("expert_review", {"scores": [None, 4, ["1.1.1", 4]]}),
    "citizens a text": ("service_user_check", {"citizens": "张三"}),
    "citizens an object": ("service_user_check", {"citizens": {"case_id": "2018-001"}}),
    "citizens not objects": ("service_user_check", {"citizens": [None, "2018-001", ["2018-001"]]}),
    "case id a list": ("service_user_check", {"citizens": [{"case_id": ["2018-001"],
                                                            "callback_phone": {"手机": "13912345678"}}]}),
    "calls not objects": ("hotline_test", {"calls": [None, "2 次", [2, 5]]}),
}


@pytest.fixture(scope="module")
def pair(tmp_path_factory, instruments) -> tuple[Path, Path, dict[str, str]]:
    """The same project without and with the odd records (ids of the odd records by name)."""
    base = tmp_path_factory.mktemp("odd")
    clean, odd = base / "clean", base / "odd"
    new_project(clean)
    fill(clean, instruments)
    shutil.copytree(clean, odd)
    ids = {name: submit(odd, instruments, inst, "d1", answers, assessor="甲")
           for name, (inst, answers) in ODD_RECORDS.items()}
    return clean, odd, ids


@pytest.fixture(scope="module")
def evaluated(pair):
    clean, odd, _ = pair
    out = {}
    for name, root in (("clean", clean), ("odd", odd)):
        project = open_project(root)
        evaluation, _ = evaluate(project)
        out[name] = project, evaluation, project_checks(project, evaluation)
    return out


def test_validation_names_every_odd_record(pair, evaluated):
    _, odd, ids = pair
    project = evaluated["odd"][0]
    named = {p.record for p in check_records(project.records, odd / "raw", project.instruments)
             if p.code == "record-answer-invalid"}
    assert {name for name, iid in ids.items() if iid not in named} == set()


def test_checks_finish_and_their_results_are_those_without_the_odd_records(evaluated):
    clean, odd = evaluated["clean"][2], evaluated["odd"][2]
    codes = {p.code for p in clean}
    # the project gives each check something to say, so "unchanged" means something
    assert {"service-user-twice", "logic-connected-exceeds-made", "rater-agreement-low", "rater-kappa-low",
            "rater-icc-low", "rater-deviates"} <= codes
    assert [p.to_dict() for p in odd] == [p.to_dict() for p in clean]


def test_scores_are_those_without_the_odd_records(evaluated, pair):
    _, _, ids = pair
    clean, odd = evaluated["clean"][1], evaluated["odd"][1]
    def scores(evaluation):
        return [(u.unit, leaf.indicator, leaf.score, leaf.n, leaf.status, leaf.records)
                for u in evaluation.units for leaf in u.leaves]
    assert scores(odd) == scores(clean)
    left = {o.record for u in odd.units for leaf in u.leaves for o in leaf.left_out}
    assert set(ids.values()) & left   # passed over with a reason, not silently


def test_rerun_and_check_finish_with_the_validation_problem(pair, capsys):
    clean, odd, ids = pair
    out = odd.parent / "out"
    assert main(["rerun", str(odd), "--out", str(out), "--quiet"]) == 1   # errors: the odd records
    problems = json.loads((out / "问题.json").read_text(encoding="utf-8"))
    named = {p["record"] for p in problems if p["code"] == "record-answer-invalid"}
    assert set(ids.values()) <= named
    capsys.readouterr()
    shown = {}
    for name, root in (("clean", clean), ("odd", odd)):
        code = main(["check", str(root), "--all"])
        shown[name] = (code, capsys.readouterr().out.replace(str(root), "PROJECT"))
    assert shown["odd"] == shown["clean"]
    assert "Traceback" not in shown["odd"][1]


def test_good_rows_beside_odd_ones_still_count(tmp_path, instruments):
    """Only the unreadable rows are left out: a citizen after a ``null`` keeps its place (citizens[2]), a rating
    after a text row counts as it would alone."""
    def problems(root: Path, rows_first: list) -> list[dict]:
        rec = Records(root, instruments)
        rec.add("service_user_check", "a", {"citizens": [citizen(1, case_id="2018-001")]})
        for unit, level in (("a", "full"), ("b", "none"), ("c", "basic")):
            for rater, shift in (("甲", 0), ("乙", 1), ("丙", 3)):
                rec.add("document_review", unit, {"ratings": [
                    {"indicator": "1.1.1", "level": LEVELS[(LEVELS.index(level) + shift) % 4]}]}, assessor=rater)
        submit(root, instruments, "service_user_check", "a", {"citizens": [*rows_first, citizen(2, case_id="2018-001")]},
               assessor="乙", iid="0" * 31 + "1")
        submit(root, instruments, "document_review", "d", {"ratings": [*rows_first, {"indicator": "1.1.1", "level": "full"}]},
               assessor="甲", iid="0" * 31 + "2")
        submit(root, instruments, "document_review", "d", {"ratings": [{"indicator": "1.1.1", "level": "none"}]},
               assessor="乙")
        return [p.to_dict() for p in check_consistency(rec.views(), instruments)]

    odd = problems(tmp_path / "odd", [None])
    plain = problems(tmp_path / "plain", [])
    twice = [p for p in odd if p["code"] == "service-user-twice"]
    assert [p["field"] for p in twice] == ["citizens[2].case_id"]
    stats = ("rater-agreement-low", "rater-kappa-low", "rater-icc-low")   # rater-deviates lists the (random) ids
    agreement = [p for p in odd if p["code"] in stats]
    assert agreement and agreement == [p for p in plain if p["code"] in stats]


def test_a_list_or_object_in_a_text_or_choice_field_is_named(instruments):
    """Validation names what the checks leave out: before, a list in a text field was read as its text and an
    object in a multiple choice as its keys."""
    inst = instruments["service_user_check"]
    rows = [citizen(1, case_id=["2018-001"]), citizen(1, user_type={"类型": "person"}),
            citizen(2, trip_reason={"notice": True})]
    issues = {(i.path, i.code) for i in validate_answers(inst, {"citizens": rows, "notes": ["备注"]})}
    assert {("citizens[1].case_id", "type"), ("citizens[2].user_type", "type"), ("citizens[3].trip_reason", "type"),
            ("notes", "type")} <= issues


# ---- every instrument, answers of every wrong type: scoring and the checks finish ----

def _numeric(kind: str) -> bool:
    return kind in ("integer", "decimal")


VALUE_ODDITIES = {   # field's base type, stored value -> the odd value (or the value itself: left as it is)
    "text in a number field": lambda kind, v: "十二" if _numeric(kind) else v,
    "nan in a number field": lambda kind, v: "nan" if _numeric(kind) else v,
    "1e400 in a number field": lambda kind, v: "1e400" if _numeric(kind) else v,
    "a number in a text field": lambda kind, v: 12345 if kind in ("text", "select_one", "date", "time") else v,
    "a list for a scalar": lambda kind, v: v if isinstance(v, list) else [v, v],
    "a list in a list": lambda kind, v: [[v]],
    "an object for a value": lambda kind, v: {"值": v},
    "an object for a list": lambda kind, v: {"x": 1} if isinstance(v, list) else v,
    "是 for a value": lambda kind, v: True,
}
REPEAT_ODDITIES = {   # a repeat's rows -> the odd rows
    "null inside a repeat": lambda rows: [None, *rows],
    "a text for a repeat": lambda rows: "一行",
    "an object for a repeat": lambda rows: rows[0],
    "rows of every kind": lambda rows: [rows[0], "x", 3, [rows[0]], None],
    "a repeat in a list": lambda rows: [rows],
}


@pytest.fixture(scope="module")
def templates(instruments) -> dict[str, dict]:
    """For every instrument the answers of a valid demo record: real answers, as the form stores them."""
    found: dict[str, dict] = {}
    root = Path(__file__).resolve().parent.parent / "data" / "demo"
    for view in sorted(Store(root).load()[0], key=lambda v: v.instance_id):
        inst = instruments.get(view.instrument_id)
        if inst is not None and view.instrument_id not in found and not view.deleted \
                and not validate_answers(inst, view.answers):
            found[view.instrument_id] = {k: v for k, v in view.answers.items() if k not in ("unit", "assessor")}
    assert set(found) == set(instruments)
    return found


@pytest.fixture(scope="module")
def every_instrument(tmp_path_factory, instruments, templates) -> Path:
    """Every shipped instrument; three assessors give each unit d1 and d2 the demo record's answers."""
    root = tmp_path_factory.mktemp("fuzz") / "base"
    new_project(root, kept=None)
    for iid, answers in templates.items():
        for unit in ("d1", "d2"):
            for rater in ("甲", "乙", "丙"):
                submit(root, instruments, iid, unit, answers, assessor=rater)
    return root


def _oddly(inst, answers: dict, oddity: str, keep_chooser: bool) -> dict:
    """``answers`` with ``oddity`` applied to every value (or every repeat); choosers kept when asked."""
    kinds = {f.name: (base_type(f), f.role) for _, f, _ in inst.places}

    def value(name: str, v: object) -> object:
        kind, role = kinds.get(name, ("text", ""))
        return v if keep_chooser and role == "indicator" else VALUE_ODDITIES[oddity](kind, v)

    out = {}
    for name, v in answers.items():
        is_repeat = isinstance(v, list) and v and all(isinstance(r, dict) for r in v)
        if oddity in REPEAT_ODDITIES:
            out[name] = REPEAT_ODDITIES[oddity](v) if is_repeat else v
        elif is_repeat:
            out[name] = [{k: value(k, x) for k, x in row.items()} for row in v]
        else:
            out[name] = value(name, v)
    return out


@pytest.mark.parametrize("oddity", [*VALUE_ODDITIES, *REPEAT_ODDITIES])
def test_wrong_types_in_every_instrument_never_crash(oddity, every_instrument, instruments, templates, tmp_path):
    root = tmp_path / "odd"
    shutil.copytree(every_instrument, root)
    ids = set()
    for iid, answers in templates.items():
        for keep_chooser in (True, False):
            odd = _oddly(instruments[iid], answers, oddity, keep_chooser)
            made = submit(root, instruments, iid, "d1", odd, assessor="丁" if keep_chooser else "甲")
            if odd != answers:   # an instrument without the kind of answer changed gives the demo record again
                ids.add(made)
    project = open_project(root)
    evaluation, _ = evaluate(project)
    assert evaluation.units
    project_checks(project, evaluation)
    named = {p.record for p in check_records(project.records, root / "raw", project.instruments)
             if p.code == "record-answer-invalid"}
    assert ids <= named
