"""The verified read at province scale (issue 19): the views a full verification makes share their equal
texts (one string object per repeated choice, unit or date) and say exactly what the revisions say; the
pack-tables check keeps naming a pack whose tables disagree with its revisions — rows reordered
included — and a verified pack's forged revisions are named exactly as the same revisions lying loose.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evalkit.io import durable
from evalkit.store import Store, build_pack, encode, pack_name, pack_store, packs, parse_revision
from evalkit.store import tables as store_tables
from evalkit.store.history import build_view, share_answers
from evalkit.store.packs import pack_paths, read_pack

CST = timezone(timedelta(hours=8))
T0 = datetime(2018, 11, 20, 9, 0, tzinfo=CST)
SHA = "ab" * 32
PLACE = r"/\S*?(?:pack-[0-9a-f]{64}\.pack#)?([0-9a-f]{64})(?:\.json)?"   # a revision's file, or its pack entry
ITEMS = ["不动产登记", "营业执照办理", "社会团体登记"]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def citizens(i: int) -> list[dict]:
    """Repeat entries as a site visit records them: choices repeated, case numbers and phones unique."""
    return [{"user_type": ["person", "enterprise"][k % 2], "item_name": ITEMS[(i + k) % 3],
             "case_id": f"C1-01-X{i:03d}{k}", "trips": 1 + k % 2, "satisfaction": str(3 + k % 3),
             "tags": ["咨询", "投诉"][: k % 3], "callback_phone": f"1325164{i:02d}{k:02d}"} for k in range(4)]


def fill(root: Path, n: int = 8) -> tuple[Store, list[str]]:
    """A store of ``n`` site visits submitted out of the order of their record ids, some edited or reviewed."""
    store = Store(root)
    ids = []
    for i in range(n):
        minute = (i * 37) % n   # submission times in another order than the submissions themselves
        rev = store.submit(instrument_id="site_visit", instrument_version="1", instrument_sha256=SHA,
                           unit=f"c1-{i % 3:02d}", assessor=["张三", "李四"][i % 2],
                           answers={"visit_date": "2018-11-05", "check_mode": "in_hall", "citizens": citizens(i)},
                           started=at(minute), now=at(minute))
        if i % 3 == 1:
            store.edit(rev.instance_id, answers={"visit_date": "2018-11-06", "check_mode": "in_hall",
                                                 "citizens": citizens(i)[:2]}, who="张三", why="更正", now=at(60 + i))
        if i % 4 == 2:
            store.review(rev.instance_id, state="approved", who="组长", now=at(90 + i))
        ids.append(rev.instance_id)
    return store, ids


def reference_views(store: Store, ids: list[str]) -> list:
    """Every record's view the long way: each revision parsed in full, the view made from its history."""
    views = [build_view(store.history(iid))[0] for iid in ids]
    return sorted(views, key=store_tables.order_key)


@pytest.mark.parametrize("block_size", [None, 1500])
def test_verified_views_are_the_revisions_own_whatever_the_blocks(tmp_path, monkeypatch, block_size):
    if block_size:
        monkeypatch.setattr("evalkit.store.packs.BLOCK_SIZE", block_size)   # a few records per block
    store, ids = fill(tmp_path)
    want = reference_views(store, ids)
    pack_store(store.raw)
    store.edit(ids[0], answers={"visit_date": "2018-11-07", "check_mode": "by_phone", "citizens": citizens(0)},
               who="李四", why="补充", now=at(200))   # one record packed and loose
    want[[v.instance_id for v in want].index(ids[0])] = build_view(store.history(ids[0]))[0]
    snap = Store(tmp_path).snapshot(verify=True)
    assert snap.problems == []
    assert snap.views == want
    assert [encode(v.answers) for v in snap.views] == [encode(v.answers) for v in want]   # the keys' order too
    assert snap.table_problems() == []


def test_equal_texts_of_a_block_are_one_object(tmp_path):
    store, ids = fill(tmp_path)
    pack_store(store.raw)   # one block: every view's texts shared
    views = Store(tmp_path).snapshot(verify=True).views
    first: dict[str, str] = {}
    texts = 0

    def walk(value):
        nonlocal texts
        if type(value) is str:
            texts += 1
            assert first.setdefault(value, value) is value, value
        elif type(value) is list:
            for item in value:
                walk(item)
        elif type(value) is dict:
            for item in value.values():
                walk(item)

    for view in views:
        walk([view.unit, view.assessor, view.instrument_id, view.instrument_sha256, view.state, view.answers])
    assert texts > 8 * 20 and len(first) < texts / 2
    for view in views:   # a submission's start and its submission time are one string, the index's
        walk([view.instance_id, view.current, view.submitted, view.updated, view.started, view.ended])
    assert any(v.started is v.submitted for v in views)


def test_a_packs_index_shares_the_texts_of_neighbouring_lines(tmp_path):
    """The entries say what the index's lines say; a record's id, a parent named by the line before and a kind
    are one string each (a province's index is 196,090 lines)."""
    store, ids = fill(tmp_path)
    pack_store(store.raw)
    (path,) = pack_paths(store.raw)[0]
    pack, data = read_pack(path)
    start, size = (int(x) for x in pack.header["index"])
    lines = packs._decompress(data[pack.body + start:pack.body + start + size], "索引").decode("ascii").splitlines()
    assert len(lines) == len(pack.entries) > len(ids)
    for line, entry in zip(lines, pack.entries, strict=True):
        rid, iid, parent, merges, when, kind, block, offset, length = line.split(" ")
        assert entry == (rid, iid, None if parent == "-" else parent, () if merges == "-" else tuple(merges.split(",")),
                         when, kind, int(block), int(offset), int(length), str(path))
    kinds: dict[str, str] = {}
    for before, entry in zip(pack.entries, pack.entries[1:]):
        assert kinds.setdefault(entry.kind, entry.kind) is entry.kind
        if entry.instance_id == before.instance_id:
            assert entry.instance_id is before.instance_id
        if entry.parent == before.revision_id:
            assert entry.parent is before.revision_id
    assert sum(e.parent is not None for e in pack.entries) > 0


def reordered(views):
    """A pack's tables with the right rows in another order."""
    return store_tables.record_tables(list(views)[::-1])


def test_rows_reordered_in_a_packs_tables_are_named(tmp_path, pack_with_tables):
    """A pack whose tables hold the right rows in another order is named: the check orders the rows itself."""
    store, ids = fill(tmp_path)
    pack_with_tables(store.raw, reordered)
    snap = Store(tmp_path).snapshot(verify=True)
    assert snap.problems == []
    found = snap.table_problems()
    assert [p.code for p in found] == ["store-pack-damaged"]
    assert "site_visit" in found[0].message and "已改用修订本身" in found[0].message


def test_a_verified_read_lets_go_of_its_packs_files_once_its_views_are_made(tmp_path, pack_with_tables):
    """The views made, a verified read holds no pack's file (a province's is 70 MB); checking the packs' tables
    reads the file again, checked against its name — and a file gone or changed meanwhile is not read."""
    store, ids = fill(tmp_path)
    pack_with_tables(store.raw, reordered)
    snap = Store(tmp_path).snapshot(verify=True)
    views = snap.views
    assert [data for _, data in snap._reading.files.values()] == [None]
    assert [p.code for p in snap.table_problems()] == ["store-pack-damaged"]   # read again to be checked
    assert [data for _, data in snap._reading.files.values()] == [None]
    assert snap.views is views

    (path,) = pack_paths(store.raw)[0]
    fresh = Store(tmp_path).snapshot(verify=True)
    fresh.views  # noqa: B018 - made, the file let go of
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))   # the file no longer matches its name
    assert fresh.table_problems() == []   # its tables are not read (the next read names the pack)
    path.unlink()
    assert fresh.table_problems() == []
    assert fresh.views == views


def forgeries(store: Store, ids: list[str]) -> list[tuple[str, bytes]]:
    """Revisions made by hand: a review that changes answers, a review dated before its parent, an edit whose
    parent is gone, a submission born approved."""
    def head(iid):
        return store.history(iid)[-1]

    base = head(ids[1]).document()
    born = durable.new_id()
    docs = [(ids[1], {**base, "parent": head(ids[1]).revision_id, "kind": "review", "who": "组长",
                      "when": at(300).isoformat(), "answers": {**base["answers"], "extra": "加分"}}),
            (ids[2], {**head(ids[2]).document(), "parent": head(ids[2]).revision_id, "kind": "review", "who": "组长",
                      "state": "has_issues", "comment": "照片不清", "when": at(-50).isoformat()}),
            (ids[3], {**head(ids[3]).document(), "parent": "cd" * 32, "kind": "edit", "when": at(400).isoformat()}),
            (born, {**base, "instance_id": born, "parent": None, "kind": "submission", "state": "approved",
                    "when": at(5).isoformat()})]
    return [(iid, encode(doc)) for iid, doc in docs]


def by_hash(problems) -> list[tuple]:
    """Problems with each revision's place (a loose file, or a pack entry) put as its hash, in a fixed order."""
    def where(text):
        return None if text is None else re.sub(PLACE, r"\1", text)
    return sorted((p.code, p.severity, where(p.message), where(p.file), p.record) for p in problems)


def test_forged_revisions_in_a_verified_pack_are_named_as_when_loose(tmp_path):
    """The same forged revisions, loose (each file checked the long way) and packed (the pack's verification):
    the same problems with the same words, save where each revision lies."""
    store, ids = fill(tmp_path)
    for iid, data in forgeries(store, ids):
        durable.write_new(store.raw / iid / f"{hashlib.sha256(data).hexdigest()}.json", data)
    loose = Store(tmp_path).snapshot(verify=True).problems
    codes = sorted(p.code for p in loose)
    assert {"record-orphan-revision", "record-revision-rule", "record-time-order"} <= set(codes)
    assert codes.count("record-revision-rule") == 2

    items = []
    for folder in sorted(p for p in store.raw.iterdir() if p.name != "packs"):
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            revision, found = parse_revision(data, path.stem, str(path), folder.name)
            assert found is None
            items.append((revision, data))
            path.chmod(0o644)
            path.unlink()
        folder.rmdir()
    data = build_pack(items)
    (store.raw / "packs").mkdir(exist_ok=True)
    pack = store.raw / "packs" / pack_name(data)
    durable.write_new(pack, data)
    packed = Store(tmp_path).snapshot(verify=True).problems
    assert all(p.file.startswith(str(pack) + "#") for p in packed)
    assert by_hash(packed) == by_hash(loose)
    rules = [p.message for p in packed if p.code == "record-revision-rule"]
    assert any("审核改变了答案" in m for m in rules) and any("提交的记录必须是「已接收」" in m for m in rules)
    early = next(p for p in packed if p.code == "record-time-order")
    assert at(-50).isoformat() in early.message and early.record == ids[2]


def test_repeat_entries_share_their_groups_keys_and_say_the_same(tmp_path):
    """A verified read's repeat entries are ordinary dicts equal to the decoded ones, keys in the same order, whose
    keys their group's entries share (CPython's key-sharing dicts: a third of the size); one with a key an
    instance cannot take (``__dict__``, ``__class__``) or an odd key is left as it was."""
    entries = [{"user_type": "person", "case_id": f"C{i}", "trips": i, "tags": ["咨询"], "nested": [{"a": "x"}],
                "extra": {"b": "y"}} for i in range(3)]
    entries.append({"case_id": "C9", "user_type": "enterprise", "new": None})   # another order, a new key
    odd = [{"__dict__": "x", "case_id": "C1"}, {"__class__": "x"}, {1: "x"}]
    answers = {"visit_date": "2018-11-05", "citizens": [dict(e) for e in entries] + [dict(e) for e in odd],
               "calls": [{"case_id": "C1", "user_type": "person"}]}
    want = encode({"visit_date": "2018-11-05", "citizens": entries + odd, "calls": [{"case_id": "C1", "user_type": "person"}]})
    share_answers(answers, {})
    assert encode(answers) == want
    got = answers["citizens"]
    assert all(type(e) is dict for e in got)
    assert [list(e) for e in got] == [list(e) for e in entries + odd]
    assert got[0]["tags"] is not got[1]["tags"] and got[0]["tags"][0] is got[1]["tags"][0]   # texts shared
    assert got[0]["nested"][0]["a"] is got[1]["nested"][0]["a"]
    assert got[4] == odd[0] and got[5] == odd[1] and got[6] == odd[2]
    entry = got[0]   # an ordinary dict: it takes new keys, loses old ones and is copied as one
    entry["later"] = 1
    del entry["trips"]
    assert list(entry) == ["user_type", "case_id", "tags", "nested", "extra", "later"]
    assert encode(got[1]) == encode(entries[1]) and copy.deepcopy(got[1]) == entries[1]
    assert pickle.loads(pickle.dumps(got[1:])) == got[1:]


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython's key-sharing dicts")
def test_a_groups_entries_take_less_than_half_the_memory_of_decoded_dicts():
    entry = {"user_type": "person", "item_name": "不动产登记", "case_id": "C1", "case_kind": "instant", "trips": 2,
             "instant_done": "yes", "done_status": "done", "online_use": "none", "progress_visible": "yes",
             "satisfaction": "4", "callback_phone": "13189295684", "comment": ""}
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        answers = {"memory_test_group": [dict(entry) for _ in range(500)]}
        decoded = tracemalloc.get_traced_memory()[0] - start
        share_answers(answers, {})
        shared = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert answers["memory_test_group"] == [entry] * 500
    assert shared < decoded / 2, (shared, decoded)


class _OldGroup:
    """The reference: repeat entries made as before by ``setattr`` on an instance of a class per group."""


def _old_entry(item: dict, group: str, classes: dict, memo: dict) -> dict:
    if not frozenset(dir(_OldGroup())).isdisjoint(item):
        share_answers(item, memo)
        return item
    owner = classes.setdefault(group, type("Old", (_OldGroup,), {}))()
    entry = owner.__dict__
    try:
        for key, value in item.items():
            if type(value) is str:
                setattr(owner, key, memo.setdefault(value, value))
            else:
                share_answers({key: value}, memo)
                setattr(owner, key, value)
    except TypeError:
        share_answers(item, memo)
        return item
    return entry


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython's key-sharing dicts")
def test_repeat_entries_filled_by_item_are_the_setattr_ones_and_no_bigger():
    """Entries of many shapes (keys missing, added, reordered; lists, nested dicts, numbers, odd keys) made
    by the read's ``entry[key] = value`` equal, key for key and in order, those made by ``setattr`` (the earlier
    way, kept here), and take no more memory each."""
    shapes = [dict(c) for i in range(40) for c in citizens(i)]
    shapes += [{"case_id": f"C{i}", "user_type": "person", "trips": i, "new": None, "nested": {"a": [f"x{i % 3}"]},
                "score": 1.5 * i, "ok": i % 2 == 0} for i in range(30)]
    shapes += [{"__dict__": "x", "case_id": "C1"}, {"__class__": "x"}, {1: "x", "a": "y"}, {}]
    old_classes: dict = {}
    old = [_old_entry(copy.deepcopy(e), "group", old_classes, {}) for e in shapes]
    answers = {"fill_by_item_group": copy.deepcopy(shapes)}   # a group no other test has (its class starts afresh)
    share_answers(answers, {})
    new = answers["fill_by_item_group"]
    assert [list(e.items()) for e in new] == [list(e.items()) for e in old] == [list(e.items()) for e in shapes]
    assert all(type(e) is dict for e in new)
    assert encode({"c": [e for e in new if 1 not in e]}) == encode({"c": [e for e in shapes if 1 not in e]})
    sizes = [(sys.getsizeof(n), sys.getsizeof(o)) for n, o in zip(new, old, strict=True)]
    assert all(n <= o for n, o in sizes), sizes


def test_a_province_like_read_gives_the_decoded_answers_byte_for_byte(tmp_path, monkeypatch):
    """Views of many records over several blocks say, key for key and in order, what their revisions say."""
    monkeypatch.setattr("evalkit.store.packs.BLOCK_SIZE", 4000)
    store, ids = fill(tmp_path, 40)
    want = reference_views(store, ids)
    pack_store(store.raw)
    views = Store(tmp_path).snapshot(verify=True).views
    assert [v.instance_id for v in views] == [v.instance_id for v in want]
    assert [encode(v.answers) for v in views] == [encode(v.answers) for v in want]
    assert views == want
