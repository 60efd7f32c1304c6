"""What-ifs scored in memory (evalkit.project.whatif): a hand-worked threshold change, weights, grades,
adjustments, every mistake named, and the project's files untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from scoring_helpers import Records, shipped_instruments

import evalkit
from evalkit.project import OverrideError, Overrides, grade_bands, init_project, rule_with
from evalkit.scoring import GradeBand, parse_rule

ROOT = Path(__file__).resolve().parent.parent


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the folder with its sha256 (what "untouched" means)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def citizens(yes: int, no: int) -> list[dict]:
    """A service-user spot check: ``yes`` cases done on the spot, ``no`` not (2.2.1 即办件的即办比率)."""
    return [{"case_kind": "instant", "instant_done": "yes", "trips": 1}] * yes + \
        [{"case_kind": "instant", "instant_done": "no", "trips": 2}] * no


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A province-2018 project (evalkit init) with one spot check for three units of category 1."""
    root = tmp_path_factory.mktemp("whatif") / "p"
    init_project(root, "province-2018", "假设测试")
    records = Records(root, shipped_instruments())
    for unit, (yes, no) in {"c1-01": (9, 1), "c1-02": (8, 2), "c1-03": (10, 0)}.items():
        records.add("service_user_check", unit, {"check_mode": "phone", "citizens": citizens(yes, no)})
    return evalkit.open_project(root)


def leaf(evaluation, unit: str, code: str) -> float | None:
    return evaluation.unit(unit).leaf(code).score


def test_lowering_the_instant_rate_threshold_changes_exactly_the_hand_worked_points(project):
    """2.2.1 is rate(… instant_done = 'yes', full=95%, zero=60%, min_n=10): 4 points × (share − 60 %) / 35 %.

    c1-01 9/10 = 90 %: 4 × 0.30/0.35 = 3.428571 → with full=90 %: 4 (at the threshold), +0.571429
    c1-02 8/10 = 80 %: 4 × 0.20/0.35 = 2.285714 → 4 × 0.20/0.30 = 2.666667, +0.380952
    c1-03 10/10 = 100 %: 4 → 4, unchanged; every other unit and every other leaf unchanged.
    """
    before = snapshot(project.root)
    base, _ = evalkit.evaluate(project, stability=False)
    what_if, _ = evalkit.evaluate(project, stability=False, overrides={"thresholds": {"2.2.1": {"full": "90%"}}})
    assert leaf(base, "c1-01", "2.2.1") == pytest.approx(4 * 0.30 / 0.35)
    assert leaf(base, "c1-02", "2.2.1") == pytest.approx(4 * 0.20 / 0.35)
    assert leaf(base, "c1-03", "2.2.1") == pytest.approx(4.0)
    assert leaf(what_if, "c1-01", "2.2.1") == pytest.approx(4.0)
    assert leaf(what_if, "c1-02", "2.2.1") == pytest.approx(4 * 0.20 / 0.30)
    assert leaf(what_if, "c1-03", "2.2.1") == pytest.approx(4.0)
    changed = {u.unit: round(w.total - u.total, 6) for u, w in zip(base.units, what_if.units) if w.total != u.total}
    # totals are kept to the cent (issue 18), the leaves above exactly: the difference within a cent
    assert changed == {"c1-01": pytest.approx(0.571429, abs=0.01), "c1-02": pytest.approx(0.380952, abs=0.01)}
    for u, w in zip(base.units, what_if.units):
        assert [(s.indicator, s.score) for s in u.leaves if s.indicator != "2.2.1"] == \
            [(s.indicator, s.score) for s in w.leaves if s.indicator != "2.2.1"]
    assert "≥ 90 % 得满分" in what_if.unit("c1-02").leaf("2.2.1").figures
    assert snapshot(project.root) == before  # nothing written, nothing changed
    assert leaf(evalkit.evaluate(project, stability=False)[0], "c1-01", "2.2.1") == pytest.approx(4 * 0.30 / 0.35)


def test_a_whole_rule_replaced(project):
    rule = "rate(where=service_user_check.citizens.trips <= 1, full=100%, zero=0%, min_n=1)"
    what_if, _ = evalkit.evaluate(project, stability=False, overrides={"rules": {"2.2.1": rule}})
    assert leaf(what_if, "c1-02", "2.2.1") == pytest.approx(4 * 0.8)


def test_a_parent_s_new_points_are_spread_over_its_children_and_must_add_up(project):
    what_if, _ = evalkit.evaluate(project, stability=False, overrides=Overrides(points={"1": 50, "2": 50}))
    c1 = what_if.unit("c1-01")
    assert c1.leaf("2.2.1").points == pytest.approx(4 * 50 / 60)
    assert c1.leaf("1.1.1").points == pytest.approx(4 * 50 / 40)
    assert sum(s.points for s in c1.leaves if s.indicator.startswith(("1.", "2."))) == pytest.approx(100)
    assert c1.leaf("2.2.1").score == pytest.approx(4 * 50 / 60 * 0.30 / 0.35)
    with pytest.raises(OverrideError, match="2.2 为 24 分") as caught:
        evalkit.evaluate(project, stability=False, overrides={"points": {"2.2.1": 8}})
    assert caught.value.problems and caught.value.problems[0].code == "points-sum-mismatch"
    traded, _ = evalkit.evaluate(project, stability=False, overrides={"points": {"2.2.1": 6, "2.2.2": 2}})
    assert traded.unit("c1-03").leaf("2.2.1").score == pytest.approx(6.0)


def test_grade_cut_offs_category_weights_and_adjustments(project):
    base, _ = evalkit.evaluate(project, stability=False)
    total = base.unit("c1-03").total
    what_if, _ = evalkit.evaluate(project, stability=False, overrides={
        "grades": {"*": {"优秀": total - 1, "良好": total - 2, "达标": 1, "不达标": None}},
        "category_weights": {"1": 0.5},
        "events": [{"id": "W1", "unit": "c1-03", "kind": "falsification", "evidence": "假设的核查结论"}],
        "rank_provisional": True})  # a project this small has leaves without evidence: totals are 待定
    c3 = what_if.unit("c1-03")
    assert c3.total == pytest.approx(total - 15) and c3.weight == 0.5
    assert c3.grade == "不达标" if total - 15 < 1 else "达标"
    assert [e.id for e in c3.events] == ["W1"]
    dropped, _ = evalkit.evaluate(project, stability=False, overrides={"include_received": True})
    assert dropped.settings.include_received is True


@pytest.mark.parametrize("overrides, all_taken", [
    ({"thresholds": {"2.2.1": {"full": "90%"}}}, True),
    ({"thresholds": {"2.2.1": {"min_n": 20}}}, True),          # flagged rather than scored: still resampled
    ({"points": {"2.2.1": 6, "2.2.2": 2}}, True),
    ({"grades": {"*": {"优秀": 80, "良好": 70, "达标": 60, "不达标": None}}}, True),
    ({"events": [{"id": "W1", "unit": "c1-03", "kind": "falsification", "evidence": "假设的核查结论"}]}, True),
    ({"rank_provisional": True}, True),
    ({"include_received": True}, False),                       # other records counted: every unit anew
    ({"rules": {"2.2.1": "rate(where=service_user_check.citizens.trips <= 1, full=100%, zero=0%, min_n=1)"}}, False),
], ids=["threshold", "min_n", "points", "grades", "event", "provisional", "received", "rule"])
def test_a_what_if_takes_the_units_it_shares_with_the_scoring_before_and_scores_the_same(project, overrides, all_taken):
    kept = evalkit.scoring.UnitsInMemory()
    base, _ = evalkit.evaluate(project, draws=50, reuse=kept)
    assert kept.taken == 0 and kept.scored == len(base.units) == len(kept)
    alone, _ = evalkit.evaluate(project, draws=50, overrides=overrides)
    again, _ = evalkit.evaluate(project, draws=50, overrides=overrides, reuse=kept)
    assert again == alone   # every leaf, trace, total, grade, rank and rank-stability draw
    assert kept.taken == (len(base.units) if all_taken else 0)
    assert again != base or overrides == {"rank_provisional": True}


def test_units_in_memory_let_the_least_recently_used_go():
    kept = evalkit.scoring.UnitsInMemory(limit=2)
    for key in ("a", "b"):
        kept.put(key, key)
    assert kept.get("a") == "a"
    kept.took("a")                     # "b" is now the least recently used
    kept.put("c", "c")
    assert kept.get("b") is None and kept.get("a") == "a" and kept.get("c") == "c" and len(kept) == 2
    kept.took("a")
    kept.took("c")
    assert (kept.taken, kept.scored) == (3, 3)


def test_grade_bands_from_cut_offs():
    bands = grade_bands({"优秀": 85, "良好": 75, "达标": 60, "不达标": None})
    assert bands == (GradeBand("优秀", 85.0, None), GradeBand("良好", 75.0, 85.0), GradeBand("达标", 60.0, 75.0),
                     GradeBand("不达标", None, 60.0))
    assert grade_bands({"合格": 60, "不合格": 0})[-1] == GradeBand("不合格", None, 60.0)  # the lowest is open below


@pytest.mark.parametrize("overrides, words", [
    ({"thresholds": {"2.2.9": {"full": 0.9}}}, "没有指标「2.2.9」，是否应为「2.2.6」"),
    ({"thresholds": {"2.2.1": {"fulll": 0.9}}}, "不认识参数「fulll」"),
    ({"thresholds": {"2.2.1": {"full": "120%"}}}, "超过 100%"),
    ({"thresholds": {"2.2": {"full": 0.9}}}, "有下级指标"),
    ({"thresholds": {"2.2.1": {"full": "95%)("}}}, "无法解析"),
    ({"rules": {"2.2.1": "rate(where=foo.bar = 1, full=90%, zero=50%)"}}, "调查工具「foo」不存在"),
    ({"thresholdz": {}}, "是否应为「thresholds」"),
    ({"points": {"2": -1}}, "不小于 0"),
    ({"grades": {"9": {"优秀": 90}}}, "没有类别「9」"),
    ({"category_weights": {"1": "x"}}, "绩效权重"),
    ({"events": [{"id": "W", "unit": "c1-99", "kind": "falsification"}]}, "c1-99"),
    ({"events": [{"id": "W", "unit": "c1-01", "kind": "falsificatio"}]}, "是否应为「falsification」"),
    ({"drop_events": ["nope"]}, "没有编号为「nope」"),
    ({"manual": [{"unit": "c1-01", "indicator": "3.1", "points": 12, "justification": "x"}]}, "不在 0 到 10 之间"),
])
def test_every_mistake_in_an_override_is_named(project, overrides, words):
    with pytest.raises(OverrideError, match=words.replace("(", r"\(").replace(")", r"\)")):
        evalkit.evaluate(project, stability=False, overrides=overrides)


def test_rule_text_is_written_back_so_that_it_parses_to_the_same_rule():
    fw, _ = evalkit.load_framework(ROOT / "instruments" / "frameworks" / "province-2018.xlsx")
    rules = [i.rule for i in fw.indicators if i.rule and "(" in i.rule]
    assert len(rules) >= 28
    for text in rules:
        assert parse_rule(rule_with(text, {})).params == parse_rule(text).params, text
    changed = parse_rule(rule_with(rules[0], {"min_n": 3, "insufficient": "zero"}))
    assert changed.get("min_n") == 3.0 and changed.get("insufficient") == "zero"


def test_overrides_describe_themselves():
    ov = Overrides.of({"thresholds": {"2.2.1": {"full": "90%"}}, "points": {"1": 50}})
    assert ov and not Overrides()
    assert ov.describe() == ["指标 2.2.1 规则参数 full = 0.9", "指标 1 分值改为 50"]
