"""The append-only record store (raw/) and the drafts (drafts/).

What matters most: a record is never lost, never silently changed, never
overwritten; a damaged file is reported with its path and never hides the others.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.io import durable
from evalkit.problems import catalogue
from evalkit.store import SCHEMA, Drafts, Store, encode

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=CST)
SHA = "ab" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 100


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def submit(store: Store, answers: dict | None = None, **kw) -> object:
    args = dict(instrument_id="site_visit", instrument_version="2024050101", instrument_sha256=SHA, unit="c1-01",
                assessor="zhang", answers={"q1": "是"} if answers is None else answers, started=at(0), now=at(10))
    args.update(kw)
    return store.submit(**args)


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def damage(path: str | Path, data: bytes) -> None:
    """Simulate damage done outside evalkit (record files are read-only)."""
    os.chmod(path, 0o644)
    Path(path).write_bytes(data)


def merge(source: Path, target: Path) -> None:
    """Copy the files of one raw/ into another, as an assessor would: existing names are skipped."""
    for path in source.rglob("*.json"):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            shutil.copy2(path, dest)


# ---------------------------------------------------------------- submit / edit / delete / review


def test_submit_writes_one_complete_file(tmp_path):
    store = Store(tmp_path)
    rev = submit(store, {"名称": "吉林市政务服务中心", "items": [{"a": 1}], "pick": ["x", "y"], "d": "2024-05-01"})
    path = tmp_path / "raw" / rev.instance_id / f"{rev.revision_id}.json"
    assert rev.path == str(path)
    data = path.read_bytes()
    assert rev.revision_id == hashlib.sha256(data).hexdigest()  # named by the hash of its canonical bytes
    assert data == json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    doc = json.loads(data)
    assert doc["schema"] == SCHEMA == "evalkit.record/2" and "revision_id" not in doc
    assert doc["kind"] == "submission" and doc["parent"] is None and doc["state"] == "received"
    assert doc["instrument_id"] == "site_visit" and doc["instrument_sha256"] == SHA and doc["unit"] == "c1-01"
    assert doc["started"] == "2024-05-01T09:00:00+08:00" and doc["ended"] == doc["when"] == "2024-05-01T09:10:00+08:00"
    assert doc["answers"]["items"] == [{"a": 1}]
    assert "吉林市政务服务中心" in path.read_text(encoding="utf-8")  # readable UTF-8, not \u escapes
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    if os.name != "nt":
        assert path.stat().st_mode & 0o222 == 0  # read-only: no editor changes it in place by accident
    view = store.get(rev.instance_id)
    assert view.answers == doc["answers"] and view.revisions == 1 and not view.deleted and not view.conflicted


def test_default_now_is_timezone_aware_utc(tmp_path):
    store = Store(tmp_path)
    rev = store.submit(instrument_id="i", instrument_version="1", instrument_sha256=SHA, unit="c1-01",
                       assessor="a", answers={}, started="2024-05-01T09:00:00+08:00")
    assert rev.when_time.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="时区"):
        submit(store, started=datetime(2024, 5, 1, 9, 0))
    with pytest.raises(ValueError, match="时区"):
        submit(store, now=datetime(2024, 5, 1, 9, 0))


def test_edit_adds_a_revision_pointing_at_its_parent(tmp_path):
    store = Store(tmp_path)
    first = submit(store, {"q1": "是", "n": 3})
    second = store.edit(first.instance_id, answers={"q1": "否", "n": 4}, who="li", why="复核时发现填错", now=at(20))
    assert second.parent == first.revision_id and second.kind == "edit" and second.why == "复核时发现填错"
    history = store.history(first.instance_id)
    assert [r.revision_id for r in history] == [first.revision_id, second.revision_id]
    assert history[0].answers == {"q1": "是", "n": 3}  # the old revision is untouched
    view = store.get(first.instance_id)
    assert view.answers == {"q1": "否", "n": 4} and view.revisions == 2 and view.current == second.revision_id
    assert view.assessor == "zhang" and view.unit == "c1-01"  # edits keep who submitted


@pytest.mark.parametrize("why", ["", "   ", None])
def test_edit_and_delete_require_a_reason(tmp_path, why):
    store = Store(tmp_path)
    rev = submit(store)
    with pytest.raises(ValueError, match="必须填写原因"):
        store.edit(rev.instance_id, answers={}, who="li", why=why)
    with pytest.raises(ValueError, match="必须填写原因"):
        store.delete(rev.instance_id, who="li", why=why)
    assert store.get(rev.instance_id).revisions == 1


def test_delete_is_a_revision_and_hides_the_record(tmp_path):
    store = Store(tmp_path)
    kept, gone = submit(store), submit(store, {"q1": "否"})
    rev = store.delete(gone.instance_id, who="li", why="重复录入", now=at(30))
    assert rev.kind == "delete" and rev.parent == gone.revision_id
    view = store.get(gone.instance_id)
    assert view.deleted and view.answers == {"q1": "否"}  # deleted, not destroyed
    assert [v.instance_id for v in store.records()] == [kept.instance_id]
    assert len(store.records(include_deleted=True)) == 2
    with pytest.raises(ValueError, match="已删除"):
        store.edit(gone.instance_id, answers={}, who="li", why="x")
    with pytest.raises(ValueError, match="已删除"):
        store.delete(gone.instance_id, who="li", why="x")


def test_review_states_and_an_edit_resets_the_review(tmp_path):
    store = Store(tmp_path)
    rev = submit(store, {"q1": "是"})
    iid = rev.instance_id
    store.review(iid, state="has_issues", who="lead", comment="照片不清楚", now=at(20))
    view = store.get(iid)
    assert (view.state, view.state_zh, view.comment, view.answers) == ("has_issues", "有问题", "照片不清楚", {"q1": "是"})
    store.review(iid, state="已通过", who="lead", now=at(30))  # Chinese labels are accepted
    assert store.get(iid).state == "approved"
    assert [v.instance_id for v in store.records(state="approved")] == [iid]
    assert store.records(state="已退回") == []
    store.edit(iid, answers={"q1": "否"}, who="zhang", why="补充材料", now=at(40))
    view = store.get(iid)
    assert (view.state, view.comment) == ("received", "")
    assert [r.kind for r in store.history(iid)] == ["submission", "review", "review", "edit"]
    with pytest.raises(ValueError, match="审核状态"):
        store.review(iid, state="done", who="lead")


def test_a_flag_or_rejection_without_a_comment_is_refused_and_nothing_is_written(tmp_path):
    """The review-comment rule lives in the store: every caller (the page, an import) gets the same problem."""
    from evalkit.store import ReviewRefused, review_problems

    store = Store(tmp_path)
    iid = submit(store, {"q1": "是"}).instance_id
    for state in ("has_issues", "rejected", "已退回"):
        with pytest.raises(ReviewRefused) as refused:
            store.review(iid, state=state, who="lead", comment="  ")
        assert [(p.code, p.record) for p in refused.value.problems] == [("review-comment-missing", iid)]
    with pytest.raises(ReviewRefused) as refused:
        store.review(iid, state="approved", who=" ")
    assert [p.code for p in refused.value.problems] == ["review-reviewer-missing"]
    assert [r.kind for r in store.history(iid)] == ["submission"] and store.get(iid).state == "received"
    assert review_problems("approved", "lead", "") == []  # an approval needs no comment
    assert [p.code for p in review_problems("rejected", "", "")] == ["review-reviewer-missing",
                                                                     "review-comment-missing"]


def test_records_filters(tmp_path):
    store = Store(tmp_path)
    a = submit(store, unit="c1-01", assessor="zhang")
    b = submit(store, unit="c2-03", assessor="li", instrument_id="hotline_test")
    assert [v.instance_id for v in store.records(unit="c2-03")] == [b.instance_id]
    assert [v.instance_id for v in store.records(assessor="zhang")] == [a.instance_id]
    assert [v.instance_id for v in store.records(instrument="hotline_test")] == [b.instance_id]
    assert store.records(unit="c2-03", assessor="zhang") == []


def test_resubmitting_an_instance_id_is_refused(tmp_path):
    store = Store(tmp_path)
    rev = submit(store)
    before = files_under(tmp_path)
    with pytest.raises(ValueError, match="已经提交过"):
        submit(store, {"q1": "否"}, instance_id=rev.instance_id)
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("answers, message", [
    ({"n": float("nan")}, "有限数字"), ({"s": {1, 2}}, "无法保存"), ({1: "x"}, "不是文本"),
    ({"t": (1, 2)}, "无法保存"), (["q"], "必须是字典"), ({"d": datetime(2024, 1, 1)}, "无法保存"),
])
def test_answers_that_would_not_read_back_exactly_are_refused(tmp_path, answers, message):
    with pytest.raises(ValueError, match=message):
        submit(Store(tmp_path), answers)
    assert not any((tmp_path / "raw").rglob("*.json"))


def test_unsafe_unit_and_bad_instrument_hash_are_refused(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(ValueError, match="被评估单位"):
        submit(store, unit="../c1")
    with pytest.raises(ValueError, match="sha256"):
        submit(store, instrument_sha256="xyz")
    with pytest.raises(ValueError, match="评估员不能为空"):
        submit(store, assessor=" ")


# ---------------------------------------------------------------- conflicts


def two_laptops(tmp_path: Path) -> tuple[Store, str, object, object]:
    """The same record edited on two laptops, then laptop B's raw/ copied into A's."""
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    first = submit(a, {"q1": "是"})
    shutil.copytree(tmp_path / "a" / "raw", tmp_path / "b" / "raw")
    edit_a = a.edit(first.instance_id, answers={"q1": "A"}, who="zhang", why="A 改", now=at(20))
    edit_b = b.edit(first.instance_id, answers={"q1": "B"}, who="li", why="B 改", now=at(25))
    merge(tmp_path / "b" / "raw", tmp_path / "a" / "raw")
    return a, first.instance_id, edit_a, edit_b


def test_two_edits_of_one_parent_are_a_conflict_and_both_are_kept(tmp_path):
    store, iid, edit_a, edit_b = two_laptops(tmp_path)
    view = store.get(iid)
    assert view.conflicted and view.conflicts == (edit_a.revision_id,)
    assert view.current == edit_b.revision_id and view.answers == {"q1": "B"}  # the later one
    assert len(store.history(iid)) == 3
    views, problems = store.load()
    assert codes(problems) == ["record-conflict"] and problems[0].record == iid
    assert edit_a.revision_id in problems[0].message and "解决冲突" in problems[0].message


def write_revision(store: Store, doc: dict) -> str:
    """A revision made outside the Store (another laptop, or by hand), named by its hash."""
    data = encode(doc)
    name = hashlib.sha256(data).hexdigest()
    durable.write_new(store.raw / doc["instance_id"] / f"{name}.json", data)
    return name


def test_conflict_tie_on_time_is_broken_by_revision_hash(tmp_path):
    store = Store(tmp_path)
    first = submit(store)
    revs = [store.edit(first.instance_id, answers={"i": i}, who="x", why="y", now=at(20)) for i in range(2)]
    # the second edit built on the first, so make a real fork: a sibling of revs[0] with the same time
    fork = write_revision(store, {**revs[1].document(), "parent": first.revision_id, "answers": {"i": "fork"}})
    view = store.get(first.instance_id)
    heads = sorted([fork, revs[1].revision_id])
    assert view.current == heads[1] and view.conflicts == (heads[0],)  # the larger hash
    assert store.get(first.instance_id) == view  # deterministic


def test_edit_with_resolve_settles_the_conflict(tmp_path):
    store, iid, edit_a, edit_b = two_laptops(tmp_path)
    rev = store.edit(iid, answers={"q1": "AB"}, who="lead", why="合并两台电脑的修改", resolve=True, now=at(30))
    assert rev.parent == edit_b.revision_id and rev.merges == (edit_a.revision_id,)
    view = store.get(iid)
    assert not view.conflicted and view.answers == {"q1": "AB"} and view.revisions == 4
    assert store.load()[1] == []


# ---------------------------------------------------------------- damaged files


def test_damaged_files_are_reported_with_their_paths_and_the_rest_loads(tmp_path):
    store = Store(tmp_path)
    good = [submit(store, {"i": i}, now=at(i)) for i in range(3)]
    torn = submit(store, {"i": "torn"})
    data = Path(torn.path).read_bytes()
    damage(torn.path, data[: len(data) // 2])
    garbage_dir = tmp_path / "raw" / ("e" * 32)
    garbage_dir.mkdir()
    garbage = garbage_dir / f"{'d' * 64}.json"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    stray = tmp_path / "raw" / "notes.txt"
    stray.write_text("备忘", encoding="utf-8")
    edited = submit(store, {"i": "edited"})
    damage(edited.path, Path(edited.path).read_bytes().replace(b'"edited"', b'"EDITED"'))   # one changed byte
    invalid = submit(store, {"i": "invalid"})
    doc = {k: v for k, v in invalid.document().items() if k != "answers"}
    crafted = store.raw / invalid.instance_id / f"{write_revision(store, doc)}.json"   # well named, not a revision
    views, problems = store.load()
    assert sorted(v.instance_id for v in views) == sorted([r.instance_id for r in good] + [invalid.instance_id])
    assert [v.answers for v in views][:3] == [{"i": 0}, {"i": 1}, {"i": 2}]
    found = {(p.code, p.file) for p in problems}
    assert found == {("record-damaged", torn.path), ("record-damaged", str(garbage)),
                     ("record-stray-file", str(stray)), ("record-hash-mismatch", edited.path),
                     ("record-invalid", str(crafted))}
    assert all(p.file in p.message for p in problems)
    assert "answers" in next(p.message for p in problems if p.code == "record-invalid")
    assert len(store.records()) == 4


def test_a_missing_parent_is_an_orphan_revision(tmp_path):
    store = Store(tmp_path)
    first = submit(store)
    second = store.edit(first.instance_id, answers={"q1": "否"}, who="li", why="改", now=at(20))
    third = store.edit(first.instance_id, answers={"q1": "不适用"}, who="li", why="再改", now=at(30))
    damage(second.path, b'{"schema": "evalkit.rec')  # torn in a copy to a USB stick
    views, problems = store.load()
    assert views[0].answers == {"q1": "不适用"} and views[0].current == third.revision_id
    by_code = {p.code: p for p in problems}
    assert set(by_code) == {"record-damaged", "record-orphan-revision", "record-conflict"}
    assert by_code["record-orphan-revision"].file == third.path
    assert second.revision_id in by_code["record-orphan-revision"].message


def test_problem_codes_are_registered_with_chinese_advice():
    for code in ("record-damaged", "record-invalid", "record-orphan-revision", "record-conflict", "record-stray-file"):
        assert "请" in catalogue()[code].template


# ---------------------------------------------------------------- never overwritten


def next_edit_path(rev, answers: dict, when: datetime) -> Path:
    """Where the edit of ``rev`` with these answers, by li, at ``when`` will be written (its hash name)."""
    doc = {**rev.document(), "parent": rev.revision_id, "kind": "edit", "who": "li", "why": "改",
           "when": when.isoformat(), "answers": answers}
    return Path(rev.path).parent / f"{hashlib.sha256(encode(doc)).hexdigest()}.json"


def test_an_existing_revision_is_never_overwritten(tmp_path):
    store = Store(tmp_path)
    first = submit(store)
    # the same revision twice (same bytes, so the same name) is kept once
    edit = store.edit(first.instance_id, answers={"q1": "否"}, who="li", why="改", now=at(20))
    assert store.edit(first.instance_id, answers={"q1": "否"}, who="li", why="改", now=at(20)).parent == \
        edit.revision_id
    other = submit(store, instance_id=durable.new_id())
    blocker = next_edit_path(other, {"q1": "否"}, at(20))
    blocker.write_bytes(b"not this")   # something else already holds the name
    with pytest.raises(FileExistsError):
        store.edit(other.instance_id, answers={"q1": "否"}, who="li", why="改", now=at(20))
    assert blocker.read_bytes() == b"not this" and store.get(other.instance_id).revisions == 1


def test_write_new_refuses_to_replace_even_between_check_and_link(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    target.write_bytes(b"original")
    with pytest.raises(FileExistsError):
        durable.write_new(target, b"new")
    monkeypatch.setattr(durable.os.path, "lexists", lambda p: False)  # the race: appears after the check
    with pytest.raises(FileExistsError):
        durable.write_new(target, b"new")
    assert target.read_bytes() == b"original" and [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_file_systems_without_hard_links_still_never_overwrite(tmp_path, monkeypatch):
    def no_link(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(durable.os, "link", no_link)
    store = Store(tmp_path)
    first = submit(store)
    assert store.get(first.instance_id).answers == {"q1": "是"}
    blocker = next_edit_path(first, {"q1": "否"}, at(20))
    blocker.write_bytes(b"not this")
    with pytest.raises(FileExistsError):
        store.edit(first.instance_id, answers={"q1": "否"}, who="li", why="改", now=at(20))
    monkeypatch.setattr(durable.os.path, "lexists", lambda p: False)  # appears after the check
    with pytest.raises(FileExistsError):
        store.edit(first.instance_id, answers={"q1": "否"}, who="li", why="改", now=at(20))
    assert blocker.read_bytes() == b"not this"


# ---------------------------------------------------------------- attachments and paths


def test_attachment_is_stored_by_hash_and_referenced(tmp_path):
    store = Store(tmp_path)
    meta = store.save_attachment(JPEG, original_name="大厅 照片.JPG", media_type="image/jpeg", max_bytes=10 << 20)
    sha = hashlib.sha256(JPEG).hexdigest()
    assert meta == {"field": "", "name": f"{sha}.jpg", "sha256": sha, "size": len(JPEG), "media_type": "image/jpeg",
                    "original_name": "大厅 照片.JPG"}
    assert (tmp_path / "raw" / "attachments" / f"{sha}.jpg").read_bytes() == JPEG
    again = store.save_attachment(JPEG, original_name="again.jpg", media_type="", max_bytes=10 << 20)
    assert again["name"] == meta["name"]  # same content twice: checked, not rewritten
    rev = submit(store, {"photo": meta}, attachments=[{**meta, "field": "photo"}])
    assert store.get(rev.instance_id).attachments == ({**meta, "field": "photo"},)
    assert store.load()[1] == []  # raw/attachments/ is not a stray


def test_attachment_over_the_limit_or_of_unknown_type_is_refused(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(ValueError, match=r"超过 5 MB 的上限"):
        store.save_attachment(b"x" * (5 * 1048576 + 1), original_name="big.jpg", media_type="image/jpeg",
                              max_bytes=5 * 1048576)
    with pytest.raises(ValueError, match="不支持"):
        store.save_attachment(b"<html>", original_name="page.html", media_type="text/html", max_bytes=100)
    assert not (tmp_path / "raw" / "attachments").exists() or not any((tmp_path / "raw" / "attachments").iterdir())


def test_submit_refuses_attachments_that_were_not_saved(tmp_path):
    store = Store(tmp_path)
    meta = store.save_attachment(JPEG, original_name="a.jpg", media_type="image/jpeg", max_bytes=1 << 20)
    missing = {**meta, "name": "0" * 64 + ".jpg", "sha256": "0" * 64}
    with pytest.raises(ValueError, match="重新上传"):
        submit(store, attachments=[missing])
    with pytest.raises(ValueError, match="重新上传"):
        submit(store, attachments=[{**meta, "size": 1}])
    with pytest.raises(ValueError, match="只包含"):
        submit(store, attachments=[{**meta, "path": "/etc/passwd"}])


def test_path_traversal_cannot_leave_the_project(tmp_path):
    project = tmp_path / "project"
    store = Store(project)
    rev = submit(store)
    for bad in ["../../x", "..", "", "A" * 32, "a" * 31, "a" * 32 + "\n", "../" + "a" * 29, 12345]:
        for call in (lambda bad=bad: store.get(bad), lambda bad=bad: store.history(bad),
                     lambda bad=bad: store.edit(bad, answers={}, who="x", why="y"),
                     lambda bad=bad: store.delete(bad, who="x", why="y"),
                     lambda bad=bad: store.review(bad, state="approved", who="x"),
                     lambda bad=bad: submit(store, instance_id=bad),
                     lambda bad=bad: Drafts(project).save(bad, {}), lambda bad=bad: Drafts(project).load(bad)):
            with pytest.raises(ValueError, match="uuid"):
                call()
    meta = store.save_attachment(JPEG, original_name="../../etc/passwd", media_type="image/jpeg", max_bytes=1 << 20)
    assert meta["original_name"] == "../../etc/passwd" and "/" not in meta["name"]
    with pytest.raises(ValueError, match="不支持"):
        store.save_attachment(JPEG, original_name="../../etc/passwd", media_type="", max_bytes=1 << 20)
    outside = [p for p in tmp_path.rglob("*") if project not in p.parents and p != project]
    assert outside == []
    assert store.get(rev.instance_id).revisions == 1


# ---------------------------------------------------------------- drafts


def test_drafts_save_load_list_discard(tmp_path):
    drafts = Drafts(tmp_path)
    a, b = durable.new_id(), durable.new_id()
    drafts.save(a, {"instrument": "site_visit", "assessor": "zhang", "answers": {"q1": "是"}}, now=at(1))
    drafts.save(b, {"instrument": "hotline_test", "assessor": "li", "answers": {}}, now=at(2))
    assert drafts.load(a) == {"instrument": "site_visit", "assessor": "zhang", "answers": {"q1": "是"}}
    assert [d["draft_id"] for d in drafts.list()] == [b, a]  # most recent first
    assert [d["draft_id"] for d in drafts.list(assessor="zhang")] == [a]
    assert [d["draft_id"] for d in drafts.list(instrument="hotline_test")] == [b]
    assert drafts.list()[1]["updated"] == "2024-05-01T09:01:00+08:00"
    drafts.discard(a)
    assert drafts.load(a) is None and [d["draft_id"] for d in drafts.list()] == [b]
    drafts.discard(a)  # twice is harmless
    assert drafts.load(durable.new_id()) is None


def test_a_torn_draft_falls_back_to_the_previous_save(tmp_path):
    drafts = Drafts(tmp_path)
    draft_id = durable.new_id()
    drafts.save(draft_id, {"answers": {"q1": "第一次"}}, now=at(1))
    drafts.save(draft_id, {"answers": {"q1": "第二次"}}, now=at(2))
    main = tmp_path / "drafts" / f"{draft_id}.json"
    assert drafts.load(draft_id) == {"answers": {"q1": "第二次"}}
    data = main.read_bytes()
    main.write_bytes(data[: len(data) - 7])  # simulated torn write
    assert drafts.load(draft_id) == {"answers": {"q1": "第一次"}}
    assert [d["answers"] for d in drafts.list()] == [{"q1": "第一次"}]
    # the next save must not rotate the torn file over the good previous one
    drafts.save(draft_id, {"answers": {"q1": "第三次"}}, now=at(3))
    main.write_bytes(b"")
    assert drafts.load(draft_id) == {"answers": {"q1": "第一次"}}
    main.unlink()  # a crash between the two renames
    assert drafts.load(draft_id) == {"answers": {"q1": "第一次"}}


def test_draft_without_any_good_copy_loads_as_none(tmp_path):
    drafts = Drafts(tmp_path)
    draft_id = durable.new_id()
    drafts.save(draft_id, {"a": 1})
    (tmp_path / "drafts" / f"{draft_id}.json").write_text("{", encoding="utf-8")
    assert drafts.load(draft_id) is None and drafts.list() == []
    with pytest.raises(ValueError, match="字典"):
        drafts.save(draft_id, ["not", "a", "dict"])


# ---------------------------------------------------------------- concurrency


def _submit_many(root: str, worker: int, count: int, barrier) -> None:
    store = Store(Path(root))
    barrier.wait()
    for i in range(count):
        submit(store, {"worker": worker, "i": i}, now=None)


def _edit_many(root: str, instance_id: str, worker: int, count: int, barrier) -> None:
    store = Store(Path(root))
    barrier.wait()
    for i in range(count):
        store.edit(instance_id, answers={"worker": worker, "i": i}, who=f"w{worker}", why="并发修改")


def _run(target, args_list) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(args_list))
    procs = [ctx.Process(target=target, args=(*args, barrier)) for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def test_concurrent_submits_lose_and_duplicate_nothing(tmp_path):
    _run(_submit_many, [(str(tmp_path), w, 25) for w in range(4)])
    views, problems = Store(tmp_path).load()
    assert problems == []
    assert sorted((v.answers["worker"], v.answers["i"]) for v in views) == [(w, i) for w in range(4) for i in range(25)]
    assert len({v.instance_id for v in views}) == 100
    assert not [p for p in (tmp_path / "raw").rglob(".*")]  # no temp files left


def test_concurrent_edits_of_one_record_keep_every_revision(tmp_path):
    store = Store(tmp_path)
    iid = submit(store).instance_id
    _run(_edit_many, [(str(tmp_path), iid, w, 5) for w in range(4)])
    history = store.history(iid)
    assert len(history) == 21
    assert sorted((r.answers["worker"], r.answers["i"]) for r in history[1:]) == [(w, i) for w in range(4)
                                                                                 for i in range(5)]
    view = store.get(iid)
    assert view.revisions == 21 and view.current in {r.revision_id for r in history}


# ---------------------------------------------------------------- round trip


TRICKY = st.sampled_from(["<script>alert('x')</script>", '=HYPERLINK("http://evil.example","点我")', "只跑一次",
                          "", " ", "\x00", "a\r\nb", "\u2028", "😀", "+1", "-0", "1e400", "NaN", "null", "'\"\\"])
TEXT = st.one_of(st.text(), TRICKY)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=False, allow_infinity=False), TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(TEXT, inner, max_size=4)), max_leaves=20)


def typed(value):
    """``value`` with every type and key order made visible (True != 1 != 1.0)."""
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(TEXT, VALUES, max_size=8))
def test_answers_round_trip_exactly(tmp_path, answers):
    store = Store(tmp_path)
    rev = submit(store, answers)
    assert typed(store.get(rev.instance_id).answers) == typed(answers)
    assert typed(rev.answers) == typed(answers)
    store.edit(rev.instance_id, answers=answers, who="li", why="原样保存")
    assert typed(store.history(rev.instance_id)[-1].answers) == typed(answers)
