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


def _queue(tmp_path, n=4):
    root = tmp_path / "eval"
    init_project(root, "province-2018")
    records = Records(root, shipped_instruments())
    ids = [records.add("hotline_test", f"c1-0{i + 1}", {"visit_date": f"2018-11-2{i}"}, state="received",
                       assessor="孙评估") for i in range(n)]
    records.add("hotline_test", "c1-01", {"visit_date": "2018-11-01"}, state="approved")
    return root, records, ids


def test_the_queue_opens_on_the_received_records_newest_first_with_the_count_of_every_state(tmp_path):
    root, _, ids = _queue(tmp_path)
    view = ReviewView(current_project(root), reviewer="组长")
    assert view.state.value == "received"
    assert [label for label, _ in view.state.options] == ["已接收 4", "存疑 0", "已通过 1", "已退回 0", "全部 5"]
    assert view.ids == list(reversed(ids)) and view.listing.value == ids[-1]
    assert "第 1 / 4 条" in view.position.value
    view.order.value = "unit"
    assert view.ids == ids


def test_three_approvals_in_a_row_with_next(tmp_path):
    root, _, ids = _queue(tmp_path)
    view = ReviewView(current_project(root), reviewer="组长")
    decided = []
    for _ in range(3):
        decided.append(view.listing.value)
        view.decide("approved")
        assert "已通过" in view.detail.value and view.listing.value == decided[-1]  # stays until 「下一条」
        view.step(1)
    assert decided == list(reversed(ids))[:3]
    assert view.listing.value == ids[0] and "第 1 / 1 条" in view.position.value
    assert view.state.options[0][0] == "已接收 1" and view.state.options[2][0] == "已通过 4"
    assert all(view.store.get(r).state == "approved" for r in decided)


def test_a_query_is_answered_from_my_records_and_comes_back_to_the_queue(tmp_path):
    from evalkit.app.records import RecordsView

    root, _, ids = _queue(tmp_path, n=1)
    project = current_project(root)
    view = ReviewView(project, reviewer="组长")
    view.comment.value = "通话时长与录音不符，请核实"
    view.decide("has_issues")
    mine = RecordsView(project, {"assessor": "孙评估"})
    box = mine.returned.children[0]
    assert "通话时长与录音不符，请核实" in box.children[0].value and " returned" in box.children[0].value
    box.children[1].value = "已复听录音：时长 3 分 20 秒，回答无误"
    box.children[2].children[0].click()
    assert "已答复" in mine.head.value and mine.returned.children == ()
    record = project.store.get(ids[0])
    assert record.state == "received" and record.answers == project.store.history(ids[0])[0].answers
    back = ReviewView(project, reviewer="组长")
    assert back.listing.value == ids[0]
    assert "审核：存疑：通话时长与录音不符，请核实" in back.detail.value
    assert "答复：已复听录音：时长 3 分 20 秒，回答无误" in back.detail.value
    back.decide("approved")
    assert project.store.get(ids[0]).state == "approved"


def test_a_duplicate_is_voided_with_a_reason_from_the_problem_that_found_it(tmp_path):
    root, records, ids = _queue(tmp_path, n=1)
    twin = records.add("hotline_test", "c1-01", {"visit_date": "2018-11-20"}, state="received", assessor="孙评估")
    view = ReviewView(current_project(root), reviewer="组长", record=twin)
    assert view.listing.value == twin and view.void_box.layout.display == "flex"
    assert ids[0] in view.void_note.value and "疑似重复" in view.void_note.value
    view.void()
    assert "作废记录必须填写原因" in view.message.value and not view.store.get(twin).deleted
    view.void_reason.value = f"与记录 {ids[0][:8]} 重复提交"
    view.void()
    voided = view.store.get(twin)
    assert voided.deleted and view.store.history(twin)[-1].why == f"与记录 {ids[0][:8]} 重复提交"
    assert twin not in view.ids and "已作废" in view.message.value
    assert "作废" in view.detail.value or view.listing.value != twin


def test_a_link_to_a_record_that_is_not_there_says_so(tmp_path):
    root, _, _ = _queue(tmp_path, n=1)
    view = ReviewView(current_project(root), reviewer="组长", record="0" * 32)
    assert "找不到记录" in view.message.value
