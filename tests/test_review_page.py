"""The review page decides through the store: what the store refuses, the page says, and nothing changes."""

from __future__ import annotations

from scoring_helpers import Records, shipped_instruments

from evalkit.app.pages import current_project
from evalkit.app.review import ReviewView
from evalkit.project import init_project


def _page_with_one_record(tmp_path):
    root = tmp_path / "eval"
    init_project(root, "province-2018")
    record = Records(root, shipped_instruments()).add("hotline_test", "c1-01", {"visit_date": "2018-11-20"},
                                                      state="received")
    view = ReviewView(current_project(root), reviewer="组长")
    view.listing.value = record
    return view, record


def test_sending_back_without_a_comment_shows_the_stores_problem_and_changes_nothing(tmp_path):
    view, record = _page_with_one_record(tmp_path)
    view.decide("rejected")
    assert "必须填写审核意见" in view.message.value and "ek-error" in view.message.value
    assert view.store.get(record).state == "received" and len(view.store.history(record)) == 1
    view.comment.value = "电话号码与台账不符，请核对"
    view.decide("rejected")
    assert view.store.get(record).state == "rejected"
    assert view.store.get(record).comment == "电话号码与台账不符，请核对"


def test_a_decision_without_a_reviewer_is_refused(tmp_path):
    view, record = _page_with_one_record(tmp_path)
    view.reviewer.value = " "
    view.decide("approved")
    assert "没有审核人" in view.message.value
    assert view.store.get(record).state == "received"
