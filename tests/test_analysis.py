"""The pandas face of a project (evalkit.analysis.Tables): records with labels and repeat groups, scores,
totals, problems, traces, agreement per indicator, sampling estimates and what-ifs compared."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import spearmanr
from scoring_helpers import Records, shipped_instruments

import evalkit
from evalkit.analysis import Tables, find_project, tables
from evalkit.analysis.agreement import agreement_frame
from evalkit.analysis.compare import compare_totals, rank_correlation
from evalkit.project import init_project
from evalkit.sampling import draw_estimate
from evalkit.stats import icc, krippendorff_alpha

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A project with spot checks as the phone team records them: a repeat of citizens, a multiple choice,
    a phone number, a note starting with '=', a deleted record and one still to be reviewed."""
    root = tmp_path_factory.mktemp("analysis") / "p"
    init_project(root, "province-2018", "分析测试")
    rec = Records(root, shipped_instruments())
    rows = [{"user_type": "person", "item_name": "不动产登记", "case_id": "C-001", "case_kind": "instant", "trips": 1,
             "instant_done": "yes", "done_status": "done", "satisfaction": "5", "callback_phone": "13812345678",
             "comment": "=HYPERLINK(\"http://x\")"},
            {"user_type": "enterprise", "item_name": "营业执照", "case_id": "C-002", "case_kind": "promised", "trips": 3,
             "trip_reason": ["missing_material", "system"], "promise_status": "late", "done_status": "done",
             "satisfaction": "2", "comment": "跑了三次，电话 13987654321"}]
    first = rec.add("service_user_check", "c1-01", {"visit_date": "2018-11-20", "check_mode": "callback", "citizens": rows})
    rec.add("service_user_check", "c1-02", {"visit_date": "2018-11-21", "check_mode": "in_hall", "citizens": rows[:1]},
            state="received")
    gone = rec.add("service_user_check", "c1-03", {"check_mode": "callback", "citizens": rows[:1]})
    rec.delete(gone)
    later = rec.add("service_user_check", "c1-01", {"check_mode": "callback", "citizens": rows[1:]}, state="received")
    rec.add("expert_review", "c1-01", {"expert_name": "刘专家", "materials": ["plan", "other"], "materials_other": "会议纪要",
                                       "scores": [{"indicator": "1.1.2", "score": 4}]})
    return {"root": root, "first": first, "gone": gone, "later": later}


def test_records_one_row_per_record_with_types_labels_and_the_deleted_marked(small):
    t = tables(small["root"])
    frame = t.records("service_user_check")
    assert list(frame["unit"]) == ["c1-01", "c1-02", "c1-03", "c1-01"]
    assert list(frame["deleted"]) == [False, False, True, False]
    assert list(frame["state"]) == ["approved", "received", "approved", "received"]
    assert frame["unit_name"].iloc[0] == "市编办" and frame["category"].iloc[0] == "1"
    assert frame["visit_date"].iloc[0].isoformat() == "2018-11-20" and pd.isna(frame["visit_date"].iloc[2])
    assert frame.attrs["labels"]["check_mode"] == "抽查方式" and frame.attrs["value_labels"]["check_mode"]["callback"] == "电话回访"
    assert list(frame.columns[:3]) == ["record", "instrument", "unit"] and "citizens" not in frame
    shown = t.records("service_user_check", labels=True)
    assert shown["check_mode"].iloc[0] == frame.attrs["value_labels"]["check_mode"]["callback"] == "电话回访"


def test_repeat_groups_are_child_tables_keyed_by_record_and_row(small):
    t = tables(small["root"])
    citizens = t.repeats("service_user_check")["citizens"]
    mine = citizens[citizens["record"] == small["first"]]
    assert list(mine["row"]) == [1, 2] and list(mine["trips"]) == [1, 3]
    assert mine["trip_reason"].tolist()[1] == "missing_material system" and pd.isna(mine["trip_reason"].iloc[0])
    assert citizens.attrs["multiple"]["trip_reason"][:2] and citizens["trips"].dtype.kind in "if"
    labelled = t.repeats("service_user_check", labels=True)["citizens"]
    assert labelled[labelled["record"] == small["first"]]["user_type"].tolist() == ["个人", "企业"]


def test_citizens_phone_numbers_are_masked_as_in_the_reports_unless_asked(small):
    masked = tables(small["root"]).repeats("service_user_check")["citizens"]
    assert masked["callback_phone"].iloc[0] == "138****5678"
    assert "139****4321" in masked["comment"].iloc[1]
    plain = tables(small["root"], mask=False).repeats("service_user_check")["citizens"]
    assert plain["callback_phone"].iloc[0] == "13812345678"


def test_a_unit_s_published_hotline_stays_whole_as_in_the_reports(demo):
    """The analysis frames mask each text answer with the reports' own masking (``reports.mask_value``): the
    published hotline (被测咨询电话, kind ``official``) is no one's personal number and stays whole — the analysis
    used to mask it as free text (0432-****1423) while the evidence workbook showed 0432-60131423."""
    masked, plain = demo.records("hotline_test"), tables(DEMO, stability=False, mask=False).records("hotline_test")
    assert masked["hotline_number"].tolist() == plain["hotline_number"].tolist()
    assert masked["hotline_number"].str.fullmatch(r"0\d{2,3}-\d{7,8}").all()


def test_the_codebook_lists_fields_labels_and_choices(small):
    book = tables(small["root"]).codebook("service_user_check")
    row = book[book["field"] == "callback_phone"].iloc[0]
    assert row["repeat"] == "citizens" and row["personal"] == "phone"
    assert "person=个人" in book[book["field"] == "user_type"].iloc[0]["choices"]


def test_unknown_names_are_said_with_a_suggestion(small):
    t = tables(small["root"])
    with pytest.raises(ValueError, match="是否应为「site_visit」"):
        t.records("site_visits")
    with pytest.raises(ValueError, match="不是 evalkit 项目"):
        tables(small["root"] / "raw")


@pytest.fixture(scope="module")
def demo():
    return tables(DEMO, stability=False)


def test_scores_long_and_totals_agree_with_the_evaluation(demo):
    evaluation = demo.evaluation
    scores = demo.scores()
    n_ind = len(demo.project.framework.indicators)
    assert len(scores) == len(evaluation.units) * n_ind
    one = evaluation.units[0]
    mine = scores[scores["unit"] == one.unit].set_index("indicator")
    assert mine.loc["2.2.1", "score"] == pytest.approx(one.leaf("2.2.1").score)
    assert mine.loc["2.2", "score"] == pytest.approx(one.node("2.2").score)
    assert mine.loc[[c for c in mine.index if c.startswith("2.2.")], "score"].sum() == pytest.approx(one.node("2.2").score)
    totals = demo.totals().set_index("unit")
    for u in evaluation.units:
        row = totals.loc[u.unit]
        assert (row["total"], None if pd.isna(row["rank"]) else row["rank"], None if pd.isna(row["grade"]) else row["grade"]) \
            == (pytest.approx(u.total), u.rank, u.grade)  # a provisional (待定) unit has neither rank nor grade
    assert totals.attrs["labels"]["total"] == "总分"


def test_totals_carry_the_rank_stability_interval():
    totals = tables(DEMO).totals()
    assert totals["total_low"].notna().all() and (totals["total_low"] <= totals["total_high"]).all()
    ranked = totals[totals["rank"].notna()]
    assert (ranked["rank_best"] <= ranked["rank"]).all() and (ranked["rank"] <= ranked["rank_worst"]).all()


def test_the_trace_lists_used_and_left_out_records_with_why(small):
    t = tables(small["root"], stability=False)
    leaf = t.evaluation.unit("c1-01").leaf("2.2.1")
    trace = t.trace("c1-01", "2.2.1")
    assert trace.set_index("record")["used"].to_dict() == {small["first"]: True, small["later"]: False}
    assert trace.set_index("record").loc[small["later"], "reason"] == "not_approved"
    assert "已接收" in trace.set_index("record").loc[small["later"], "detail"]
    assert trace.attrs["figures"] == leaf.figures and trace["instrument"].eq("service_user_check").all()
    assert t.trace("c1-03", "2.2.1").set_index("record").loc[small["gone"], "reason"] == "deleted"
    with pytest.raises(ValueError, match="不是末级指标"):
        t.trace("c1-01", "2.2")
    with pytest.raises(ValueError, match="没有单位「c1-99」"):
        t.trace("c1-99", "2.2.1")


def test_problems_gather_validation_scoring_and_checks_errors_first(demo):
    problems = demo.problems()
    assert {"record-duplicate", "rater-deviates", "logic-connected-exceeds-made"} <= set(problems["code"])
    assert problems["severity"].iloc[0] == "error" and problems.attrs["labels"]["message"] == "说明"
    assert not problems["message"].str.contains(r"(?<!\d)1[3-9]\d{9}(?!\d)").any()


def test_agreement_per_indicator_uses_the_stats_routines(demo):
    ratings = demo.ratings()
    found = demo.agreement()
    row = found[(found["instrument"] == "expert_review") & (found["indicator"] == "1.1.2")].iloc[0]
    part = ratings[(ratings["instrument"] == "expert_review") & (ratings["indicator"] == "1.1.2")]
    means = part.groupby(["unit", "assessor"])["value"].mean().unstack("assessor")
    data = [[None if pd.isna(v) else v for v in means[a]] for a in means.columns]
    assert row["alpha"] == pytest.approx(krippendorff_alpha(data, "interval"))
    expected = icc([list(means.loc[u].dropna())[:2] for u in means.index], "ICC(1,1)").value  # two raters a unit
    assert row["icc_form"] == "ICC(1,1)" and row["icc"] == pytest.approx(expected)
    assert math.isnan(row["kappa"])  # until evalkit.stats provides Fleiss' kappa
    assert (found["indicator"] == "全部").any() and (found["instrument"] == "多个工具合并").any()


def test_a_crossed_design_gets_icc_2_1():
    rows = [("u1", 1, 2, 3), ("u2", 2, 3, 4), ("u3", 4, 4, 5), ("u4", 5, 5, 5)]
    ratings = pd.DataFrame([{"instrument": "x", "field": "score", "unit": u, "indicator": "1.1", "assessor": a,
                             "record": "r", "row": 1, "code": str(v), "value": float(v)}
                            for u, *vals in rows for a, v in zip("ABC", vals)])
    row = agreement_frame(ratings).iloc[1]
    assert row["icc_form"] == "ICC(2,1)" and row["icc"] == pytest.approx(icc([r[1:] for r in rows], "ICC(2,1)").value)


def test_sampling_estimates_per_stratum_and_weighted_by_the_draw(demo):
    draw = next(d for d in demo.project.draws if d.draw_id.startswith("callback"))
    found = demo.estimates(draw.draw_id, "service_user_check", lambda df: df["trips"].le(1).where(df["trips"].notna()),
                           repeat="citizens", id_field="case_id")
    assert len(found) == len(draw.strata) + 1 and found["stratum"].iloc[-1] == "合计"
    first = found.iloc[0]
    assert first["lower"] <= first["p"] <= first["upper"] and first["name"]
    citizens = demo.repeats("service_user_check")["citizens"]
    counted = citizens[~citizens["deleted"] & (citizens["state"] == "approved")]
    outcomes = {i: bool(t <= 1) for i, t in zip(counted["case_id"], counted["trips"]) if pd.notna(t)}
    known = set(draw.ids()) | set(draw.reserve_ids())
    assert found["p"].iloc[-1] == pytest.approx(draw_estimate(draw, {i: v for i, v in outcomes.items() if i in known}).p)


def test_a_what_if_takes_every_unit_the_tables_scored_when_it_changes_only_a_threshold():
    found = tables(DEMO)   # with the rank-stability draws, as a notebook has them
    base = found.evaluation
    kept = found.project.scored_units
    assert (kept.scored, kept.taken) == (len(base.units), 0)
    what_if = found.evaluate({"thresholds": {"2.2.1": {"full": "90%"}}})
    assert what_if.evaluation != base and kept.taken == len(base.units)   # every unit's tallies and draws taken again
    alone = Tables(DEMO, overrides=what_if.overrides)   # a project of its own: nothing to take
    assert what_if.evaluation == alone.evaluation and alone.project.scored_units.taken == 0


def test_a_what_if_is_another_table_and_compares_with_spearman(demo):
    what_if = demo.evaluate({"points": {"1": 50, "2": 50}})
    assert isinstance(what_if, Tables) and "假设" in repr(what_if)
    compared = demo.compare(what_if)
    assert len(compared) == len(demo.evaluation.units) and compared["change"].abs().sum() > 0
    rho = demo.rank_correlation(what_if).set_index("category")
    part = compared[compared["category"] == "5"]
    assert rho.loc["5", "spearman_rho"] == pytest.approx(spearmanr(part["rank_before"].astype(float),
                                                                   part["rank_after"].astype(float)).statistic)
    same = demo.rank_correlation(demo)
    assert same["spearman_rho"].tolist() == pytest.approx([1.0] * len(same)) and (same["rank_changed"] == 0).all()
    with pytest.raises(evalkit.OverrideError):
        demo.evaluate({"points": {"9": 1}})


def test_rank_correlation_by_hand():
    before = pd.DataFrame({"category": "1", "unit": list("abcd"), "name": list("abcd"), "total": [90, 80, 70, 60],
                           "rank": [1, 2, 3, 4], "grade": ["优秀", "良好", "达标", "达标"]})
    after = before.assign(total=[90, 70, 80, 60], rank=[1, 3, 2, 4], grade=["优秀", "达标", "良好", "达标"])
    compared = compare_totals(before, after)
    assert compared.set_index("unit").loc["b", "rank_change"] == -1 and compared["grade_changed"].sum() == 2
    row = rank_correlation(compared).iloc[0]
    assert row["spearman_rho"] == pytest.approx(1 - 6 * 2 / (4 * 15)) and row["rank_changed"] == 2  # 1 − 6Σd²/n(n²−1)


def test_find_project_names_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALKIT_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="找不到要分析的项目"):
        find_project()
    with pytest.raises(FileNotFoundError, match="不是 evalkit 项目"):
        find_project(tmp_path)
    monkeypatch.setenv("EVALKIT_PROJECT", str(DEMO))
    assert find_project().root == DEMO
    monkeypatch.chdir(DEMO / "raw")
    monkeypatch.delenv("EVALKIT_PROJECT")
    assert find_project().root == DEMO.resolve()


def test_fleiss_kappa_of_nominal_ratings_comes_from_stats():
    """Three assessors classify four units (nominal): the table's κ is stats' Fleiss κ of the same counts."""
    from evalkit.analysis.agreement import _agreement
    from evalkit.stats import category_counts, fleiss_kappa

    given = {"u1": ["a", "a", "a"], "u2": ["a", "b", "b"], "u3": ["b", "b", "b"], "u4": ["a", "a", "b"]}
    group = pd.DataFrame([{"unit": u, "assessor": f"r{i}", "code": c, "value": float(c == "a")}
                          for u, codes in given.items() for i, c in enumerate(codes)])
    expected = fleiss_kappa(*category_counts(list(given.values()))).value
    assert _agreement(group, "nominal")["kappa"] == pytest.approx(expected)
    assert math.isnan(_agreement(group, "interval")["kappa"])  # κ is for categories only


def test_a_cjk_font_installed_after_matplotlib_listed_the_fonts_is_found(monkeypatch):
    """matplotlib keeps its list of the system's fonts in a cache: fonts-noto-cjk installed after the first chart
    was not in it, and the notebooks' Chinese labels came out as empty boxes (seen on a machine whose cache was
    built before the CJK fonts were installed)."""
    from matplotlib import font_manager

    from evalkit.analysis.charts import CJK_FONTS, use_chinese_font

    if not any("CJK" in path or "wqy" in path.lower() for path in font_manager.findSystemFonts()):
        pytest.skip("no CJK font file on this machine (make test installs fonts-noto-cjk)")
    listed = [f for f in font_manager.fontManager.ttflist if f.name not in CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", listed)  # the list as cached before the fonts came
    name = use_chinese_font()
    assert name in CJK_FONTS and name in {f.name for f in font_manager.fontManager.ttflist}
    assert font_manager.findfont(name, fallback_to_default=False)
