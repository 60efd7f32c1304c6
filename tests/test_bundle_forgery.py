"""Bundles carry evidence, not authority (issue 16): every forged bundle of the issue is refused whole,
with the revision and the rule named.

Each forgery is made the way a person would: on a laptop that received the project's records, a
revision file is written by hand into raw/ (named by its hash, so the store takes it), and the
laptop's records are exported with the laptop's own registered key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from test_bundle import KEYS, at, codes, export, files_under, keyring, make_project, register, submit  # noqa: F401

from evalkit.cli.main import main
from evalkit.interop import import_bundle, revoke_key
from evalkit.io import durable
from evalkit.project import open_project, validate_project
from evalkit.store import Store, encode

FUTURE = datetime(2099, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def field(tmp_path):
    """The lead's project (records of zhang and li) and zhang's laptop holding a copy of them."""
    lead = make_project(tmp_path / "lead")
    store = Store(lead)
    mine = submit(store, "zhang", 0, answers={"q1": "是", "n": 3})
    theirs = submit(store, "li", 1, answers={"q1": "否"})
    base = tmp_path / "base.zip"
    export(lead, base)
    laptop = make_project(tmp_path / "laptop")
    assert import_bundle(laptop, base).ok
    return {"lead": lead, "laptop": laptop, "mine": mine, "theirs": theirs, "tmp": tmp_path}


def forge(root: Path, doc: dict) -> str:
    """Write a hand-made revision into a project's raw/ (named by its hash); returns the hash."""
    data = encode(doc)
    name = hashlib.sha256(data).hexdigest()
    durable.write_new(root / "raw" / doc["instance_id"] / f"{name}.json", data)
    return name


def child(rev, **changes) -> dict:
    return {**rev.document(), "parent": rev.revision_id, **changes}


def refused(field, signer: str, name: str, **kw):
    """Export the laptop signed by ``signer``, import into the lead's project: the result, which must add nothing."""
    out = field["tmp"] / f"{name}.zip"
    export(field["laptop"], out, signer=signer, **kw)
    before = files_under(field["lead"])
    result = import_bundle(field["lead"], out)
    assert not result.ok and files_under(field["lead"]) == before
    return result


def rule(result) -> list[tuple[str, str | None, str]]:
    return [(p.code, p.record, p.message) for p in result.problems if p.is_error]


def test_an_assessor_cannot_bring_an_approval_by_the_lead(field):
    rid = forge(field["laptop"], child(field["mine"], kind="review", who="组长", state="approved",
                                       when=at(1).isoformat()))
    result = refused(field, "zhang", "approval")
    [(code, record, message)] = rule(result)
    assert (code, record) == ("bundle-rule", field["mine"].instance_id)
    assert rid[:16] in message and "无权带来审核" in message and "证据" in message


def test_a_review_that_changes_answers_is_refused_even_from_the_lead(field):
    forge(field["laptop"], child(field["mine"], kind="review", who="组长", state="approved",
                                 when=at(1).isoformat(), answers={"q1": "是", "n": 30}))
    [(code, _, message)] = rule(refused(field, "组长", "changed"))
    assert code == "bundle-rule" and "审核改变了答案" in message


def test_an_assessor_cannot_delete_another_assessors_record(field):
    forge(field["laptop"], child(field["theirs"], kind="delete", who="zhang", why="重复", deleted=True,
                                 when=at(2).isoformat()))
    [(code, record, message)] = rule(refused(field, "zhang", "delete"))
    assert record == field["theirs"].instance_id and "只有记录的评估员「li」或评估组长能删除" in message


def test_a_submission_born_approved_is_refused(field):
    doc = {**field["mine"].document(), "instance_id": durable.new_id(), "state": "approved"}
    forge(field["laptop"], doc)
    [(code, record, message)] = rule(refused(field, "zhang", "born"))
    assert record == doc["instance_id"] and "已接收" in message


def test_an_edit_dated_2099_is_refused(field):
    forge(field["laptop"], child(field["mine"], kind="edit", who="zhang", why="改", when=FUTURE.isoformat(),
                                 answers={"q1": "否"}))
    [(code, _, message)] = rule(refused(field, "zhang", "future"))
    assert "2099" in message and "时钟误差" in message


def test_an_assessor_cannot_bring_someone_elses_submission(field):
    forge(field["laptop"], {**field["theirs"].document(), "instance_id": durable.new_id()})   # li's, by zhang's key
    [(code, _, message)] = rule(refused(field, "zhang", "others"))
    assert "不能带来「li」做出的修订" in message


def resign(bundle: Path, extra: dict[str, bytes], signer: str) -> Path:
    """The bundle with members added by hand, its index, checksum and signature made again with ``signer``'s key."""
    import zipfile

    from evalkit.interop.signing import sign
    from evalkit.io.durable import dumps

    with zipfile.ZipFile(bundle) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.startswith("bundle.")}
        index = json.loads(zf.read("bundle.json"))
    members.update(extra)
    index["members"] = [{"path": k, "sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
                        for k, v in sorted(members.items())]
    data = dumps(index)
    out = bundle.with_name("re-" + bundle.name)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("bundle.json", data)
        zf.writestr("bundle.sha256", hashlib.sha256(data).hexdigest() + "  bundle.json\n")
        zf.writestr("bundle.sig", sign(KEYS[signer][0], data))
        for k, v in members.items():
            zf.writestr(k, v)
    return out


def test_attachments_nobody_references_or_too_big_are_refused(field):
    out = field["tmp"] / "plain.zip"
    submit(Store(field["laptop"]), "zhang", 4)
    export(field["laptop"], out, signer="zhang")
    photo = b"\xff\xd8\xff" + bytes(4 << 20)
    name = f"raw/attachments/{hashlib.sha256(photo).hexdigest()}.jpg"
    before = files_under(field["lead"])
    result = import_bundle(field["lead"], resign(out, {name: photo}, "zhang"))
    assert [(p.code, p.field) for p in result.problems] == [("bundle-rule", name)]
    assert "没有任何修订引用" in result.problems[0].message and files_under(field["lead"]) == before
    store = Store(field["laptop"])
    big = store.save_attachment(b"\xff\xd8\xff" + bytes(31 << 20), original_name="big.jpg", media_type="image/jpeg",
                                max_bytes=64 << 20, field="photo")
    store.edit(field["mine"].instance_id, answers={"q1": "是"}, attachments=[big], who="zhang", why="补照片",
               now=at(3))
    result = refused(field, "zhang", "big")
    assert any("超过调查工具允许的 30 MB" in p.message for p in result.problems)


def test_six_fabricated_records_arrive_received_and_do_not_count(field):
    """What an assessor's key may bring is evidence waiting for review: nothing scores until the lead approves."""
    for i in range(6):
        submit(Store(field["laptop"]), "zhang", 5 + i, answers={"q1": "是", "n": 100 + i})
    out = field["tmp"] / "six.zip"
    export(field["laptop"], out, signer="zhang", assessor="zhang")
    result = import_bundle(field["lead"], out)
    assert result.ok and result.added["records"] == 6
    views = [v for v in Store(field["lead"]).records(assessor="zhang") if v.answers.get("n", 0) >= 100]
    assert len(views) == 6 and {v.state for v in views} == {"received"}
    receipt = json.loads((field["lead"] / result.receipt).read_text(encoding="utf-8"))
    assert receipt["signer"]["person"] == "zhang" and receipt["signed"] and len(receipt["revisions"]) == 6


def test_a_reviewer_brings_their_own_reviews_only(field):
    ok = forge(field["laptop"], child(field["mine"], kind="review", who="wang", state="approved",
                                      when=at(1).isoformat()))
    out = field["tmp"] / "review.zip"
    export(field["laptop"], out, signer="wang")
    result = import_bundle(field["lead"], out)
    assert result.ok and result.added_paths == [f"raw/{field['mine'].instance_id}/{ok}.json"]
    assert Store(field["lead"]).get(field["mine"].instance_id).state == "approved"
    forge(field["laptop"], child(field["theirs"], kind="review", who="组长", state="rejected", comment="退回",
                                 when=at(2).isoformat()))
    assert "无权带来审核" in rule(refused(field, "wang", "claim"))[0][2]


def test_unsigned_unknown_and_revoked_keys(field, capsys):
    submit(Store(field["laptop"]), "zhang", 9)
    unsigned = field["tmp"] / "unsigned.zip"
    export(field["laptop"], unsigned, signer=None)
    assert codes(import_bundle(field["lead"], unsigned).problems) == ["bundle-unsigned"]
    # --allow-unsigned: the rules still apply, and the import is recorded and shown by validate
    assert main(["bundle", "import", str(field["lead"]), str(unsigned), "--allow-unsigned"]) == 0
    assert "bundle-unsigned-allowed" in capsys.readouterr().out
    found = validate_project(open_project(field["lead"]))[str(field["lead"] / "imports")]
    assert [p.code for p in found] == ["bundle-imported-unsigned"] and "unsigned.zip" in found[0].message
    # a key the project never registered, and a revoked one
    other = make_project(field["tmp"] / "other", keys=False)
    assert codes(import_bundle(other, unsigned).problems) == ["bundle-unsigned"]
    submit(Store(field["laptop"]), "zhang", 10)
    signed = field["tmp"] / "signed.zip"
    export(field["laptop"], signed, signer="zhang")
    register(other, "组长")
    assert codes(import_bundle(other, signed).problems) == ["bundle-key-unknown"]
    revoke_key(field["lead"], KEYS["zhang"][0].key_id, "电脑丢失")
    result = import_bundle(field["lead"], signed)
    assert codes(result.problems) == ["bundle-key-unknown"] and "吊销" in result.problems[0].message


def test_clock_skew_is_stated_and_adjustable(field):
    soon = datetime.now(UTC) + timedelta(minutes=30)
    forge(field["laptop"], child(field["mine"], kind="edit", who="zhang", why="改", when=soon.isoformat(),
                                 answers={"q1": "否"}))
    out = field["tmp"] / "skew.zip"
    export(field["laptop"], out, signer="zhang")
    assert codes(import_bundle(field["lead"], out).problems) == ["bundle-rule"]
    assert import_bundle(field["lead"], out, max_skew=timedelta(hours=1)).ok
