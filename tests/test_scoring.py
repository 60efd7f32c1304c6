"""Scoring small evaluations written out in full: each rule kind, trace, tree, bonus cap,
the seed 002 adjustments, grades, ties and the uncertainty figures.

Every expected value has its arithmetic in a comment.
"""

from __future__ import annotations

import json

import pytest
from scoring_helpers import Records, framework, shipped_instruments, units

from evalkit.problems import Report
from evalkit.scoring import Event, GradeBand, ManualScore, ScoringSettings, score


@pytest.fixture(scope="module")
def instruments():
    return shipped_instruments()


@pytest.fixture
def rec(tmp_path, instruments):
    return Records(tmp_path, instruments)


def one_leaf(rule: str, points: float = 4):
    return framework([("1", "制度", points, "", "", ""), ("1.1", "测试指标", points, "", "", rule)])


def run(fw, rec, instruments, unit_specs=(("a", "1"),), **kw):
    kw.setdefault("stability", False)
    return score(fw, units(*unit_specs), instruments, rec.views(), **kw)


def citizen(trips: int, **extra) -> dict:
    return {"user_type": "person", "item_name": "营业执照", "case_kind": "instant", "trips": trips, **extra}


# ---------------------------------------------------------------- rate


def test_rate_where_linear_with_trace(rec, instruments):
    fw = one_leaf("rate(where=service_user_check.citizens.trips <= 1, full=90%, zero=50%)")
    # visit 1: 6 citizens, 5 with one trip; visit 2: 4 citizens, 3 with one trip → 8/10 = 80 %
    r1 = rec.add("service_user_check", "a", {"citizens": [citizen(1)] * 5 + [citizen(2)]})
    r2 = rec.add("service_user_check", "a", {"citizens": [citizen(1)] * 3 + [citizen(3)]})
    pending = rec.add("service_user_check", "a", {"citizens": [citizen(1)]}, state="received")
    gone = rec.add("service_user_check", "a", {"citizens": [citizen(1)]})
    rec.delete(gone)
    other = rec.add("service_user_check", "b", {"citizens": [citizen(5)]})
    leaf = run(fw, rec, instruments).unit("a").leaf("1.1")
    # (0.80 − 0.50) / (0.90 − 0.50) = 0.75 of 4 points = 3.0
    assert leaf.score == pytest.approx(3.0)
    assert leaf.status == "scored" and leaf.n == 10 and leaf.x == 8
    assert "8/10 = 80.0 %" in leaf.figures and leaf.rule.startswith("rate(")
    assert set(leaf.records) == {r1, r2}
    reasons = {lo.record: lo.reason for lo in leaf.left_out}
    assert reasons == {pending: "not_approved", gone: "deleted"}
    assert other not in leaf.records
    # the Wilson interval of 8/10 is (0.490, 0.943): mapped to points (0, 4)
    low, high = leaf.share_interval
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert leaf.interval == (pytest.approx(0.0), pytest.approx(4.0))


def test_received_records_count_when_the_project_admits_them(rec, instruments):
    fw = one_leaf("rate(where=service_user_check.citizens.trips <= 1, full=100%, zero=0%)")
    rec.add("service_user_check", "a", {"citizens": [citizen(1)]})
    rec.add("service_user_check", "a", {"citizens": [citizen(2)]}, state="received")
    strict = run(fw, rec, instruments).unit("a").leaf("1.1")
    loose = run(fw, rec, instruments, settings=ScoringSettings(include_received=True)).unit("a").leaf("1.1")
    assert strict.score == pytest.approx(4.0)  # 1/1 = 100 % → 4
    assert loose.score == pytest.approx(2.0)  # 1/2 = 50 % → 0.5 × 4 = 2


def test_rate_num_den_and_bands(rec, instruments):
    fw = framework([
        ("2", "效果", 8, "", "", ""),
        ("2.1", "接通率", 4, "", "", "rate(num=hotline_test.calls.calls_connected, den=hotline_test.calls.calls_made, "
                                         "full=95%, zero=60%)"),
        ("2.2", "指南", 4, "", "", "rate(num=site_visit.guides_available, den=site_visit.guides_checked, "
                                       "bands={95%..100%: 100%, 80%..95%: 75%, 60%..80%: 50%, 0%..60%: 0%})"),
    ])
    # 4 numbers called 5 times each = 20 calls, 17 connected
    calls = [{"calls_made": 5, "calls_connected": c} for c in (5, 4, 4, 4)]
    rec.add("hotline_test", "a", {"calls": calls})
    rec.add("site_visit", "a", {"guides_checked": 10, "guides_available": 9})
    result = run(fw, rec, instruments).unit("a")
    # 17/20 = 85 %; (0.85 − 0.60) / (0.95 − 0.60) = 0.7142857 × 4 = 2.857143
    assert result.leaf("2.1").score == pytest.approx(4 * 0.25 / 0.35)
    assert "17/20 = 85.0 %" in result.leaf("2.1").figures
    # 9/10 = 90 % lies in the band 80 %..95 % → 75 % of 4 = 3
    assert result.leaf("2.2").score == pytest.approx(3.0)
    # parent 2 = 2.857143 + 3 = 5.857143
    assert result.node("2").score == pytest.approx(5.857143, abs=1e-6)


# ---------------------------------------------------------------- checklist, rubric, mean, penalty


def test_checklist_share(rec, instruments):
    fw = one_leaf("checklist(items=[site_visit.leader_roster_public = 'yes', site_visit.leader_on_duty = 'yes'])")
    rec.add("site_visit", "a", {"leader_roster_public": "yes", "leader_on_duty": "no"})
    rec.add("site_visit", "a", {"leader_roster_public": "yes", "leader_on_duty": "yes"})
    leaf = run(fw, rec, instruments).unit("a").leaf("1.1")
    # 3 of 4 checks met = 75 % → 0.75 × 4 = 3
    assert leaf.score == pytest.approx(3.0) and leaf.n == 4


def test_rubric_levels_only_for_the_chosen_indicator(rec, instruments):
    fw = one_leaf("rubric(field=[internal_interview.ratings.level, document_review.ratings.level])")
    basic = {"interview_form": "individual", "interviewee_role": "leader", "anonymous": "no", "duration_minutes": 30,
             "leading_group": "yes", "self_check_done": "no", "cross_dept_mechanism": "yes"}
    r1 = rec.add("internal_interview", "a", {**basic, "ratings": [
        {"indicator": "1.1", "level": "full", "statement": "有方案有落实有佐证材料。"},
        {"indicator": "1.1", "level": "basic", "statement": "已落实但佐证不全面。"}]})
    r2 = rec.add("document_review", "a", {"ratings": [{"indicator": "1.1", "level": "partial", "basis": "文件"}]})
    elsewhere = rec.add("document_review", "a", {"ratings": [{"indicator": "2.2.1", "level": "none", "basis": "x"}]})
    leaf = run(fw, rec, instruments).unit("a").leaf("1.1")
    # (100 % + 80 % + 50 %) / 3 = 76.67 % of 4 = 3.0667
    assert leaf.score == pytest.approx(4 * 2.3 / 3)
    assert set(leaf.records) == {r1, r2}
    assert [(lo.record, lo.reason) for lo in leaf.left_out] == [(elsewhere, "other_indicator")]


def test_rubric_with_configured_levels(rec, instruments):
    fw = one_leaf("rubric(field=document_review.materials_reduced, levels={yes: 100%, partly: 60%, no: 0%})", 2)
    rec.add("document_review", "a", {"materials_reduced": "partly"})
    # partly = 60 % of 2 = 1.2
    assert run(fw, rec, instruments).unit("a").leaf("1.1").score == pytest.approx(1.2)


def test_mean_of_expert_ratings(rec, instruments):
    fw = one_leaf("mean(field=expert_review.scores.score, scale=1..5)")
    for expert, value in (("王", 4), ("李", 5), ("赵", 3)):
        rec.add("expert_review", "a", {"expert_name": expert, "scores": [
            {"indicator": "1.1", "score": value, "rationale": "依据充分，做法可行。"}]}, assessor=expert)
    leaf = run(fw, rec, instruments).unit("a").leaf("1.1")
    # mean (4 + 5 + 3) / 3 = 4; (4 − 1) / (5 − 1) = 0.75 × 4 = 3
    assert leaf.score == pytest.approx(3.0) and leaf.n == 3


def test_penalty_per_event_not_below_zero(rec, instruments):
    fw = framework([("1", "制度", 6, "", "", ""),
                    ("1.1", "多要材料", 2, "", "", "penalty(where=mystery_visit.extra_materials = 'yes', each=1)"),
                    ("1.2", "推诿", 4, "", "", "penalty(where=mystery_visit.referred_elsewhere = 'yes', each=3)")])
    for extra, referred in (("yes", "yes"), ("yes", "yes"), ("no", "no")):
        rec.add("mystery_visit", "a", {"extra_materials": extra, "referred_elsewhere": referred})
    result = run(fw, rec, instruments).unit("a")
    # 2 events × 1 = 2 deducted from 2 → 0
    assert result.leaf("1.1").score == pytest.approx(0.0)
    # 2 events × 3 = 6, but at most the leaf's 4 points can go → 0
    assert result.leaf("1.2").score == pytest.approx(0.0)
    fw1 = one_leaf("penalty(where=mystery_visit.extra_materials = 'yes', each=0.5)")
    # 2 × 0.5 = 1 deducted from 4 → 3
    assert run(fw1, rec, instruments).unit("a").leaf("1.1").score == pytest.approx(3.0)


# ---------------------------------------------------------------- manual scores, evidence thresholds


def test_manual_score_needs_justification_and_is_capped_at_the_maximum(rec, instruments):
    fw = one_leaf("manual(max=4)")
    fine = run(fw, rec, instruments, manual=[ManualScore("a", "1.1", 3.5, "创新做法有文件佐证", "组长")])
    assert fine.unit("a").leaf("1.1").score == 3.5
    assert "创新做法有文件佐证" in fine.unit("a").leaf("1.1").figures
    too_high = run(fw, rec, instruments, manual=[ManualScore("a", "1.1", 5, "很好")])
    bare = run(fw, rec, instruments, manual=[ManualScore("a", "1.1", 2, "  ")])
    # 5 above the maximum of 4: counted as 4, with a warning (not refused, not 0)
    assert too_high.unit("a").leaf("1.1").score == 4 and not too_high.unit("a").provisional
    found = [p for p in too_high.problems if p.code == "manual-score-above-max"]
    assert [(p.indicator, p.severity) for p in found] == [("1.1", "warning")] and "已按 4 分计入" in found[0].message
    assert bare.unit("a").leaf("1.1").score is None and bare.unit("a").provisional
    assert "manual-score-unjustified" in Report(list(bare.problems)).codes()


@pytest.mark.parametrize("policy, status, expected", [
    ("none", "insufficient", None),  # no score
    ("zero", "zero", 0.0),           # zero points
    ("flag", "flagged", 4.0),        # 2/2 = 100 % → 4, scored with a flag
])
def test_too_little_evidence(rec, instruments, policy, status, expected):
    fw = one_leaf(f"rate(where=service_user_check.citizens.trips <= 1, full=90%, zero=50%, min_n=10, "
                  f"insufficient={policy})")
    rec.add("service_user_check", "a", {"citizens": [citizen(1), citizen(1)]})
    result = run(fw, rec, instruments)
    leaf = result.unit("a").leaf("1.1")
    assert leaf.status == status and leaf.score == expected
    assert ["score-insufficient-evidence", "1.1"] in Report(list(result.problems)).flatten(["code", "indicator"])
    assert result.unit("a").complete is (expected is not None)


def test_leaf_without_evidence_is_explained(rec, instruments):
    fw = one_leaf("checklist(items=[site_visit.leader_on_duty = 'yes'])")
    result = run(fw, rec, instruments)
    leaf = result.unit("a").leaf("1.1")
    assert leaf.score is None and "没有可用证据" in leaf.figures


# ---------------------------------------------------------------- tree, bonus cap, seed 002 adjustments

TREE = [
    ("1", "制度", 8, "", "", ""),
    ("1.1", "甲", 4, "", "", "manual(max=4)"),
    ("1.2", "乙", 4, "", "", "manual(max=4)"),
    ("3", "加分项", 10, "加分", 10, ""),
    ("3.1", "创新", 10, "加分", "", "manual(max=10)"),
]


def manual(unit: str, **points: float) -> list[ManualScore]:
    return [ManualScore(unit, code.lstrip("_").replace("_", "."), value, "依据见评估组长说明") for code, value in points.items()]


def test_tree_sum_and_bonus_cap_shared_with_innovation_events(rec, instruments):
    fw = framework(TREE, total=8)
    events = [Event("e1", "a", "innovation", "吉市政务〔2018〕7号 创新项目材料", points=5)]
    result = run(fw, rec, instruments, manual=manual("a", _1_1=3, _1_2=2.5, _3_1=8), events=events).unit("a")
    assert result.node("1").score == pytest.approx(5.5)  # 3 + 2.5
    # bonus: indicator 3.1 gives 8, the innovation event 5 → 13, capped at 10 (第十一条)
    assert result.bonus_raw == pytest.approx(13) and result.bonus == pytest.approx(10)
    assert result.total == pytest.approx(15.5)  # 5.5 + 10


def test_seed_002_adjustments_need_evidence(rec, instruments):
    fw = framework(TREE, total=8)
    events = [
        Event("e1", "a", "lead_group_done", "推进组任务完成情况通报"),      # +3 (第十二条)
        Event("e2", "a", "lead_item_failed", "改革事项督查通报"),           # −2 (第十二条)
        Event("e3", "a", "overdue_task", "台账第 12 项", task="12"),        # −5 (第十三条（一）)
        Event("e4", "a", "overdue_task", "台账第 30 项", task="30"),        # −5
        Event("e5", "a", "complaint_verified", "12345 工单 2018-0457 查实"),  # −10 (第十三条（二）)
        Event("e6", "b", "falsification", "核查报告"),                      # −15 for unit b (第十三条（三）)
        Event("e7", "a", "complaint_verified", ""),                         # no evidence: not applied
        Event("e8", "a", "overdue_tsk", "x"),                               # unknown kind: not applied
    ]
    result = run(fw, rec, instruments, (("a", "1"), ("b", "1")), events=events,
                 manual=manual("a", _1_1=4, _1_2=4) + manual("b", _1_1=4, _1_2=4))
    a, b = result.unit("a"), result.unit("b")
    # a: adjustments 3 − 2 − 5 − 5 − 10 = −19 → 8 − 19 = −11 (the method sets no floor)
    assert a.adjustments == pytest.approx(-19) and a.total == pytest.approx(-11)
    assert [e.id for e in a.events] == ["e1", "e2", "e3", "e4", "e5"]
    assert b.total == pytest.approx(8 - 15)
    found = Report(list(result.problems)).flatten(["code", "record"])
    assert ["event-evidence-missing", "e7"] in found and ["event-kind-unknown", "e8"] in found


# ---------------------------------------------------------------- grades, ranks, weights

FLAT = [("1", "总分", 100, "", "", ""), ("1.1", "综合", 100, "", "", "manual(max=100)")]


def test_grades_competition_ranks_ties_and_weights(rec, instruments):
    fw = framework(FLAT, total=100)
    scores = {"a": 95, "b": 85, "c": 85, "d": 59.5, "e": 70, "f": 60}
    specs = [("a", "1"), ("b", "1"), ("c", "1"), ("d", "1"), ("e", "3"), ("f", "5")]
    marks = [m for u, v in scores.items() for m in manual(u, _1_1=v)]
    result = run(fw, rec, instruments, specs, manual=marks)
    table = {u.unit: (u.rank, u.grade, u.tied_with) for u in result.units}
    # category 1: 95 → 1; 85, 85 → both 2 (tied); 59.5 → 4 (competition ranking 1, 2, 2, 4)
    assert table["a"] == (1, "优秀", ())
    assert table["b"] == (2, "良好", ("c",)) and table["c"] == (2, "良好", ("b",))
    assert table["d"] == (4, "不达标", ())
    # category 3 (weight 0.7, 第七条) and 5 (published only) are ranked on their own
    assert table["e"] == (1, "达标", ()) and result.unit("e").weight == 0.7
    assert result.unit("f").published_only and result.unit("f").grade == "达标"  # 60 is in [60, 80)
    assert [u.unit for u in result.ranking("1")] == ["a", "b", "c", "d"]


def test_configured_grade_bands_and_faulty_tables(rec, instruments):
    fw = framework(FLAT, total=100)
    strict = (GradeBand("优秀", 95, None), GradeBand("良好", 85, 95), GradeBand("达标", 70, 85),
              GradeBand("不达标", None, 70))
    settings = ScoringSettings(grade_bands={"1": strict})
    result = run(fw, rec, instruments, (("a", "1"),), manual=manual("a", _1_1=90), settings=settings)
    assert result.unit("a").grade == "良好"  # 90 is in [85, 95)
    gap = (GradeBand("优秀", 90, None), GradeBand("良好", 80, 85), GradeBand("不达标", None, 80))
    overlap = (GradeBand("优秀", 85, None), GradeBand("良好", 80, 90), GradeBand("不达标", None, 80))
    bad = run(fw, rec, instruments, manual=manual("a", _1_1=90),
              settings=ScoringSettings(grade_bands={"1": gap, "3": overlap}))
    codes = Report(list(bad.problems)).codes()
    assert "grade-bands-gap" in codes and "grade-bands-overlap" in codes


# ---------------------------------------------------------------- uncertainty, json


def test_rank_stability_is_seeded_and_shows_cut_offs(rec, instruments):
    fw = framework([("1", "总分", 100, "", "", ""),
                    ("1.1", "办成率", 100, "", "", "rate(where=service_user_check.citizens.trips <= 1, full=100%, "
                                                    "zero=0%)")], total=100)
    # a: 9/10 = 90 % → 90 points, right on the 优秀 cut-off; b: 30/30 = 100 % but far from any other unit
    rec.add("service_user_check", "a", {"citizens": [citizen(1)] * 9 + [citizen(2)]})
    rec.add("service_user_check", "b", {"citizens": [citizen(1)] * 30})
    settings = ScoringSettings(seed=7, draws=400)
    first = run(fw, rec, instruments, (("a", "1"), ("b", "1")), settings=settings, stability=True)
    again = run(fw, rec, instruments, (("a", "1"), ("b", "1")), settings=settings, stability=True)
    a, b = first.unit("a"), first.unit("b")
    assert a.total == pytest.approx(90) and a.grade == "优秀"
    assert a.stability == again.unit("a").stability and a.stability.seed == 7
    # a's rate is uncertain: its grade changes in a large share of draws (Beta(10, 2) is below 0.9 often)
    assert 0.3 < a.stability.grade_changes < 0.8
    assert b.stability.grade_changes < 0.1 and b.stability.rank_range[0] == 1
    assert json.loads(json.dumps(first.to_json()))["settings"]["seed"] == 7


def test_scoring_keeps_no_record_once_it_returns(rec, instruments):
    """The records' index by unit lives for one scoring run: it held the whole list of records until the next
    run (a kernel that scored a province once kept about 0.8 GB, and the interpreter walked it all at exit)."""
    import gc
    import weakref

    fw = one_leaf("rate(where=service_user_check.citizens.trips <= 1, full=100%, zero=0%)")
    rec.add("service_user_check", "a", {"citizens": [citizen(1), citizen(2)]})
    views = rec.views()
    alive = [weakref.ref(v) for v in views]
    result = score(fw, units(("a", "1")), instruments, views, stability=True)
    assert result.unit("a").total == pytest.approx(2)  # 1 of 2 citizens in one trip → 50 % of 4 points
    del views
    gc.collect()
    assert [r() for r in alive] == [None] * len(alive)
