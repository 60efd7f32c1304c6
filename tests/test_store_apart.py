"""A verified read on two cores (issue 19, evalkit.store.apart): the packs verified in a forked child while the
views are made as if they were known clean — the very snapshot of the read on one core, whether the packs are
clean, forged, or the child gives no answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_store_read_views import fill, same_views

from evalkit.io import durable
from evalkit.store import Store, build_pack, pack_name, pack_store
from evalkit.store import snapshot as snapshot_module

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="a child is made with fork")


def reads(monkeypatch) -> list[frozenset[str]]:
    """The packs each read in this process took as known clean (the store's one-core read, spied on)."""
    seen: list[frozenset[str]] = []
    real = snapshot_module._read

    def spy(raw, only, verify, known_clean):
        seen.append(known_clean)
        return real(raw, only, verify, known_clean)

    monkeypatch.setattr(snapshot_module, "_read", spy)
    return seen


def same_snapshot(got, want) -> None:
    same_views(got.views, want.views)
    assert [p.to_dict() for p in got.problems] == [p.to_dict() for p in want.problems]
    assert got.revision_list() == want.revision_list() and got.clean_packs == want.clean_packs
    assert (got.missing, got.packs, got.loose, got.left_out) == (want.missing, want.packs, want.loose, want.left_out)


def test_clean_packs_are_verified_apart_and_the_snapshot_is_the_one_core_one(tmp_path, monkeypatch):
    store, ids = fill(tmp_path, 30)
    pack_store(store.raw)
    store.edit(ids[3], answers={"visit_date": "2018-11-09"}, who="李四", why="补录")   # one record's head loose
    one_core = Store(tmp_path).snapshot(verify=True)
    seen = reads(monkeypatch)
    apart = Store(tmp_path).snapshot(verify=True, apart=True)
    pack = next((store.raw / "packs").glob("*.pack")).name
    assert seen == [frozenset({pack})]   # read once, the pack taken as known clean while the child verified it
    assert apart.clean_packs == {pack} and "views" in apart.__dict__
    same_snapshot(apart, one_core)
    seen.clear()
    known = Store(tmp_path).snapshot(verify=True, known_clean={pack}, apart=True)   # nothing left to verify apart
    assert seen == [frozenset({pack})]
    same_snapshot(known, one_core)


def test_a_forged_pack_is_read_again_the_long_way_and_its_problem_named(tmp_path, monkeypatch):
    """A pack rewritten with a forged revision and named by its new hash: the child finds it unclean, so the read
    made as if it were clean is thrown away and the store read again, verifying it — the problem named as ever."""
    store, _ = fill(tmp_path, 12)
    items = [(r, Path(r.path).read_bytes()) for v in store.snapshot().views for r in store.history(v.instance_id)]
    forged = (items[-1][0], items[-1][1].replace(b'"2018-11-05"', b'"2018-11-04"'))
    assert forged[1] != items[-1][1]
    data = build_pack(items[:-1] + [forged])
    for r, _ in items:
        os.chmod(r.path, 0o644)
        Path(r.path).unlink()
    durable.write_new(store.raw / "packs" / pack_name(data), data)
    one_core = Store(tmp_path).snapshot(verify=True)
    assert any(p.code == "record-hash-mismatch" for p in one_core.problems) and not one_core.clean_packs
    seen = reads(monkeypatch)
    apart = Store(tmp_path).snapshot(verify=True, apart=True)
    assert seen == [frozenset({pack_name(data)}), frozenset()]
    same_snapshot(apart, one_core)


@pytest.mark.parametrize("how", ["fails", "cannot fork"])
def test_without_the_childs_answer_the_store_is_read_on_one_core(tmp_path, monkeypatch, how):
    store, _ = fill(tmp_path, 12)
    pack_store(store.raw)
    one_core = Store(tmp_path).snapshot(verify=True)
    if how == "fails":
        def broken(raw, paths):
            raise OSError("磁盘已满")
        monkeypatch.setattr("evalkit.store.apart.clean_packs", broken)   # the child runs it: it has this process's code
    else:
        monkeypatch.setattr("evalkit.store.apart.can_fork", lambda: False)
    seen = reads(monkeypatch)
    apart = Store(tmp_path).snapshot(verify=True, apart=True)
    assert seen[-1] == frozenset() and len(seen) == (2 if how == "fails" else 1)
    same_snapshot(apart, one_core)


def test_the_child_verifies_without_making_views(tmp_path, monkeypatch):
    """clean_packs is a verified read's verdict on each pack, with no view made (the child's work is only that)."""
    from evalkit.store.apart import clean_packs

    store, _ = fill(tmp_path, 12)
    pack_store(store.raw)
    paths = sorted((store.raw / "packs").glob("*.pack"))

    def no_view(*args):
        raise AssertionError("a view was made")

    with monkeypatch.context() as patched:
        patched.setattr("evalkit.store.reading.head_view", no_view)
        patched.setattr("evalkit.store.reading.share_answers", no_view)
        assert clean_packs(store.raw, paths) == {p.name for p in paths}
    assert clean_packs(store.raw, paths) == {p.name for p in paths} == Store(tmp_path).snapshot(verify=True).clean_packs


def test_a_recorded_set_read_apart_is_the_one_core_read_of_that_set(tmp_path, monkeypatch):
    """``evalkit rerun --verify`` reads the recorded revisions only: read apart (the packs taken as known clean while
    the child verifies them), the views of a set that leaves later revisions out are the one-core read's."""
    store, ids = fill(tmp_path, 20)
    recorded = Store(tmp_path).snapshot().revisions
    for iid in ids[:6]:   # edited and reviewed after the run that recorded the set
        store.review(iid, state="has_issues", who="组长", comment="照片不清，请补拍")
    pack_store(store.raw)
    one_core = Store(tmp_path).snapshot(only=recorded, verify=True)
    assert one_core.left_out >= 6 and not one_core.missing
    seen = reads(monkeypatch)
    apart = Store(tmp_path).snapshot(only=recorded, verify=True, apart=True)
    assert len(seen) == 1 and seen[0]   # read once, its pack taken as known clean
    same_snapshot(apart, one_core)
