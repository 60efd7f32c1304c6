"""A verified read's short ways agree with the long ones they stand for.

* :func:`evalkit.store.revisions.checked` accepts a revision exactly when :func:`document_error` (the rules that
  write the messages) finds nothing wrong: tried on a revision as the store writes it and on every way a hand or
  another program could spoil one field (ids, parents, merges, kinds, states, attachments, times); and so does it
  with its short way for the usual shape (no attachments, no merges) and a set of times already found valid
  shared by all those revisions, in either order;
* the two rule checks read one set of rules: a rule changed there (a kind, a state, the id or hash spelling, the
  times) changes what both accept, and they still agree;
* two times compare (:func:`evalkit.store.verify._earlier`) as the parsed times do, whatever their spellings and
  offsets;
* a pack whose revisions break the time rules is named as the same revisions lying loose.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from evalkit.io import durable
from evalkit.io.durable import aware_time
from evalkit.store import Store, build_pack, encode, pack_name, parse_revision, revisions
from evalkit.store.packs import PackEntry
from evalkit.store.revisions import _TYPED, SCHEMA, _usual, checked, decode, document_error, new_document
from evalkit.store.verify import _earlier, entry_mismatch

RID = "0123456789abcdef" * 2
PARENT = "ab" * 32
ATTACHMENT = {"field": "photo", "name": "a.jpg", "sha256": "cd" * 32, "size": 10, "media_type": "image/jpeg",
              "original_name": "窗口.jpg"}


def document(**changes) -> dict:
    """A review as the store writes it, with ``changes`` made to its fields."""
    doc = new_document(RID, PARENT, "review", "组长", "2018-11-20T10:00:00+08:00", "", [], {
        "instrument_id": "site_visit", "instrument_version": "1", "instrument_sha256": "ef" * 32, "unit": "c1-01",
        "assessor": "张三", "started": "2018-11-20T09:00:00+08:00", "ended": "2018-11-20T09:40:00+08:00",
        "attachments": [ATTACHMENT], "state": "approved", "comment": "", "deleted": False,
        "answers": {"visit_date": "2018-11-05", "citizens": [{"item_name": "不动产登记", "trips": 1}]}})
    doc.update(changes)
    return doc


SPOILED = [
    {}, {"instance_id": "0123"}, {"instance_id": "G" * 32}, {"instance_id": "fedcba9876543210" * 2},
    {"parent": None}, {"parent": "AB" * 32}, {"parent": "ab" * 31}, {"kind": "submission"},
    {"kind": "submission", "parent": None, "state": "received"}, {"kind": "edit", "state": "received"},
    {"kind": "approve"}, {"state": "已通过"}, {"merges": ["cd" * 32]}, {"merges": ["cd" * 32, "x"]},
    {"merges": ["cd" * 32, "ab" * 32]}, {"attachments": []}, {"attachments": [{"field": "photo"}]},
    {"attachments": [ATTACHMENT, {k: v for k, v in ATTACHMENT.items() if k != "size"}]},
    {"when": "2018-11-20T10:00:00"}, {"when": "2018-11-20 10:00:00+08:00"}, {"when": "2018-13-20T10:00:00+08:00"},
    {"when": "2018-11-20T10:00:00Z"}, {"when": "2018-11-20T10:00:00.250+08:00"}, {"when": "昨天"},
    {"started": "2018-11-20"}, {"started": "2018-11-20T09:00:00-05:00"}, {"ended": None},
    {"ended": "2018-11-20T25:00:00+08:00"}, {"ended": "2018-11-20T09:40:00"},
    {"kind": "delete", "deleted": True}, {"comment": "缺少照片", "state": "has_issues"},
]


@pytest.mark.parametrize("changes", SPOILED)
@pytest.mark.parametrize("instance_id", [RID, None, "fedcba9876543210" * 2])
def test_the_short_check_accepts_what_the_rules_accept(changes, instance_id):
    doc = document(**changes)
    data = encode(doc)
    name = hashlib.sha256(data).hexdigest()
    expected = document_error(decode(data), instance_id)
    found = checked(data, name, "raw/x.json", instance_id)
    assert (found is not None) == (expected is None), (changes, expected)
    if found is not None:   # the same revision, answers and all
        revision, problem = parse_revision(data, name, "raw/x.json", instance_id, canonical=False)
        assert problem is None and revision.document() == doc and found.schema == SCHEMA


@pytest.mark.parametrize("order", [1, -1])
@pytest.mark.parametrize("instance_id", [RID, None, "fedcba9876543210" * 2])
def test_the_usual_shapes_short_way_and_known_times_accept_what_the_rules_accept(order, instance_id):
    times: set[str] = set()   # one set for all the revisions, as a verified read keeps one for a block
    usual = 0
    for changes in [*SPOILED, *({"attachments": [], **c} for c in SPOILED)][::order]:
        doc = document(**changes)
        data = encode(doc)
        expected = document_error(decode(data), instance_id)
        if _usual(_TYPED.decode(data), instance_id, set(times)):
            usual += 1
            assert expected is None, changes
        found = checked(data, hashlib.sha256(data).hexdigest(), "raw/x.json", instance_id, times)
        assert (found is not None) == (expected is None), (changes, expected)
        assert all(aware_time(t, "when") for t in times)   # only valid times are remembered
    assert (usual > 0) == (instance_id is not None)   # the short way taken (with the record id to compare)


_TIME_ERROR = revisions._time_error
RULE_CHANGES = {   # one rule changed, as a later version of the store might
    "reviews no longer kept": ("_KIND_PARENT", revisions._KIND_PARENT - {("review", True)}),
    "a submission may name a parent": ("_KIND_PARENT", revisions._KIND_PARENT | {("submission", True)}),
    "no state 已通过": ("STATES", {k: v for k, v in revisions.STATES.items() if k != "approved"}),
    "a record id of this one record refused": ("_IS_ID", lambda text: revisions.ID_RE.fullmatch(text) and text != RID),
    "hashes never start with ab": ("_IS_HASH", lambda text: revisions.HASH_RE.fullmatch(text)
                                   and not text.startswith("ab")),
    "times only at +08:00": ("_time_error", lambda value, key="": _TIME_ERROR(value, key)
                             or (None if value.endswith("+08:00") else f"{key} 应为北京时间")),
}


@pytest.mark.parametrize("change", sorted(RULE_CHANGES))
@pytest.mark.parametrize("order", [1, -1])
def test_a_rule_changed_in_one_place_changes_both_checks(monkeypatch, change, order):
    """The short way for the usual shape (:func:`_usual`) and the rules that name what is wrong
    (:func:`document_error`) read one set of rules: with any one of them changed they still accept the same
    revisions — and the change is felt (what they accept is not what they accepted before)."""
    docs = [document(**c) for c in [*SPOILED, *({"attachments": [], **c} for c in SPOILED)][::order]]
    before = [document_error(doc, RID) is None for doc in docs]
    monkeypatch.setattr(revisions, *RULE_CHANGES[change])
    times: set[str] = set()
    after, usual = [], 0
    for doc in docs:
        data = encode(doc)
        expected = document_error(decode(data), RID)
        if _usual(_TYPED.decode(data), RID, set(times)):
            usual += 1
            assert expected is None, (change, doc)
        found = checked(data, hashlib.sha256(data).hexdigest(), "raw/x.json", RID, times)
        assert (found is not None) == (expected is None), (change, doc, expected)
        after.append(expected is None)
    assert after != before, change
    assert usual > 0 or not any(after)   # the short way taken whenever there is something to accept


TIMES = ["2018-11-20T10:00:00+08:00", "2018-11-20T09:59:59+08:00", "2018-11-20T10:00:00+09:00",
         "2018-11-20T02:00:00+00:00", "2018-11-20T02:00:00Z", "2018-11-20T10:00:00.500+08:00",
         "2018-11-19T21:00:00-05:00", "2017-12-31T23:59:59+08:00", "2018-01-01T00:00:00+08:00",
         "2018-11-20T10:00+08:00", "2018-11-20T10:00:00+08:30", "2018-11-20T10:00:00-08:00"]


@pytest.mark.parametrize("a", TIMES)
def test_times_compare_as_the_parsed_times(a):
    for b in TIMES:
        moments: dict[str, float] = {}
        parsed = aware_time(a, "when").timestamp() < aware_time(b, "when").timestamp()
        assert _earlier(a, b, moments) == parsed, (a, b)


def test_times_out_of_order_in_a_pack_are_named_as_when_loose(tmp_path):
    """Revisions dated before their parents, with offsets alike and unlike, loose and then packed: the same
    warnings, in the same order and words, save where each revision lies."""
    store = Store(tmp_path)
    when = datetime.fromisoformat("2018-11-20T10:00:00+08:00")
    ids = []
    for later in ["2018-11-20T09:00:00+08:00", "2018-11-20T10:30:00+09:00", "2018-11-20T01:30:00+00:00",
                  "2018-11-20T10:00:00+08:00"]:
        rev = store.submit(instrument_id="site_visit", instrument_version="1", instrument_sha256=PARENT,
                           unit="c1-01", assessor="张三", answers={"visit_date": "2018-11-05"}, started=when,
                           now=when)
        doc = document(instance_id=rev.instance_id, parent=rev.revision_id, when=later, started=rev.started,
                       ended=rev.ended, instrument_sha256=PARENT, attachments=[], answers=rev.answers)
        data = encode(doc)
        durable.write_new(store.raw / rev.instance_id / f"{hashlib.sha256(data).hexdigest()}.json", data)
        ids.append(rev.instance_id)
    loose = Store(tmp_path).snapshot(verify=True).problems
    assert sorted(p.record for p in loose if p.code == "record-time-order") == sorted(ids[:3])

    items = []
    for iid in ids:
        for path in sorted((store.raw / iid).iterdir()):
            revision, found = parse_revision(path.read_bytes(), path.stem, str(path), iid)
            assert found is None
            items.append((revision, path.read_bytes()))
            path.chmod(0o644)
            path.unlink()
        (store.raw / iid).rmdir()
    data = build_pack(items)
    (store.raw / "packs").mkdir(exist_ok=True)
    durable.write_new(store.raw / "packs" / pack_name(data), data)
    packed = Store(tmp_path).snapshot(verify=True).problems
    strip = [(p.code, p.record, p.message.replace(str(store.raw / "packs" / pack_name(data)) + "#", ""))
             for p in packed]
    assert strip == [(p.code, p.record, p.message.replace(str(store.raw) + "/" + p.record + "/", "")
                      .replace(".json", "")) for p in loose]


@pytest.mark.parametrize("merges", [(), ("cd" * 32,)])
def test_an_index_entry_that_says_another_thing_of_its_revision_is_named(merges):
    """:func:`entry_mismatch` (its short way for the usual entry without merges too): one field that differs
    between the index and the revision is a problem; the same fields, merges or none, are none."""
    doc = document(merges=list(merges), attachments=[])
    data = encode(doc)
    name = hashlib.sha256(data).hexdigest()
    revision = checked(data, name, "raw/x.json", RID)
    entry = PackEntry(name, RID, PARENT, merges, doc["when"], "review", 0, 0, len(data), "raw/packs/pack-x.pack")
    assert revision is not None and entry_mismatch(entry, revision) is None
    for field, value in [("instance_id", "fedcba9876543210" * 2), ("parent", "cd" * 32), ("parent", None),
                         ("merges", ("ef" * 32,)), ("merges", ()), ("merges", ("cd" * 32, "ef" * 32)),
                         ("when", "2018-11-20T10:00:01+08:00"), ("kind", "edit")]:
        if field == "merges" and value == merges:
            continue
        found = entry_mismatch(entry._replace(**{field: value}), revision)
        assert found is not None and found.code == "record-invalid" and found.file == entry.path, (field, value)
