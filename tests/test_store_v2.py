"""Record store v2 (issue 16): content-addressed chained revisions, packs, one snapshot per read,
the conversion of old-format stores.

Every kind of tampering the issue names is found by ``evalkit validate`` with the file and what is
wrong: one changed byte (loose or packed), a deleted middle revision, a renamed file, a forged
review; packing never changes the set of revisions and a SIGKILL during it loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evalkit.cli.main import main
from evalkit.io import durable
from evalkit.project import init_project, open_project, validate_project
from evalkit.store import Store, encode, pack_store, parse_pack, root_hash

CST = timezone(timedelta(hours=8))
T0 = datetime(2018, 11, 20, 9, 0, tzinfo=CST)
SHA = "ab" * 32


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def submit(store: Store, answers: dict, **kw):
    args = dict(instrument_id="site_visit", instrument_version="1", instrument_sha256=SHA, unit="c1-01",
                assessor="张三", answers=answers, started=at(0), now=at(10))
    args.update(kw)
    return store.submit(**args)


def filled(root: Path, n: int = 6) -> tuple[Store, list]:
    """A store with ``n`` records, each submitted, edited and approved."""
    store = Store(root)
    records = []
    for i in range(n):
        rev = submit(store, {"i": i, "名称": "政务服务中心"}, now=at(i))
        store.edit(rev.instance_id, answers={"i": i, "fixed": True}, who="张三", why="补充", now=at(30 + i))
        store.review(rev.instance_id, state="approved", who="组长", now=at(60 + i))
        records.append(rev.instance_id)
    return store, records


def codes_files(problems) -> set[tuple[str, str]]:
    return {(p.code, p.file) for p in problems}


def raw_problems(root: Path):
    return validate_project(open_project(root))[str(root / "raw")]


def unlock(path: Path) -> None:
    os.chmod(path, 0o644)


# ---------------------------------------------------------------- tampering is evident


def test_one_changed_byte_in_a_loose_revision_is_named(tmp_path):
    store, records = filled(tmp_path)
    path = Path(store.history(records[2])[1].path)
    unlock(path)
    data = bytearray(path.read_bytes())
    data[data.index(b'"i":2') + 4] = ord("3")          # one byte: the answer 2 becomes 3
    path.write_bytes(bytes(data))
    problems = raw_problems(tmp_path)
    assert ("record-hash-mismatch", str(path)) in codes_files(problems)
    # its child (the review) has lost its parent, and the record falls back to the last good revision
    assert any(p.code == "record-orphan-revision" and p.record == records[2] for p in problems)
    assert next(v for v in open_project(tmp_path).records if v.instance_id == records[2]).answers["i"] == 2


def test_a_deleted_middle_revision_and_a_renamed_file_are_named(tmp_path):
    store, records = filled(tmp_path)
    middle = Path(store.history(records[0])[1].path)
    unlock(middle)
    middle.unlink()
    renamed = Path(store.history(records[1])[2].path)
    moved = renamed.with_name("0" * 64 + ".json")
    renamed.rename(moved)
    problems = raw_problems(tmp_path)
    orphan = next(p for p in problems if p.code == "record-orphan-revision" and p.record == records[0])
    assert middle.stem in orphan.message
    assert ("record-hash-mismatch", str(moved)) in codes_files(problems)
    assert main(["validate", str(tmp_path)]) == 1


def test_a_forged_review_that_changes_answers_and_a_submission_born_approved_break_the_rules(tmp_path):
    store, records = filled(tmp_path, 2)
    head = store.history(records[0])[-1]
    forged = {**head.document(), "parent": head.revision_id, "kind": "review", "who": "组长",
              "when": at(90).isoformat(), "answers": {"i": 0, "fixed": True, "extra": "加分"}}
    data = encode(forged)
    path = store.raw / records[0] / f"{hashlib.sha256(data).hexdigest()}.json"
    durable.write_new(path, data)
    born = {**head.document(), "instance_id": durable.new_id(), "parent": None, "kind": "submission",
            "state": "approved", "when": at(5).isoformat()}
    data = encode(born)
    born_path = store.raw / born["instance_id"] / f"{hashlib.sha256(data).hexdigest()}.json"
    durable.write_new(born_path, data)
    early = {**head.document(), "parent": head.revision_id, "kind": "review", "who": "组长", "state": "has_issues",
             "comment": "照片不清", "when": at(1).isoformat()}
    data = encode(early)
    early_path = store.raw / records[0] / f"{hashlib.sha256(data).hexdigest()}.json"
    durable.write_new(early_path, data)
    problems = raw_problems(tmp_path)
    rules = {p.file: p.message for p in problems if p.code == "record-revision-rule"}
    assert "审核改变了答案" in rules[str(path)]
    assert "已接收" in rules[str(born_path)]
    assert ("record-time-order", str(early_path)) in codes_files(problems)


def test_non_canonical_bytes_with_a_matching_name_are_invalid(tmp_path):
    store, records = filled(tmp_path, 1)
    head = store.history(records[0])[-1]
    data = json.dumps(head.document(), ensure_ascii=False, indent=2).encode("utf-8")   # same content, other bytes
    path = store.raw / records[0] / f"{hashlib.sha256(data).hexdigest()}.json"
    path.write_bytes(data)
    problems = Store(tmp_path).load()[1]
    assert [(p.code, p.file) for p in problems] == [("record-invalid", str(path))]
    assert "规范编码" in problems[0].message


# ---------------------------------------------------------------- packs


def test_packing_keeps_every_revision_and_the_root_hash(tmp_path):
    store, records = filled(tmp_path)
    before = store.snapshot(verify=True)
    views = [store.get(r) for r in records]
    result = pack_store(store.raw)
    assert result.revisions == 18 and result.records == 6 and result.loose_removed == 18
    assert not [p for p in store.raw.iterdir() if p.name not in ("packs",)]   # loose folders gone
    after = store.snapshot(verify=True)
    assert after.root == before.root == result.root == root_hash(before.revisions)
    assert after.problems == [] and after.loose == 0 and len(after.packs) == 1
    assert [store.get(r) for r in records] == views
    assert [r.kind for r in store.history(records[0])] == ["submission", "edit", "review"]
    # the forms keep writing loose files; packs and loose files read together; a second pack folds both
    store.edit(records[0], answers={"i": 0, "again": 1}, who="张三", why="再改", now=at(200))
    new = submit(store, {"i": 99}, now=at(201))
    assert store.get(records[0]).answers == {"i": 0, "again": 1} and store.get(new.instance_id).revisions == 1
    mixed = store.snapshot(verify=True)
    assert mixed.loose == 2 and len(mixed.revisions) == 20
    second = pack_store(store.raw)
    assert second.packs_replaced == [after.packs[0]] and second.revisions == 20
    assert store.snapshot(verify=True).root == mixed.root
    assert pack_store(store.raw).loose_removed == 0   # nothing left to do


def test_a_changed_byte_in_a_pack_is_named_and_the_rest_is_salvaged(tmp_path, monkeypatch):
    monkeypatch.setattr("evalkit.store.packs.BLOCK_SIZE", 1500)   # several blocks for a few records
    store, records = filled(tmp_path)
    pack_store(store.raw)
    pack = next((store.raw / "packs").iterdir())
    unlock(pack)
    data = bytearray(pack.read_bytes())
    parsed = parse_pack(pack, bytes(data))
    offset, size = parsed.blocks[-1]
    data[parsed.body + offset + size - 10] ^= 0x01   # inside the last compressed block of revisions
    pack.write_bytes(bytes(data))
    snap = Store(tmp_path).snapshot()
    damaged = [p for p in snap.problems if p.code == "store-pack-damaged"]
    assert damaged and damaged[0].file == str(pack) and "与其哈希相符" in damaged[0].message
    assert 0 < len(snap.revisions) < 18   # the records of the other blocks are still read
    assert len(snap.views) == 5


def test_a_pack_entry_changed_and_renamed_consistently_is_found_by_verification(tmp_path):
    """Rewriting a pack and naming it by its new hash: the revision inside no longer matches its hash."""
    from evalkit.store import build_pack, pack_name

    store, records = filled(tmp_path, 2)
    items = [(r, Path(r.path).read_bytes()) for iid in records for r in store.history(iid)]
    victim = items[-1]
    forged = (victim[0], victim[1].replace(b'"approved"', b'"rejected"'))
    data = build_pack(items[:-1] + [forged])
    for r, _ in items:
        unlock(Path(r.path))
        Path(r.path).unlink()
    durable.write_new(store.raw / "packs" / pack_name(data), data)
    problems = Store(tmp_path).snapshot(verify=True).problems
    assert any(p.code == "record-hash-mismatch" and victim[0].revision_id in p.file for p in problems)


KILLER = """
import os, signal, sys
from pathlib import Path
import evalkit.io.durable as durable
import evalkit.store.packing as packing
where, n = sys.argv[2], int(sys.argv[3])
calls = {"n": 0}
def dying(original):
    def call(*args, **kwargs):
        if calls["n"] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        calls["n"] += 1
        return original(*args, **kwargs)
    return call
if where == "link":
    durable.link_no_replace = dying(durable.link_no_replace)
elif where == "fsync":
    os.fsync = dying(os.fsync)
else:
    packing.unlink_quietly = dying(packing.unlink_quietly)
packing.pack_store(Path(sys.argv[1]))
"""


@pytest.mark.parametrize("where, n", [("link", 0), ("fsync", 0), ("fsync", 1), ("unlink", 0), ("unlink", 1),
                                      ("unlink", 37), ("unlink", 119)])
def test_sigkill_at_any_point_of_store_pack_loses_nothing(tmp_path, where, n):
    """The packer is killed (SIGKILL) before the pack is linked, while it is fsync-ed, or after 0, 1, 37 or
    119 of the 120 loose files are gone: every revision is still there, once, and packing again completes."""
    store, _ = filled(tmp_path, 40)
    before = store.snapshot(verify=True)
    child = subprocess.run([sys.executable, "-c", KILLER, str(store.raw), where, str(n)], timeout=120)
    assert child.returncode == -signal.SIGKILL
    after = Store(tmp_path).snapshot(verify=True)
    assert after.revisions == before.revisions and after.root == before.root
    assert after.problems == []
    (store.raw / "packs" / ".lock").unlink(missing_ok=True)   # a killed packer leaves its lock: the message says so
    result = pack_store(store.raw)
    final = Store(tmp_path).snapshot(verify=True)
    assert final.root == before.root and final.loose == 0 and len(final.packs) == 1 and final.problems == []
    assert result.revisions == 120


def test_a_second_packer_waits_its_turn(tmp_path):
    store, _ = filled(tmp_path, 1)
    (store.raw / "packs").mkdir()
    (store.raw / "packs" / ".lock").write_text("123")
    assert main(["store", "pack", str(tmp_path)]) == 2


def test_a_snapshot_restricted_to_a_recorded_set(tmp_path):
    store, records = filled(tmp_path, 3)
    first = store.snapshot()
    submit(store, {"i": 9}, now=at(300))
    again = store.snapshot(only=first.revisions)
    assert again.root == first.root and again.left_out == 1 and again.missing == ()
    gone = store.history(records[0])
    for r in gone:
        unlock(Path(r.path))
        Path(r.path).unlink()
    assert set(store.snapshot(only=first.revisions).missing) == {r.revision_id for r in gone}


# ---------------------------------------------------------------- old format


def old_store(root: Path) -> dict[str, list[dict]]:
    """Records in the old format (evalkit.record/1), as the previous version wrote them."""
    out = {}
    for i in range(3):
        iid = durable.new_id()
        snap = {"instrument_id": "site_visit", "instrument_version": "1", "instrument_sha256": SHA, "unit": "c1-01",
                "assessor": "张三", "started": at(0).isoformat(), "ended": at(10).isoformat(),
                "answers": {"i": i, "名称": "大厅"}, "attachments": [], "state": "received", "comment": "",
                "deleted": False}
        docs, parent = [], None
        for k, (kind, who, state) in enumerate([("submission", "张三", "received"), ("edit", "张三", "received"),
                                                ("review", "组长", "approved")]):
            rid = durable.new_id()
            doc = {"schema": "evalkit.record/1", "instance_id": iid, "revision_id": rid, "parent": parent,
                   "kind": kind, "who": who, "when": at(10 + 10 * k).isoformat(), "why": "改" if kind == "edit" else "",
                   "merges": [], **snap, "state": state}
            if kind == "edit":
                doc["answers"] = {**snap["answers"], "edited": True}
                snap = {**snap, "answers": doc["answers"]}
            durable.write_new(root / "raw" / iid / f"{rid}.json", durable.dumps(doc))
            docs.append(doc)
            parent = rid
        out[iid] = docs
    return out


def test_an_old_project_is_named_by_validate_and_converted_keeping_everything(tmp_path):
    init_project(tmp_path / "p", "province-2018")
    root = tmp_path / "p"
    old = old_store(root)
    problems = raw_problems(root)
    assert [p.code for p in problems if p.is_error] == ["store-old-format"]
    assert "evalkit store convert" in problems[0].message and "9 个" in problems[0].message
    with pytest.raises(ValueError, match="旧格式"):
        Store(root).edit(next(iter(old)), answers={}, who="张三", why="x")
    assert main(["store", "convert", str(root), "--pack"]) == 0
    store = Store(root)
    assert store.snapshot(verify=True).problems == []
    mapping = json.loads((root / "backup" / "store-v1" / "mapping.json").read_text(encoding="utf-8"))["revisions"]
    for iid, docs in old.items():
        history = store.history(iid)
        assert [(r.kind, r.who, r.when, r.state, r.answers) for r in history] == \
            [(d["kind"], d["who"], d["when"], d["state"], d["answers"]) for d in docs]
        assert [mapping[d["revision_id"]] for d in docs] == [r.revision_id for r in history]
        assert all((root / "backup" / "store-v1" / "raw" / iid / f"{d['revision_id']}.json").is_file() for d in docs)
    assert main(["store", "convert", str(root)]) == 0   # again: nothing to do
    assert main(["store", "verify", str(root)]) == 0


def test_cli_store_pack_and_verify(tmp_path, capsys):
    init_project(tmp_path / "p", "province-2018")
    root = tmp_path / "p"
    store, records = filled(root, 3)
    root_before = store.snapshot().root
    assert main(["store", "verify", str(root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["root"] == root_before and data["revisions"] == 9 and data["loose"] == 9 and data["problems"] == []
    assert main(["store", "pack", str(root)]) == 0
    text = capsys.readouterr().out
    assert "已打包：3 条记录的 9 个修订" in text and root_before in text
    assert main(["store", "verify", str(root), "--root", root_before]) == 0
    assert "完全一致" in capsys.readouterr().out
    submit(store, {"i": 7}, now=at(400))
    assert main(["store", "verify", str(root), "--root", root_before]) == 1
    assert "有变化" in capsys.readouterr().out
    assert main(["store", "pack", str(tmp_path / "nowhere")]) == 2
