"""The scoring page through its widgets: ranking, scorecard, drill-down to a record, problem filters."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from scoring_helpers import Records, shipped_instruments

from evalkit.app.pages import current_project
from evalkit.app.scoring import ScoringView, full_marks
from evalkit.project import init_project

ROOT = Path(__file__).resolve().parent.parent


def citizen(trips: int) -> dict:
    return {"user_type": "person", "item_name": "营业执照", "case_kind": "instant", "trips": trips}


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    root = tmp_path_factory.mktemp("sp") / "eval"
    init_project(root, "province-2018")
    rec = Records(root, shipped_instruments())
    calls = [{"calls_made": 1, "calls_connected": 1}] * 9 + [{"calls_made": 1, "calls_connected": 0}]
    ids = {"hotline": rec.add("hotline_test", "c1-01", {"calls": calls}),
           "pending": rec.add("hotline_test", "c1-01", {"calls": calls}, state="received")}
    return ScoringView(current_project(root), draws=20), ids


def test_ranking_scorecard_and_drill_down(view):
    page, ids = view
    page.category.value = "1"
    assert "ek-rank-c1-01" in page.ranking.value
    page.unit.value = "c1-01"
    assert "计分卡" in page.card.value and "2.2.3" in page.card.value and "<svg" in page.card.value
    page.leaf.value = "2.2.3"
    # 9 of 10 calls connected; the received record is left out with its reason
    assert "9/10" in page.trace.value
    assert ids["hotline"] in page.trace.value and ids["pending"] in page.trace.value
    page.record.value = ids["hotline"]
    assert ids["hotline"] in page.record_view.value and "修订与审核记录" in page.record_view.value
    assert f"review.ipynb?record={ids['hotline']}" in page.trace.value  # the record ids link to their review view


def test_problem_filters(view):
    page, _ = view
    page.code.value = "coverage-missing"
    assert "coverage-missing" in page.problem_list.value
    page.severity.value = "error"
    assert "<p>0 条</p>" in page.problem_list.value  # coverage-missing is a warning


def test_category_chart_is_drawn_against_the_frameworks_full_marks(view):
    page, _ = view
    assert full_marks(page.evaluation) == 110  # province-2018: 40 + 60 points scored, bonus capped at 10
    assert "/ 110</text>" in page.widget.children[2].value


def test_full_marks_are_the_scored_roots_and_the_bonus_cap_or_a_higher_total():
    nodes = tuple(SimpleNamespace(indicator=code, kind=kind, points=points) for code, kind, points in (
        ("1", "scored", 30.0), ("1.1", "scored", 30.0), ("2", "scored", 50.0), ("3", "bonus", 8.0),
        ("4", "deduction", 5.0)))
    unit = SimpleNamespace(nodes=nodes, bonus_cap=5.0, total=70.0)
    assert full_marks(SimpleNamespace(units=(unit,))) == 85.0
    adjusted = SimpleNamespace(nodes=nodes, bonus_cap=5.0, total=90.0)  # adjustment events above full marks
    assert full_marks(SimpleNamespace(units=(unit, adjusted))) == 90.0


def test_the_page_lists_exactly_the_problems_evalkit_check_lists_on_the_demo(tmp_path, capsys):
    """The page and the command line call the same library functions, so they cannot disagree (they did:
    the page once ran a reduced set of checks and showed 6 problems on the demo where evalkit check showed 8)."""
    import json
    import shutil

    from evalkit.cli.main import main

    root = tmp_path / "demo"
    shutil.copytree(ROOT / "data" / "demo", root, ignore=shutil.ignore_patterns("out"))
    page = ScoringView(current_project(root), draws=5)
    main(["check", str(root), "--json", "--draws", "5"])
    printed = json.loads(capsys.readouterr().out)
    assert printed and [p.to_dict() for p in page.checks] == printed
    shown = {(p.code, p.record, p.indicator) for p in page.problems}
    assert {(p["code"], p["record"], p["indicator"]) for p in printed} <= shown
    assert {"record-duplicate", "rater-deviates", "self-report-outside-interval"} <= {p["code"] for p in printed}


def test_provisional_totals_read_as_on_the_reports(view):
    """A unit with leaves that could not be scored shows 「待定（已计 …）」, no grade and the reason, as the
    reports print it (evalkit.reports.scorecard), never a bare number that looks final."""
    page, _ = view
    page.category.value = "1"
    unit = page.evaluation.unit("c1-01")
    assert unit.provisional  # only hotline records: most leaves lack evidence
    assert f"待定（已计 {unit.total:.2f}）" in page.ranking.value and "<th>待定原因</th>" in page.ranking.value
    page.unit.value = "c1-01"
    assert "总分待定：" in page.card.value and "等级 待定" in page.card.value
    header = page.widget.children[1].value
    assert "名次稳定性" not in header and "随机种子" in header and "待定" in header


def test_links_open_a_units_card_and_a_leafs_trace_and_a_problems_record(view):
    page, ids = view
    page.category.value = "1"
    assert "scoring.ipynb?unit=c1-01" in page.ranking.value
    page.unit.value = "c1-01"
    assert "scoring.ipynb?unit=c1-01&amp;leaf=2.2.3" in page.card.value
    linked = ScoringView(page.project, draws=5, params={"unit": "c1-01", "leaf": "2.2.3"})
    assert linked.unit.value == "c1-01" and "9/10" in linked.trace.value
    with_record = [p for p in page.problems if p.record and len(p.record) == 32]
    if with_record:
        page.severity.value, page.code.value = "", with_record[0].code
        assert f"review.ipynb?record={with_record[0].record}" in page.problem_list.value
