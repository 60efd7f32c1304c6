"""The views a verified read makes as it verifies each pack (issue 19): the same views as the long way — each
record's revisions parsed in full and its view made from its history — in the same order, field by field and
type by type, whatever lies outside the pack (a later edit left loose, a second head, a recorded set that leaves a
revision out) and whatever the order of the pack's index; and records put in order by their submission texts
only where those sort as the moments they name.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from evalkit.io import durable
from evalkit.store import Store, build_pack, encode, pack_name, pack_store, packs
from evalkit.store import tables as store_tables
from evalkit.store.history import build_view
from evalkit.store.packs import pack_paths
from evalkit.store.revisions import RecordView, Revision

CST = timezone(timedelta(hours=8))
T0 = datetime(2018, 11, 20, 9, 0, tzinfo=CST)
SHA = "ab" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64
ITEMS = ["不动产登记", "营业执照办理", "社会团体登记"]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def fill(root: Path, n: int = 14) -> tuple[Store, list[str]]:
    """Site visits as a hall's assessors record them: some edited, reviewed, edited and reviewed (three
    revisions), one with a photo, one deleted; submitted out of the order of their ids."""
    store = Store(root)
    photo = store.save_attachment(JPEG, original_name="窗口.jpg", media_type="image/jpeg", max_bytes=1 << 20,
                                  field="photo")
    ids = []
    for i in range(n):
        minute = (i * 37) % n
        citizens = [{"item_name": ITEMS[(i + k) % 3], "case_id": f"C1-01-X{i:03d}{k}", "trips": 1 + k % 2,
                     "satisfaction": str(3 + k % 3), "tags": ["咨询", "投诉"][: k % 3]} for k in range(3)]
        rev = store.submit(instrument_id="site_visit", instrument_version="1", instrument_sha256=SHA,
                           unit=f"c1-{i % 3:02d}", assessor=["张三", "李四"][i % 2],
                           answers={"visit_date": "2018-11-05", "photo": photo["name"] if i == 5 else None,
                                    "citizens": citizens}, started=at(minute), now=at(minute),
                           attachments=[photo] if i == 5 else ())
        if i % 3 == 1:
            store.edit(rev.instance_id, answers={"visit_date": "2018-11-06", "citizens": citizens[:2]},
                       who="张三", why="更正", now=at(60 + i))
        if i % 4 == 2:
            store.review(rev.instance_id, state="approved", who="组长", now=at(90 + i))
        if i == 9:
            store.delete(rev.instance_id, who="组长", why="重复录入", now=at(120))
        ids.append(rev.instance_id)
    return store, ids


def long_way(store: Store, ids: list[str], only: set[str] | None = None) -> list[RecordView]:
    """Every record's view from its revisions parsed in full (the old read's views), in the records' order."""
    views = []
    for iid in ids:
        revisions = [r for r in store.history(iid) if only is None or r.revision_id in only]
        if revisions:
            views.append(build_view(revisions)[0])
    return sorted(views, key=store_tables.order_key)


def same_views(got: list[RecordView], want: list[RecordView], *, fields_in_order: bool = True) -> None:
    assert got == want
    if fields_in_order:   # in make_view's order (the plain read's views are filled in another)
        assert [list(v.__dict__) for v in got] == [list(v.__dict__) for v in want]
    assert [[type(getattr(v, f.name)) for f in fields(v)] for v in got] == [[type(getattr(v, f.name))
                                                                             for f in fields(v)] for v in want]
    assert [encode(v.answers) for v in got] == [encode(v.answers) for v in want]   # the answers' keys in order too


def sibling(store: Store, iid: str, minutes: int) -> bytes:
    """A review written on another laptop beside the record's packed head (the same parent): a second head."""
    first = store.history(iid)[0]
    doc = {**first.document(), "parent": first.revision_id, "kind": "review", "who": "组长",
           "when": at(minutes).isoformat(), "why": "", "state": "has_issues", "comment": "照片不清"}
    data = encode(doc)
    durable.write_new(store.raw / iid / f"{hashlib.sha256(data).hexdigest()}.json", data)
    return data


@pytest.mark.parametrize("block_size", [None, 700])
def test_the_views_made_while_verifying_are_the_long_ways(tmp_path, monkeypatch, block_size):
    if block_size:
        monkeypatch.setattr("evalkit.store.packs.BLOCK_SIZE", block_size)   # a record or two per block
    store, ids = fill(tmp_path)
    want = long_way(store, ids)
    assert {v.revisions for v in want} == {1, 2, 3} and any(v.attachments for v in want)
    assert any(v.deleted for v in want)
    pack_store(store.raw)
    snap = Store(tmp_path).snapshot(verify=True)
    assert snap.problems == [] and snap.table_problems() == []
    same_views(snap.views, want)
    same_views(Store(tmp_path).snapshot().views, want, fields_in_order=False)   # the plain read (from the bytes)


def test_every_way_of_reading_fills_views_whose_keys_are_shared(tmp_path):
    """A view's fields are filled in one order by every read — loose files, a pack verified, a pack known clean, the
    plain read — so each view's dict shares its keys with the others (CPython's key-sharing dictionaries) rather
    than taking a table of its own: twice the size, 24 MB more for a province (issue 19)."""
    import sys

    store, ids = fill(tmp_path)
    loose = Store(tmp_path).snapshot(verify=True).views
    pack_store(store.raw)
    name = next((store.raw / "packs").glob("*.pack")).name
    reads = {"loose": loose, "verified": Store(tmp_path).snapshot(verify=True).views,
             "known clean": Store(tmp_path).snapshot(verify=True, known_clean=[name]).views,
             "plain": Store(tmp_path).snapshot().views}
    sizes = {how: {sys.getsizeof(v.__dict__) for v in views} for how, views in reads.items()}
    assert len(set().union(*sizes.values())) == 1, sizes
    assert all(sys.getsizeof(v.__dict__) < sys.getsizeof(dict(v.__dict__)) for views in reads.values() for v in views)
    assert [list(v.__dict__) for v in reads["known clean"]] == [list(v.__dict__) for v in reads["verified"]]
    for views in reads.values():
        same_views(views, long_way(store, ids), fields_in_order=False)


@pytest.mark.parametrize("verify", [True, False])
def test_a_read_that_lets_go_of_its_index_keeps_what_a_rerun_uses(tmp_path, verify):
    """A rerun lets go of the store's index once the views are made (issue 19: memory a forked child would share):
    the views, the revision hashes, the problems and the clean packs stay; the packs' tables can no longer be
    checked, and asking is an error rather than a check that passes."""
    store, ids = fill(tmp_path)
    pack_store(store.raw)
    store.edit(ids[0], answers={"visit_date": "2018-11-07"}, who="李四", why="补录", now=at(200))   # one loose
    snap = Store(tmp_path).snapshot(verify=verify)
    views, revisions, clean = list(snap.views), snap.revision_list(), snap.clean_packs
    tables = snap.arrow_tables()
    snap.let_go_of_index()
    reading = snap._reading
    assert reading.index_gone and not reading.by_record and not reading.files and not reading.blocks
    assert snap.views == views and snap.revision_list() == revisions and snap.clean_packs == clean
    assert bool(clean) == verify and snap.problems == []
    assert {k: t.to_pylist() for k, t in snap.arrow_tables().items()} == {k: t.to_pylist() for k, t in tables.items()}
    with pytest.raises(RuntimeError, match="索引已释放"):
        snap.table_problems()


def test_revisions_outside_the_pack_mend_the_views_made_with_it(tmp_path):
    """A later edit left loose (the record's current revision is not the pack's), a second head written beside the
    packed one, dated after it or before it (its view then names a conflict, and its count of revisions grows)."""
    store, ids = fill(tmp_path)
    pack_store(store.raw)
    store.edit(ids[0], answers={"visit_date": "2018-11-07", "citizens": []}, who="李四", why="补充", now=at(200))
    sibling(store, ids[1], 300)   # the loose head is current
    sibling(store, ids[2], -30)   # the packed head stays current, with a conflict
    snap = Store(tmp_path).snapshot(verify=True)
    want = long_way(store, ids)
    assert [v.conflicts != () for v in want].count(True) == 2
    assert sorted(p.record for p in snap.problems if p.code == "record-conflict") == sorted(ids[1:3])
    same_views(snap.views, want)


def test_a_recorded_set_that_leaves_revisions_out_gives_the_long_ways_views(tmp_path):
    """``only`` (``evalkit rerun --verify``): a record whose first revision is left out (an orphan, one revision,
    submitted when its review was), one whose last revision is, one left out whole."""
    store, ids = fill(tmp_path)
    pack_store(store.raw)
    everything = Store(tmp_path).snapshot(verify=True).revisions
    two = [iid for iid in ids if len(store.history(iid)) >= 2]
    only = set(everything) - {store.history(two[0])[0].revision_id, store.history(two[1])[-1].revision_id}
    only -= {r.revision_id for r in store.history(ids[3])}
    snap = Store(tmp_path).snapshot(verify=True, only=only)
    want = long_way(store, ids, only)
    assert len(want) == len(ids) - 1 and any(v.revisions == 1 and v.instance_id == two[0] for v in want)
    same_views(snap.views, want, fields_in_order=False)   # a view from a revision not the pack's head: another order


def test_a_second_head_dated_as_the_left_out_first_revision_is_still_named(tmp_path):
    """The one case where a packed head's view keeps its count of revisions and its submission time yet gains a
    conflict: its record's first revision left out of the recorded set, and a second head beside it dated when the
    first revision was."""
    store, ids = fill(tmp_path)
    pack_store(store.raw)
    first = store.history(ids[2])[0]
    assert len(store.history(ids[2])) == 2
    sibling(store, ids[2], (2 * 37) % 14)   # fill submits record 2 at that minute
    assert store.history(ids[2])[1].when == first.when
    only = set(Store(tmp_path).snapshot(verify=True).revisions) - {first.revision_id}
    snap = Store(tmp_path).snapshot(verify=True, only=only)
    want = long_way(store, ids, only)
    view = next(v for v in want if v.instance_id == ids[2])
    assert view.revisions == 2 and view.submitted == first.when and len(view.conflicts) == 1
    same_views(snap.views, want, fields_in_order=False)


def test_a_pack_whose_index_lists_children_before_parents_gives_the_same_views(tmp_path, monkeypatch):
    """The index of a pack made by another program lists each record's revisions newest first: the views (made from
    each chain's head, not the index's last line) and the problems are those of the usual pack."""
    store, ids = fill(tmp_path)
    want = long_way(store, ids)
    items = []
    for iid in ids:
        for revision in store.history(iid):
            path = store.raw / iid / f"{revision.revision_id}.json"
            items.append((revision, path.read_bytes()))
            path.chmod(0o644)
            path.unlink()
        (store.raw / iid).rmdir()
    monkeypatch.setattr(packs, "ordered", lambda revisions: list(revisions)[::-1])
    data = build_pack(items)
    monkeypatch.undo()
    (store.raw / "packs").mkdir()
    durable.write_new(store.raw / "packs" / pack_name(data), data)
    (path,) = pack_paths(store.raw)[0]
    pack, _ = packs.read_pack(path)
    first = pack.by_instance[next(v.instance_id for v in want if v.revisions == 2)]
    assert first[0].parent == first[1].revision_id   # the child's line first
    snap = Store(tmp_path).snapshot(verify=True)
    assert snap.problems == []
    same_views(snap.views, want)


def test_a_views_revision_is_read_again_for_the_rules_of_a_loose_child(tmp_path):
    """The packed head whose view was made as its pack was verified is the parent of a loose revision: the loose
    revision's rules are checked against the revision itself (a forged review that changes the answers)."""
    store, ids = fill(tmp_path)
    pack_store(store.raw)
    head = store.history(ids[0])[-1]
    doc = {**head.document(), "parent": head.revision_id, "kind": "review", "who": "组长",
           "when": at(400).isoformat(), "why": "", "state": "approved",
           "answers": {**head.answers, "visit_date": "2018-12-01"}}
    data = encode(doc)
    durable.write_new(store.raw / ids[0] / f"{hashlib.sha256(data).hexdigest()}.json", data)
    snap = Store(tmp_path).snapshot(verify=True)
    assert [(p.code, p.record) for p in snap.problems] == [("record-revision-rule", ids[0])]
    assert "审核改变了答案" in snap.problems[0].message
    same_views(snap.views, long_way(store, ids))
    assert isinstance(store.history(ids[0])[-1], Revision)


# ---------------------------------------------------------------- records' order

def spelled(moment: datetime, how: int) -> str:
    """A time as a store or another program may write it."""
    if how == 0:
        return moment.astimezone(CST).isoformat()
    if how == 1:
        return moment.astimezone(timezone(timedelta(hours=9))).isoformat()
    if how == 2:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.astimezone(CST).isoformat(timespec="milliseconds")


def records(times: list[str], rng: random.Random) -> list[SimpleNamespace]:
    ids = [f"{rng.getrandbits(128):032x}" for _ in times]
    return [SimpleNamespace(submitted=t, instance_id=i) for t, i in zip(times, ids, strict=True)]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("spellings", [(0,), (1,), (0, 1), (0, 2), (0, 3), (0, 1, 2, 3)])
def test_records_are_put_in_the_order_of_their_submission_moments(seed, spellings):
    """Equal times (ties go by record id), times a second apart, the same moment at two offsets, ``Z`` and
    fractions: the order of :func:`order_key` every time."""
    rng = random.Random(seed)
    moments = [T0 + timedelta(seconds=rng.choice([0, 1, 59, 60, 3600, 86400 * 40]) * rng.randint(0, 3))
               for _ in range(40)]
    views = records([spelled(m, rng.choice(spellings)) for m in moments], rng)
    want = sorted(views, key=store_tables.order_key)
    got = list(views)
    store_tables.put_in_order(got)
    assert got == want


def test_times_written_alike_are_sorted_as_texts_and_others_parsed(monkeypatch):
    rng = random.Random(7)
    alike = records([spelled(T0 + timedelta(minutes=rng.randint(0, 999)), 0) for _ in range(30)], rng)
    want = sorted(alike, key=store_tables.order_key)
    monkeypatch.setattr(store_tables, "order_key", None)   # the texts alone put them in order
    store_tables.put_in_order(alike)
    assert alike == want
    monkeypatch.undo()
    mixed = records([spelled(T0, 0), spelled(T0, 1)], rng)   # one moment at two offsets: a tie, by record id
    store_tables.put_in_order(mixed)
    assert mixed == sorted(mixed, key=lambda v: v.instance_id)


@pytest.mark.parametrize("bad", ["2018-13-20T10:00:00+08:00", "2018-11-20T10:00:00", "昨天"])
def test_a_submission_that_is_not_a_time_fails_as_the_moments_order_would(bad):
    rng = random.Random(1)
    views = records([spelled(T0, 0), bad, spelled(T0 + timedelta(hours=1), 0)], rng)
    with pytest.raises(ValueError) as want:
        sorted(views, key=store_tables.order_key)
    with pytest.raises(ValueError) as got:
        store_tables.put_in_order(views)
    assert str(got.value) == str(want.value)
