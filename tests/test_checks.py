"""Cross-record consistency checks give the right problem codes with the record ids.

The agreement statistics themselves are tested against published values in test_agreement.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from scoring_helpers import Records, framework, shipped_instruments, units

from evalkit.checks import SelfReport, check_consistency
from evalkit.problems import Report
from evalkit.scoring import score


@pytest.fixture(scope="module")
def instruments():
    return shipped_instruments()


@pytest.fixture
def rec(tmp_path, instruments):
    return Records(tmp_path, instruments)


def flat(problems, *keys):
    return Report(list(problems)).flatten(keys or ("code", "record"))


def citizen(**extra):
    return {"user_type": "person", "item_name": "户籍", "case_kind": "instant", "trips": 1, **extra}


def test_duplicate_submission_and_service_user_counted_twice(rec, instruments):
    first = rec.add("service_user_check", "a", {"citizens": [citizen(case_id="2018-001"),
                                                             citizen(callback_phone="13912345678")]})
    same = rec.add("service_user_check", "a", {"citizens": [citizen(case_id="2018-001"),
                                                            citizen(callback_phone="13912345678")]})
    phone = rec.add("service_user_check", "a", {"citizens": [citizen(callback_phone="13912345678")]}, assessor="李四")
    other_unit = rec.add("service_user_check", "b", {"citizens": [citizen(case_id="2018-001")]})
    found = flat(check_consistency(rec.views(), instruments), "code", "record", "field")
    assert ["record-duplicate", same, None] in found
    assert ["service-user-twice", same, "citizens[1].case_id"] in found
    assert ["service-user-twice", phone, "citizens[1].callback_phone"] in found
    assert not any(r == other_unit for _, r, _ in found)  # another unit's case 2018-001 is another case
    assert not any(r == first for _, r, _ in found)


def rate(rec, unit, assessor, indicator, level):
    return rec.add("document_review", unit, {"ratings": [{"indicator": indicator, "level": level, "basis": "文件"}]},
                   assessor=assessor)


def test_low_agreement_and_a_deviating_rater(rec, instruments):
    # raters 张, 王, 赵, 钱 and 孙 agree everywhere; 李 rates the opposite end on every item
    # (modified z of 李's mean deviation: 4.8 > 3.5, Iglewicz & Hoaglin 1993)
    ids = {}
    for unit in ("a", "b", "c", "d"):
        for code, level in (("1.1.1", "full"), ("1.2.1", "none")):
            level2 = {"full": "none", "none": "full"}[level] if unit in "ab" else level
            rate(rec, unit, "张", code, level2)
            for rater in "王赵钱孙":
                rate(rec, unit, rater, code, level2)
            ids.setdefault("李", []).append(rate(rec, unit, "李", code, {"full": "none", "none": "full"}[level2]))
    found = check_consistency(rec.views(), instruments)
    codes = Report(found).codes()
    assert "rater-agreement-low" in codes
    deviating = [p for p in found if p.code == "rater-deviates"]
    assert [p.message.split("」")[0].split("「")[1] for p in deviating] == ["李"]
    assert set(deviating[0].record.split("、")) == set(ids["李"])


def test_categorical_ratings_get_fleiss_kappa(rec, instruments):
    """Three assessors classify four units' indicator 1.1.1 (完全 / 基本 / 未达到):

    a: full, none, basic; b: none, full, full; c: basic, basic, none; d: full, basic, none.
    P_i = (Σ n_ij² − 3)/6: 0, 1/3, 1/3, 0 → P̄ = 1/6; each category has 4 of 12 ratings → P̄e = 1/3;
    κ = (1/6 − 1/3)/(1 − 1/3) = −0.25 (Fleiss 1971): below 0.40, flagged."""
    table = {"a": ("full", "none", "basic"), "b": ("none", "full", "full"), "c": ("basic", "basic", "none"),
             "d": ("full", "basic", "none")}
    for unit, levels in table.items():
        for rater, level in zip("张王李", levels):
            rate(rec, unit, rater, "1.1.1", level)
    found = [p for p in check_consistency(rec.views(), instruments) if p.code == "rater-kappa-low"]
    assert len(found) == 1 and "κ = -0.250" in found[0].message and "4 个评议对象" in found[0].message
    assert (found[0].field, found[0].severity) == ("level", "warning")


def test_assessors_who_classify_alike_raise_no_kappa_warning(rec, instruments):
    for unit, level in zip("abcdef", ("full", "none", "basic", "full", "none", "partial")):
        for rater in "张王李":
            rate(rec, unit, rater, "1.1.1", level if (unit, rater) != ("a", "李") else "basic")
    assert "rater-kappa-low" not in Report(check_consistency(rec.views(), instruments)).codes()


def test_expert_scores_icc_low(rec, instruments):
    # two experts whose 1–5 scores on four units run in opposite directions
    for unit, (x, y) in zip("abcd", ((1, 5), (2, 4), (4, 2), (5, 1))):
        for expert, value in (("王", x), ("李", y)):
            rec.add("expert_review", unit, {"expert_name": expert, "scores": [
                {"indicator": "1.1.2", "score": value, "rationale": "依据充分，做法可行。"}]}, assessor=expert)
    codes = Report(check_consistency(rec.views(), instruments)).codes()
    assert "rater-icc-low" in codes and "rater-agreement-low" in codes


def test_logic_checks(rec, instruments):
    bad = rec.add("hotline_test", "a", {"visit_date": "2017-05-01", "calls": [{"calls_made": 2, "calls_connected": 3}]},
                  assessor="路人")
    stray = rec.add("hotline_test", "zz-9", {"calls": [{"calls_made": 1, "calls_connected": 1}]})
    found = flat(check_consistency(rec.views(), instruments, unit_ids={"a"}, assessors={"张三"},
                                   period=(dt.date(2018, 11, 1), dt.date(2018, 12, 31))), "code", "record", "field")
    assert ["logic-connected-exceeds-made", bad, "calls[1].calls_connected"] in found
    assert ["logic-date-outside-period", bad, "visit_date"] in found
    assert ["record-assessor-unknown", bad, None] in found
    assert ["record-unit-unknown", stray, None] in found


def test_self_report_outside_interval_and_coverage(rec, instruments):
    fw = framework([("1", "制度", 8, "", "", ""),
                    ("1.1", "办成", 4, "", "", "rate(where=service_user_check.citizens.trips <= 1, full=90%, "
                                               "zero=50%, min_n=5, insufficient=flag)"),
                    ("1.2", "值守", 4, "", "", "checklist(items=[site_visit.leader_on_duty = 'yes'])")])
    rec.add("service_user_check", "a", {"citizens": [citizen(), citizen(), citizen(trips=3)]})
    evaluation = score(fw, units(("a", "1")), instruments, rec.views(), stability=False)
    # 2/3 sampled: Wilson 95 % interval (20.8 %, 93.9 %); the unit reports 99 %
    found = check_consistency(rec.views(), instruments, evaluation=evaluation,
                              reports=[SelfReport("a", "1.1", 0.99, "自评报告第 3 页"),
                                       SelfReport("a", "1.1", 0.8)])
    assert flat(found, "code", "indicator") == [["self-report-outside-interval", "1.1"],
                                                 ["coverage-short", "1.1"], ["coverage-missing", "1.2"]]
