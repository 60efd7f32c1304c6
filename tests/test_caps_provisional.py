"""Caps as the seeds write them, and errors that never become zeros (issue 17).

Seed 002 (吉市办发〔2018〕15号) 第十一条: the innovation bonus 「所加分值不得超过10分」; the province
index system (seed 004) gives 加分项 3.1 ten points.  A value above a cap counts the cap, with a
warning that names the unit, the value entered and the cap; a leaf that could not be scored makes
the unit's total provisional (待定): listed, neither ranked nor graded, unless the project says so.
Every expected figure has its arithmetic in a comment.
"""

from __future__ import annotations

import pytest
from conftest import make_workbook
from scoring_helpers import Records, framework, shipped_instruments, units

from evalkit.problems import Report
from evalkit.scoring import Event, ManualScore, ScoringSettings, read_adjustments, score

REASON = "依据见评估组长说明"
TREE = [
    ("1", "制度", 8, "", "", ""),
    ("1.1", "甲", 4, "", "", "manual(max=4)"),
    ("1.2", "乙", 4, "", "", "manual(max=4)"),
    ("3", "加分项", 10, "加分", 10, ""),
    ("3.1", "创新", 10, "加分", "", "manual(max=10)"),
]


@pytest.fixture(scope="module")
def instruments():
    return shipped_instruments()


@pytest.fixture
def rec(tmp_path, instruments):
    return Records(tmp_path, instruments)


def marks(unit: str, **points: float) -> list[ManualScore]:
    return [ManualScore(unit, code.lstrip("_").replace("_", "."), value, REASON) for code, value in points.items()]


def run(rec, instruments, specs=(("a", "1"),), **kw):
    kw.setdefault("stability", False)
    return score(framework(TREE, total=8), units(*specs), instruments, rec.views(), **kw)


def test_a_bonus_above_its_cap_counts_the_cap_not_zero(rec, instruments):
    # a: 4 + 4 + bonus 12 entered for 3.1 (max 10) → 3.1 counts 10 → total 18; b: 4 + 4 + 9 = 17
    result = run(rec, instruments, (("a", "1"), ("b", "1")),
                 manual=marks("a", _1_1=4, _1_2=4, _3_1=12) + marks("b", _1_1=4, _1_2=4, _3_1=9))
    a, b = result.unit("a"), result.unit("b")
    assert a.leaf("3.1").score == 10 and a.bonus == 10 and a.total == pytest.approx(18)
    assert "超过上限 10" in a.leaf("3.1").figures
    assert (a.rank, b.rank) == (1, 2)  # a keeps its place above b (with 3.1 at 0 it would fall to 8, below b)
    capped = [p for p in result.problems if p.code == "manual-score-above-max"]
    assert len(capped) == 1 and capped[0].severity == "warning" and capped[0].indicator == "3.1"
    assert "单位 a" in capped[0].message and "12" in capped[0].message and "10" in capped[0].message


def test_an_innovation_event_above_ten_is_applied_at_ten(rec, instruments):
    # 第十一条: 12 entered → 10 applied; the bonus leaf 3.1 has 0, so the bonus is 10 → total 8 + 10 = 18
    events = [Event("E1", "a", "innovation", "市跑改办通报 2018-12", points=12)]
    result = run(rec, instruments, manual=marks("a", _1_1=4, _1_2=4, _3_1=0), events=events)
    a = result.unit("a")
    assert [e.points for e in a.events] == [10] and a.total == pytest.approx(18) and not a.provisional
    assert "按上限 10 分计入" in a.events[0].note
    found = Report(list(result.problems)).flatten(["code", "severity", "record"])
    assert ["event-points-capped", "warning", "E1"] in found
    assert not any(p.is_error for p in result.problems)


def test_the_shared_bonus_cap_is_said_out_loud(rec, instruments):
    # 3.1 gives 8 and an innovation event 5: 13 > 10 → the bonus counts 10 (第十一条), with a warning naming both
    events = [Event("E1", "a", "innovation", "吉市政务〔2018〕7号", points=5)]
    result = run(rec, instruments, manual=marks("a", _1_1=3, _1_2=2.5, _3_1=8), events=events)
    a = result.unit("a")
    assert a.bonus_raw == pytest.approx(13) and a.bonus == pytest.approx(10) and a.total == pytest.approx(15.5)
    (warning,) = [p for p in result.problems if p.code == "bonus-capped"]
    assert "13" in warning.message and "加分项 8" in warning.message and "自主创新加分 5" in warning.message


def test_a_node_above_its_points_is_capped_with_a_warning(rec, instruments):
    # 1 is declared 4 points but its children give 3 + 4 = 7 (an inconsistent table): 1 counts 4
    fw = framework([("1", "制度", 4, "", "", ""), ("1.1", "甲", 4, "", "", "manual(max=4)"),
                    ("1.2", "乙", 4, "", "", "manual(max=4)")])
    result = score(fw, units(("a", "1")), instruments, rec.views(), manual=marks("a", _1_1=3, _1_2=4),
                   stability=False)
    assert result.unit("a").total == pytest.approx(4)
    (warning,) = [p for p in result.problems if p.code == "indicator-capped"]
    assert warning.indicator == "1" and "7" in warning.message and "4" in warning.message


@pytest.mark.parametrize("value, code", [(-2, "manual-score-invalid"), (float("nan"), "manual-score-invalid")])
def test_impossible_values_stay_errors_and_make_the_total_provisional(rec, instruments, value, code):
    result = run(rec, instruments, manual=marks("a", _1_1=value, _1_2=4, _3_1=0))
    a = result.unit("a")
    assert a.leaf("1.1").score is None and a.leaf("1.1").status == "manual_invalid"
    assert [(p.code, p.severity) for p in result.problems if p.code == code] == [(code, "error")]
    assert a.provisional and a.rank is None and a.grade is None


def test_an_invalid_innovation_event_is_an_error_and_leaves_the_total_provisional(rec, instruments):
    events = [Event("E1", "a", "innovation", "通报", points=-3)]
    result = run(rec, instruments, manual=marks("a", _1_1=4, _1_2=4, _3_1=0), events=events)
    a = result.unit("a")
    assert ["event-points-invalid", "error"] in Report(list(result.problems)).flatten(["code", "severity"])
    assert a.provisional and [(p.kind, p.code) for p in a.pending] == [("event", "E1")]
    # 8 scored; the event, once fixed, can add up to the cap of 10: the total will lie in 8–18
    assert a.total == pytest.approx(8) and a.total_range == (pytest.approx(8), pytest.approx(18))


def test_a_leaf_without_a_score_is_not_a_zero(rec, instruments):
    """a: 4 + 4 = 8; b: 1.1 has no manual score, 1.2 = 4 (scored so far 4); c: 2 + 2 = 4.

    b's 4 is not a total: b is listed but neither ranked nor graded, and its total will lie in
    4–8 (1.1 between 0 and its 4 points).  a and c are ranked 1 and 2 among the complete ones."""
    specs = (("a", "1"), ("b", "1"), ("c", "1"))
    manual = marks("a", _1_1=4, _1_2=4, _3_1=0) + marks("b", _1_2=4, _3_1=0) + marks("c", _1_1=2, _1_2=2, _3_1=0)
    result = run(rec, instruments, specs, manual=manual)
    a, b, c = (result.unit(x) for x in "abc")
    assert (a.rank, c.rank) == (1, 2) and (a.grade, c.grade) == ("不达标", "不达标")
    assert b.provisional and b.rank is None and b.grade is None and not b.tied_with
    assert [(p.kind, p.code, p.reason) for p in b.pending] == [("leaf", "1.1", "待人工评分")]
    assert b.total == pytest.approx(4) and b.total_range == (pytest.approx(4), pytest.approx(8))
    (note,) = [p for p in result.problems if p.code == "score-provisional"]
    assert "单位 b" in note.message and "1.1" in note.message and "暂不排名" in note.message
    assert [u.unit for u in result.ranking("1")] == ["a", "c", "b"]  # the unranked unit comes last


def test_the_lead_evaluator_may_rank_provisional_totals(rec, instruments):
    specs = (("a", "1"), ("b", "1"))
    manual = marks("a", _1_1=1, _1_2=1, _3_1=0) + marks("b", _1_2=4, _3_1=0)
    result = run(rec, instruments, specs, manual=manual, settings=ScoringSettings(rank_provisional=True))
    b = result.unit("b")
    # ranked on what is scored (4 > 2), still marked provisional
    assert b.rank == 1 and b.grade == "不达标" and b.provisional
    (note,) = [p for p in result.problems if p.code == "score-provisional"]
    assert "rank_provisional" in note.message


def test_uncertainty_of_a_provisional_unit_has_no_rank_figures(rec, instruments):
    result = run(rec, instruments, (("a", "1"), ("b", "1")), manual=marks("a", _1_1=4, _1_2=4, _3_1=0)
                 + marks("b", _1_2=4, _3_1=0), stability=True, settings=ScoringSettings(draws=50))
    a, b = result.unit("a").stability, result.unit("b").stability
    assert a.rank_interval == (1, 1) and a.grade_changes == 0  # manual scores are held fixed
    assert b.rank_interval is None and b.grade_changes is None and b.total_interval == (4.0, 4.0)


def test_adjustments_keep_where_each_value_was_written(tmp_path):
    """A workbook as an office writes it: a title row above the header, a footnote below."""
    make_workbook(tmp_path / "adjustments.xlsx", {
        "人工评分": [["2018 年度创新加分评定表"], ["单位", "指标", "分数", "理由", "评分人"],
                 ["c1-01", "3.1", 12, "推行一窗通办", "王五"], ["c1-02", "3.1", -1, "录入错误", "王五"],
                 ["注：分数不得超过 10 分"]],
        "加减分事项": [["编号", "单位", "类型", "依据", "分值"], ["E9", "c1-01", "自主创新加分", "市跑改办通报", 15]],
    })
    events, manual, problems = read_adjustments(tmp_path)
    first = next(m for m in manual if m.unit == "c1-01")
    assert (first.sheet, first.row, first.points) == ("人工评分", 3, 12)
    assert (events[0].sheet, events[0].row, events[0].points, events[0].kind) == ("加减分事项", 2, 15, "innovation")
    fw = framework(TREE, total=8)
    result = score(fw, units(("c1-01", "1"), ("c1-02", "1")), shipped_instruments(), [], events=events,
                   manual=manual, stability=False)
    where = Report(list(result.problems)).flatten(["code", "sheet", "row"])
    assert ["manual-score-above-max", "人工评分", 3] in where and ["manual-score-invalid", "人工评分", 4] in where
    assert ["event-points-capped", "加减分事项", 2] in where
    assert result.unit("c1-01").bonus == 10  # 3.1 capped at 10 and the event capped at 10: together still 10
