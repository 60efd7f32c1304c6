"""Field-laptop bundles (issue 8 item 1, issue 16): export, verify, merge without loss, duplication or
overwrite; a bundle is a signed pack whose revisions are checked against the signer's registered key."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from evalkit.app.pages import current_project
from evalkit.app.record import record_html
from evalkit.cli.main import main
from evalkit.interop import export_bundle, import_bundle, load_signing_key, new_key, project_identity, register_key
from evalkit.interop.bundle_format import FORMAT
from evalkit.io import durable
from evalkit.io.durable import dumps
from evalkit.project import init_project
from evalkit.store import Store, read_pack

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=CST)
SHA = "ab" * 32
PID = "0123456789abcdef0123456789abcdef"
JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 100


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


KEYS: dict[str, tuple] = {}   # person -> (signing key, public key file, role)


@pytest.fixture(autouse=True)
def keyring(tmp_path, monkeypatch):
    """Device keys of the lead (组长), two assessors and a reviewer; no key is the computer's default."""
    folder = tmp_path / "device-keys"
    monkeypatch.setenv("EVALKIT_KEYS", str(folder / "none"))
    KEYS.clear()
    for person, role in (("组长", "lead"), ("zhang", "assessor"), ("li", "assessor"), ("wang", "reviewer")):
        secret, shared = new_key(person, folder=folder / role / person)
        KEYS[person] = (load_signing_key(secret), shared, role)


def register(root: Path, *people: str) -> None:
    for person in people or KEYS:
        register_key(root, KEYS[person][1], [KEYS[person][2]])


def make_project(root: Path, pid: str | None = PID, name: str = "吉林测试评估", keys: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    line = f'project_id = "{pid}"\n' if pid else ""
    (root / "evalkit.toml").write_text(f'[evaluation]\n{line}name = "{name}"\n', encoding="utf-8")
    (root / "raw").mkdir(exist_ok=True)
    if keys:
        register(root)
    return root


def export(root: Path, out: Path, signer: str | None = "组长", **kw):
    """export_bundle signed by ``signer``'s device key (None: unsigned)."""
    return export_bundle(root, out, key=KEYS[signer][0] if signer else None, **kw)


def key_file(person: str) -> str:
    return str(KEYS[person][0] and next(Path(KEYS[person][1]).parent.glob("*.key")))


def packed(bundle: Path) -> list[str]:
    """The revision hashes in a bundle's pack, sorted."""
    with zipfile.ZipFile(bundle) as zf:
        name = next((n for n in zf.namelist() if n.startswith("raw/packs/")), None)
        if name is None:
            return []
        path = bundle.parent / f"x-{bundle.stem}" / name.rsplit("/", 1)[1]
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(zf.read(name))
    return sorted(e.revision_id for e in read_pack(path)[0].entries)


def submit(store: Store, assessor: str = "zhang", hours: float = 0, answers: dict | None = None, **kw):
    return store.submit(instrument_id="site_visit", instrument_version="2024050101", instrument_sha256=SHA,
                        unit="c1-01", assessor=assessor, answers=answers or {"q1": "是"}, started=at(hours),
                        now=at(hours), **kw)


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def codes(problems) -> list[str]:
    return [p.code for p in problems]


@pytest.fixture
def lead(tmp_path):
    """A project with two records: one edited, one with a photo."""
    root = make_project(tmp_path / "lead")
    store = Store(root)
    first = submit(store, "zhang", 0)
    edit = store.edit(first.instance_id, answers={"q1": "否"}, who="zhang", why="看错了", now=at(1))
    photo = store.save_attachment(JPEG, original_name="门牌.jpg", media_type="image/jpeg", max_bytes=10**6,
                                  field="photo")
    second = submit(store, "li", 2, attachments=[photo])
    return {"root": root, "store": store, "first": first, "edit": edit, "second": second, "photo": photo}


def rev_path(rev) -> str:
    return f"raw/{rev.instance_id}/{rev.revision_id}.json"


def write_bundle(path: Path, index: dict, members: dict[str, bytes], checksum: str | None = None,
                 extra: dict[str, bytes] | None = None) -> Path:
    """A hand-made bundle (for tampering tests): index, checksum (correct unless given), members."""
    data = dumps(index)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("bundle.json", data)
        zf.writestr("bundle.sha256", (checksum or hashlib.sha256(data).hexdigest()) + "  bundle.json\n")
        for name, content in {**members, **(extra or {})}.items():
            zf.writestr(name, content)
    return path


def honest_index(members: dict[str, bytes], kind: str = "records", project: dict | None = None) -> dict:
    return {"format": FORMAT, "kind": kind, "project": project or {"id": PID, "name": "吉林测试评估"},
            "exporter": {"program": "evalkit", "version": "x"}, "selection": {}, "counts": {},
            "members": [{"path": k, "sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
                        for k, v in sorted(members.items())]}


# ---------------------------------------------------------------- round trip


def test_round_trip_twice_adds_once_and_changes_nothing_the_second_time(lead, tmp_path):
    out = tmp_path / "zhang.zip"
    exported = export(lead["root"], out)
    assert exported.counts == {"records": 2, "revisions": 3, "attachments": 1}
    assert exported.problems == []
    laptop = make_project(tmp_path / "other")

    first = import_bundle(laptop, out)
    assert first.problems == [] and first.ok
    assert first.added == {"records": 2, "revisions": 3, "attachments": 1}
    assert first.skipped == {"records": 0, "revisions": 0, "attachments": 0}
    photo = f"raw/attachments/{lead['photo']['name']}"
    # attachments first, then each record's revisions parents first
    assert first.added_paths[0] == photo
    assert sorted(first.added_paths) == sorted([photo, rev_path(lead["first"]), rev_path(lead["edit"]),
                                                rev_path(lead["second"])])
    assert first.added_paths.index(rev_path(lead["first"])) < first.added_paths.index(rev_path(lead["edit"]))
    assert files_under(laptop / "raw") == files_under(lead["root"] / "raw")   # byte for byte, hashes equal
    assert not list(laptop.glob(".bundle-import-*"))
    before = files_under(laptop)

    second = import_bundle(laptop, out)
    assert second.ok and second.problems == []
    assert second.added == {"records": 0, "revisions": 0, "attachments": 0}
    assert second.skipped == {"records": 0, "revisions": 3, "attachments": 1}
    assert second.added_paths == []
    assert files_under(laptop) == before
    views = {v.instance_id: v for v in Store(laptop).load()[0]}
    assert views[lead["first"].instance_id].answers == {"q1": "否"}
    assert views[lead["first"].instance_id].revisions == 2
    assert views[lead["second"].instance_id].attachments[0]["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert Store(laptop).load()[1] == []
    assert oct((laptop / rev_path(lead["first"])).stat().st_mode & 0o777) == "0o444"   # read-only like the store's


def test_export_is_deterministic_and_indexes_every_member(lead, tmp_path):
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    export(lead["root"], a)
    export(lead["root"], b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = zf.namelist()
        index = json.loads(zf.read("bundle.json"))
        assert zf.read("bundle.sha256").decode() == \
            hashlib.sha256(zf.read("bundle.json")).hexdigest() + "  bundle.json\n"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    pack = next(n for n in names if n.startswith("raw/packs/pack-"))
    paths = sorted([f"raw/attachments/{lead['photo']['name']}", pack])
    assert names == ["bundle.json", "bundle.sha256", "bundle.sig", *paths]
    assert index["format"] == "evalkit.bundle/2" and index["kind"] == "records"
    assert index["project"] == {"id": PID, "name": "吉林测试评估"}
    key = KEYS["组长"][0]
    assert index["exporter"] == {"program": "evalkit", "version": "0.1.0", "key": key.key_id, "person": "组长"}
    assert index["selection"] == {"assessor": None, "since": None}
    assert [m["path"] for m in index["members"]] == paths
    revisions = [lead["first"], lead["edit"], lead["second"]]
    assert packed(a) == sorted(r.revision_id for r in revisions)
    assert index["revisions_root"] == Store(lead["root"]).snapshot().root   # the same set of revisions
    photo = (lead["root"] / paths[0]).read_bytes()
    assert index["members"][0] == {"path": paths[0], "sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo)}


def test_assessor_selection_takes_every_revision_of_records_the_assessor_made_or_changed(lead, tmp_path):
    store = lead["store"]
    third = submit(store, "wang", 3)
    review = store.review(lead["second"].instance_id, state="approved", who="wang", now=at(4))
    out = tmp_path / "wang.zip"
    result = export(lead["root"], out, assessor="wang")
    assert result.index["selection"] == {"assessor": "wang", "since": None}
    assert packed(out) == sorted(r.revision_id for r in (third, lead["second"], review))
    assert result.counts == {"records": 2, "revisions": 3, "attachments": 1}
    only_zhang = export(lead["root"], tmp_path / "zhang.zip", assessor="zhang")
    assert packed(tmp_path / "zhang.zip") == sorted([lead["first"].revision_id, lead["edit"].revision_id])
    assert only_zhang.counts["attachments"] == 0
    nobody = export(lead["root"], tmp_path / "nobody.zip", assessor="nobody")
    assert nobody.index["members"] == [] and nobody.counts == {"records": 0, "revisions": 0, "attachments": 0}


def test_since_selection_and_a_missing_parent(lead, tmp_path):
    out = tmp_path / "since.zip"
    result = export(lead["root"], out, since="2024-05-01T10:00")   # China time when no zone
    assert result.index["selection"] == {"assessor": None, "since": "2024-05-01T10:00:00+08:00"}
    assert packed(out) == sorted([lead["edit"].revision_id, lead["second"].revision_id])
    day = export(lead["root"], tmp_path / "day.zip", since="2024-05-02")
    assert day.index["members"] == []
    # a project that never received the first revision: the edit would be an orphan -> refused whole
    empty = make_project(tmp_path / "empty")
    refused = import_bundle(empty, out)
    assert codes(refused.problems) == ["bundle-parent-missing"]
    p = refused.problems[0]
    assert (p.record, p.field) == (lead["first"].instance_id, lead["edit"].revision_id)
    assert lead["first"].revision_id in p.message
    assert not (empty / "raw" / lead["first"].instance_id).exists() and not (empty / "imports").exists()
    # a project that has it: the later revisions are added
    has_base = make_project(tmp_path / "base")
    target = has_base / rev_path(lead["first"])
    target.parent.mkdir(parents=True)
    target.write_bytes((lead["root"] / rev_path(lead["first"])).read_bytes())
    done = import_bundle(has_base, out)
    assert done.ok and done.added == {"records": 1, "revisions": 2, "attachments": 1}
    assert Store(has_base).get(lead["first"].instance_id).answers == {"q1": "否"}


def test_bad_since_is_a_usage_error(lead, tmp_path, capsys):
    assert main(["bundle", "export", str(lead["root"]), "--since", "5月1日", "-o", str(tmp_path / "x.zip")]) == 2
    assert "日期「5月1日」无效" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


# ---------------------------------------------------------------- conflicts


def test_two_laptops_edit_the_same_record_both_revisions_kept_and_the_conflict_shown(lead, tmp_path, capsys):
    base = tmp_path / "base.zip"
    export(lead["root"], base)
    laptops = []
    for i, (who, answer) in enumerate((("zhang", "部分"), ("组长", "不适用"))):
        laptop = make_project(tmp_path / f"laptop{i}")
        assert import_bundle(laptop, base).added["revisions"] == 3
        rev = Store(laptop).edit(lead["first"].instance_id, answers={"q1": answer}, who=who, why="现场复核",
                                 now=at(5 + i))
        out = tmp_path / f"{i}.zip"
        export(laptop, out, signer=who, assessor=who)
        laptops.append((out, rev))
    (zhang_zip, zhang_rev), (li_zip, li_rev) = laptops
    first = import_bundle(lead["root"], zhang_zip)
    assert first.ok and first.added == {"records": 0, "revisions": 1, "attachments": 0}
    assert first.conflicts == []
    second = import_bundle(lead["root"], li_zip)
    assert second.ok and second.added == {"records": 0, "revisions": 1, "attachments": 0}
    iid = lead["first"].instance_id
    assert second.conflicts == [iid]
    assert codes(second.problems) == ["record-conflict"]
    assert second.problems[0].severity == "warning" and zhang_rev.revision_id in second.problems[0].message
    store = Store(lead["root"])
    assert [r.revision_id for r in store.history(iid)] == [lead["first"].revision_id, lead["edit"].revision_id,
                                                           zhang_rev.revision_id, li_rev.revision_id]
    view = store.get(iid)
    assert view.current == li_rev.revision_id and view.conflicts == (zhang_rev.revision_id,)
    assert view.answers == {"q1": "不适用"}
    # review page and evalkit validate show it to the lead evaluator
    assert "这条记录有冲突的修订" in record_html(current_project(lead["root"]), iid)
    capsys.readouterr()
    main(["validate", str(lead["root"]), "--json"])
    found = [p for p in json.loads(capsys.readouterr().out) if p["code"] == "record-conflict"]
    assert [(p["record"], p["severity"]) for p in found] == [(iid, "warning")]
    # the lead lists and settles it; importing the laptops' bundles again changes nothing and no longer conflicts
    assert main(["bundle", "conflicts", str(lead["root"]), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["record"], c["current"], [h["revision"] for h in c["heads"]], [h["answers"] for h in c["heads"]])
            for c in listed] == [(iid, li_rev.revision_id, [zhang_rev.revision_id, li_rev.revision_id],
                                  [{"q1": "部分"}, {"q1": "不适用"}])]
    assert main(["bundle", "resolve", str(lead["root"]), iid, "--keep", "nope", "--who", "组长", "--why", "x"]) == 2
    capsys.readouterr()
    assert main(["bundle", "resolve", str(lead["root"]), iid, "--keep", zhang_rev.revision_id[:8], "--who", "组长",
                 "--why", "核对照片后确定"]) == 0
    assert "已解决记录" in capsys.readouterr().out
    settled = store.get(iid)
    assert settled.conflicts == () and settled.answers == {"q1": "部分"} and settled.revisions == 5
    last = store.history(iid)[-1]
    assert (last.parent, last.merges, last.who, last.why) == (li_rev.revision_id, (zhang_rev.revision_id,), "组长",
                                                              "核对照片后确定")
    assert main(["bundle", "conflicts", str(lead["root"])]) == 0
    assert "没有冲突的记录" in capsys.readouterr().out
    again = import_bundle(lead["root"], li_zip)
    assert again.added["revisions"] == 0 and again.conflicts == [] and again.problems == []


# ---------------------------------------------------------------- bad bundles


def test_truncated_bundle_nothing_imported(lead, tmp_path):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    data = out.read_bytes()
    target = make_project(tmp_path / "target")
    before = files_under(target)
    for cut in (0, 10, len(data) // 2, len(data) - 1):
        short = tmp_path / f"cut{cut}.zip"
        short.write_bytes(data[:cut])
        result = import_bundle(target, short)
        assert codes(result.problems) == ["bundle-unreadable"], cut
        assert result.problems[0].file == str(short)
        assert files_under(target) == before


def test_tampered_member_index_checksum_and_signature(lead, tmp_path):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    with zipfile.ZipFile(out) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.startswith("bundle.")}
        index = json.loads(zf.read("bundle.json"))
        sig = zf.read("bundle.sig")
    target = make_project(tmp_path / "target")
    before = files_under(target)
    victim = next(n for n in members if n.startswith("raw/packs/"))
    changed = dict(members, **{victim: members[victim][:-3] + b"xyz"})
    result = import_bundle(target, write_bundle(tmp_path / "t1.zip", index, changed, extra={"bundle.sig": sig}))
    assert codes(result.problems) == ["bundle-member-hash"] and result.problems[0].field == victim
    # the index changed to match, but the checksum not
    forged = honest_index(changed)
    result = import_bundle(target, write_bundle(tmp_path / "t2.zip", forged, changed,
                                                   checksum=hashlib.sha256(dumps(index)).hexdigest()))
    assert codes(result.problems) == ["bundle-checksum"]
    # the index and its checksum changed to match, but the signature was made for the old index
    result = import_bundle(target, write_bundle(tmp_path / "t2b.zip", forged, changed, extra={"bundle.sig": sig}))
    assert codes(result.problems) == ["bundle-signature-invalid"]
    # a member missing, a member not in the index
    missing = {k: v for k, v in members.items() if k != victim}
    result = import_bundle(target, write_bundle(tmp_path / "t3.zip", index, missing, extra={"bundle.sig": sig}))
    assert codes(result.problems) == ["bundle-member-missing"] and result.problems[0].field == victim
    extra = f"raw/attachments/{'e' * 64}.jpg"
    result = import_bundle(target, write_bundle(tmp_path / "t4.zip", index, members,
                                                   extra={extra: b"{}", "bundle.sig": sig}))
    assert codes(result.problems) == ["bundle-member-unlisted"] and result.problems[0].field == extra
    assert files_under(target) == before


def test_invalid_revision_inside_a_consistent_bundle_is_refused(lead, tmp_path):
    from evalkit.store import build_pack, encode, pack_name

    iid = "1" * 32
    doc = {**lead["first"].document(), "instance_id": iid, "kind": "edit"}     # an edit without a parent
    good = encode(doc)
    meta = type(lead["first"])(**{**lead["first"].__dict__, "instance_id": iid, "kind": "edit",
                                  "revision_id": hashlib.sha256(good).hexdigest()})
    junk = type(lead["first"])(**{**lead["first"].__dict__, "instance_id": iid, "revision_id": "3" * 64})
    data = build_pack([(meta, good), (junk, b"not json")])
    members = {f"raw/packs/{pack_name(data)}": data}
    target = make_project(tmp_path / "target")
    result = import_bundle(target, write_bundle(tmp_path / "bad.zip", honest_index(members), members))
    assert sorted((p.code, p.field) for p in result.problems) == [
        ("bundle-record-invalid", "3" * 64), ("bundle-record-invalid", meta.revision_id)]
    assert not (target / "raw" / iid).exists()


def test_bundle_from_another_project(lead, tmp_path, capsys):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    other = make_project(tmp_path / "other", pid="f" * 32)
    before = files_under(other)
    result = import_bundle(other, out)
    assert codes(result.problems) == ["bundle-other-project"]
    assert PID in result.problems[0].message and "f" * 32 in result.problems[0].message
    assert files_under(other) == before
    assert main(["bundle", "import", str(other), str(out)]) == 1
    assert "bundle-other-project" in capsys.readouterr().out
    assert files_under(other) == before
    assert main(["bundle", "import", str(other), str(out), "--other-project"]) == 0
    text = capsys.readouterr().out
    assert "签名：密钥" in text
    assert "bundle-other-project-forced" in text and "新增 2 条记录、3 个修订、1 个附件" in text
    # projects without ids are matched by name
    no_id = make_project(tmp_path / "noid", pid=None, name="别的评估")
    assert codes(import_bundle(no_id, out).problems) == ["bundle-other-project"]
    same_name = make_project(tmp_path / "samename", pid=None)
    assert import_bundle(same_name, out).ok


@pytest.mark.parametrize("bad", ["../../x.json", "/tmp/evalkit-bundle-abs.json", "raw/../../x.json",
                                 "raw/attachments/../../../x.jpg", "raw/" + "a" * 32 + "/../../y.json",
                                 ".hidden.xlsx", "raw\\..\\x.json"])
def test_paths_outside_the_project_are_refused(lead, tmp_path, bad):
    target = make_project(tmp_path / "deep" / "target")
    before = files_under(tmp_path)
    members = {bad: b'{"x": 1}'}
    for kind in ("records", "setup"):
        result = import_bundle(target, write_bundle(tmp_path / f"{kind}.zip", honest_index(members, kind), members))
        assert codes(result.problems) == ["bundle-path-unsafe"] and result.problems[0].field == bad
        # the same name present in the zip but not in the index
        result = import_bundle(target, write_bundle(tmp_path / f"{kind}2.zip", honest_index({}, kind), {},
                                                       extra=members))
        assert codes(result.problems) == ["bundle-path-unsafe"]
    after = files_under(tmp_path)
    assert {k for k in after if not k.endswith(".zip")} == {k for k in before if not k.endswith(".zip")}
    assert not Path("/tmp/evalkit-bundle-abs.json").exists()


def test_symlinked_folder_inside_the_project_is_not_followed(lead, tmp_path):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    target = make_project(tmp_path / "target")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target / "raw").rmdir()
    (target / "raw").symlink_to(elsewhere)
    result = import_bundle(target, out)
    assert set(codes(result.problems)) == {"bundle-path-outside"}
    assert list(elsewhere.iterdir()) == []


def test_attachment_bytes_must_match_the_hash_name(tmp_path):
    name = hashlib.sha256(b"real photo").hexdigest() + ".jpg"
    members = {f"raw/attachments/{name}": b"another photo"}
    target = make_project(tmp_path / "target")
    result = import_bundle(target, write_bundle(tmp_path / "att.zip", honest_index(members), members))
    assert codes(result.problems) == ["bundle-attachment-hash"]
    assert result.problems[0].field == f"raw/attachments/{name}"
    assert not (target / "raw" / "attachments").exists()


def test_existing_file_with_other_bytes_is_a_conflict_not_an_overwrite(lead, tmp_path):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    target = make_project(tmp_path / "target")
    assert import_bundle(target, out).ok
    damaged = target / rev_path(lead["edit"])
    os.chmod(damaged, 0o644)
    damaged.write_bytes(b'{"torn')
    before = files_under(target)
    result = import_bundle(target, out)
    assert codes(result.problems) == ["bundle-file-differs"]
    assert result.problems[0].file == str(damaged)
    assert "已损坏" in result.problems[0].message and "重新导入" in result.problems[0].message
    assert any(p.code == "record-damaged" for p in Store(target).load()[1])
    assert files_under(target) == before
    # moving the damaged file away and importing again restores it
    damaged.rename(tmp_path / "torn.json")
    again = import_bundle(target, out)
    assert again.ok and again.added == {"records": 0, "revisions": 1, "attachments": 0}
    assert damaged.read_bytes() == (lead["root"] / rev_path(lead["edit"])).read_bytes()


def test_records_bundle_into_a_folder_that_is_not_a_project(lead, tmp_path):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert codes(import_bundle(empty, out).problems) == ["bundle-not-a-project"]
    assert list(empty.iterdir()) == []


def test_a_failed_write_leaves_complete_files_and_a_rerun_completes(lead, tmp_path, monkeypatch):
    out = tmp_path / "b.zip"
    export(lead["root"], out)
    target = make_project(tmp_path / "target")
    real = durable.link_no_replace
    calls = []

    def full_disk(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(durable, "link_no_replace", full_disk)
    result = import_bundle(target, out)
    assert codes(result.problems) == ["bundle-write-failed"]
    assert result.problems[0].file == str(calls[2]) and "2 个文件" in result.problems[0].message
    assert len(result.added_paths) == 2
    placed = files_under(target / "raw")
    source = files_under(lead["root"] / "raw")
    assert len(placed) == 2 and all(source[k] == v for k, v in placed.items())   # complete files only
    assert not list(target.glob(".bundle-import-*"))
    monkeypatch.setattr(durable, "link_no_replace", real)
    rerun = import_bundle(target, out)
    assert rerun.ok and rerun.added["revisions"] + rerun.added["attachments"] == 2
    assert files_under(target / "raw") == source


# ---------------------------------------------------------------- setup bundles


def test_setup_bundle_creates_a_laptop_project_and_never_overwrites(tmp_path, capsys):
    root = tmp_path / "lead"
    init_project(root, "province-2018", "长春评估")
    register(root)
    assert main(["bundle", "id", str(root), "--new"]) == 0
    pid = project_identity(root)["id"]
    assert pid and len(pid) == 32
    (root / "frames" / "办件清单.csv").write_text("办件编号,单位\nA1,c1-01\n", encoding="utf-8")
    (root / "draws" / "srs-n2-s1.json").write_bytes(dumps({"format": "evalkit.draw/1", "draw_id": "srs-n2-s1"}))
    (root / "assessors.xlsx").write_bytes(b"PK fake xlsx")
    Store(root).save_attachment(JPEG, original_name="x.jpg", media_type="image/jpeg", max_bytes=10**6)
    capsys.readouterr()
    setup = tmp_path / "setup.zip"
    assert main(["bundle", "export", str(root), "--setup", "-o", str(setup), "--key", key_file("组长")]) == 0
    assert "已导出设置包" in capsys.readouterr().out
    with zipfile.ZipFile(setup) as zf:
        names = zf.namelist()
    instruments = sorted(f"instruments/{p.name}" for p in (root / "instruments").glob("*.xlsx"))
    keys = sorted(f"keys/{p.name}" for p in (root / "keys").glob("*.json"))
    assert names == ["bundle.json", "bundle.sha256", "bundle.sig", "assessors.xlsx", "draws/srs-n2-s1.json",
                     "evalkit.toml", "frames/办件清单.csv", "framework.xlsx", *instruments, *keys, "units.xlsx"]
    # a new laptop trusts the setup its lead signed (the bundle registers the lead's key); an assessor's is refused
    zhang_setup = tmp_path / "zhang-setup.zip"
    export(root, zhang_setup, signer="zhang", setup=True)
    refused = import_bundle(tmp_path / "nope", zhang_setup).problems
    assert codes(refused) == ["bundle-rule"] and "评估组长" in refused[0].message
    laptop = tmp_path / "laptop"                                     # does not exist yet
    assert main(["bundle", "import", str(laptop), str(setup)]) == 0
    assert f"新增 {len(names) - 3} 个设置文件" in capsys.readouterr().out
    names = names[1:]
    assert project_identity(laptop) == {"id": pid, "name": "长春评估"}
    for name in names[2:]:
        assert (laptop / name).read_bytes() == (root / name).read_bytes()
    assert all((laptop / d).is_dir() for d in ("raw", "out", "instruments", "frames", "draws"))
    assert not (laptop / "raw" / "attachments").exists()             # records never travel in a setup bundle
    # the lead adds a draw and changes the unit list: the new draw arrives only once the changed file is moved
    (root / "draws" / "pps-n1-s2.json").write_bytes(dumps({"format": "evalkit.draw/1", "draw_id": "pps-n1-s2"}))
    (root / "units.xlsx").write_bytes((root / "units.xlsx").read_bytes() + b"\0")
    export(root, setup, setup=True)
    before = files_under(laptop)
    result = import_bundle(laptop, setup)
    assert codes(result.problems) == ["bundle-file-differs"] and result.problems[0].file == str(laptop / "units.xlsx")
    assert "移到项目文件夹以外" in result.problems[0].message
    assert files_under(laptop) == before
    (laptop / "units.xlsx").rename(tmp_path / "units-old.xlsx")
    result = import_bundle(laptop, setup)
    assert result.ok and sorted(result.added_paths) == ["draws/pps-n1-s2.json", "units.xlsx"]
    assert result.added == {"setup": 2} and result.skipped == {"setup": len(names) - 3}  # units.xlsx was moved
    # the lead changes evalkit.toml: --update-setup takes it and keeps the laptop's copy in backup/
    toml_before = (laptop / "evalkit.toml").read_bytes()
    (root / "evalkit.toml").write_text((root / "evalkit.toml").read_text(encoding="utf-8").replace(
        'as_of = ""', 'as_of = "2018-12-31"'), encoding="utf-8")
    export(root, setup, setup=True)
    assert codes(import_bundle(laptop, setup).problems) == ["bundle-file-differs"]
    assert main(["bundle", "import", str(laptop), str(setup), "--update-setup"]) == 0
    assert "替换了 1 个有改动的设置文件（evalkit.toml）" in capsys.readouterr().out
    backup = laptop / "backup" / hashlib.sha256(toml_before).hexdigest()[:12] / "evalkit.toml"
    assert backup.read_bytes() == toml_before
    assert (laptop / "evalkit.toml").read_bytes() == (root / "evalkit.toml").read_bytes()
    # draws are never replaced, not even with --update-setup
    draw = laptop / "draws" / "pps-n1-s2.json"
    os.chmod(draw, 0o644)
    draw.write_bytes(b'{"changed": true}')
    result = import_bundle(laptop, setup, update_setup=True)
    assert codes(result.problems) == ["bundle-file-differs"] and result.problems[0].file == str(draw)
    draw.unlink()
    assert import_bundle(laptop, setup).added_paths == ["draws/pps-n1-s2.json"]
    # and a laptop's records bundle goes back to the lead
    Store(laptop).submit(instrument_id="site_visit", instrument_version="1", instrument_sha256=SHA, unit="c1-01",
                         assessor="zhang", answers={}, started=T0, now=T0)
    back = tmp_path / "back.zip"
    assert main(["bundle", "export", str(laptop), "--assessor", "zhang", "-o", str(back), "--json",
                 "--key", key_file("zhang")]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {"records": 1, "revisions": 1, "attachments": 0}
    assert main(["bundle", "import", str(root), str(back), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == {"records": 1, "revisions": 1, "attachments": 0}


def test_setup_bundle_refused_by_another_project_and_checked_toml(tmp_path):
    lead = make_project(tmp_path / "lead")
    out = tmp_path / "setup.zip"
    export(lead, out, setup=True)
    other = make_project(tmp_path / "other", pid="e" * 32)
    assert codes(import_bundle(other, out).problems) == ["bundle-other-project"]
    members = {"evalkit.toml": b"[evaluation\nname = 1"}
    bad = write_bundle(tmp_path / "bad.zip", honest_index(members, "setup"), members)
    result = import_bundle(tmp_path / "new", bad)
    assert codes(result.problems) == ["bundle-setup-invalid"] and result.problems[0].field == "evalkit.toml"
    assert not (tmp_path / "new").exists()


def test_project_without_id_exports_with_a_hint_and_id_new_keeps_the_file_valid(tmp_path, capsys):
    root = make_project(tmp_path / "p", pid=None)
    result = export(root, tmp_path / "x.zip")
    assert codes(result.problems) == ["bundle-project-no-id"]
    assert result.index["project"] == {"id": None, "name": "吉林测试评估"}
    assert main(["bundle", "id", str(root), "--new", "--json"]) == 0
    identity = json.loads(capsys.readouterr().out)
    assert identity["name"] == "吉林测试评估" and len(identity["id"]) == 32
    assert main(["bundle", "id", str(root), "--new", "--json"]) == 0          # a second --new keeps the id
    assert json.loads(capsys.readouterr().out) == identity
    assert (root / "evalkit.toml").read_text(encoding="utf-8") == (
        f'[evaluation]\nproject_id = "{identity["id"]}"\nname = "吉林测试评估"\n')


# ---------------------------------------------------------------- CLI


def test_cli_export_import_check(lead, tmp_path, capsys):
    out = tmp_path / "b.zip"
    assert main(["bundle", "export", str(lead["root"]), "-o", str(out)]) == 0             # no key on this computer
    text = capsys.readouterr().out
    assert f"已导出数据包 {out}：2 条记录、3 个修订、1 个附件。" in text and "没有签名" in text
    target = make_project(tmp_path / "target")
    assert main(["bundle", "import", str(target), str(out)]) == 1
    assert "bundle-unsigned" in capsys.readouterr().out
    assert main(["bundle", "export", str(lead["root"]), "-o", str(out)]) == 2            # exists, no --force
    assert "已存在" in capsys.readouterr().err
    assert main(["bundle", "export", str(lead["root"]), "-o", str(out), "--force", "--key", key_file("组长")]) == 0
    assert "签名" in capsys.readouterr().out
    assert main(["bundle", "check", str(out)]) == 0
    assert "完好" in capsys.readouterr().out
    assert main(["bundle", "import", str(target), str(out)]) == 0
    assert "新增 2 条记录、3 个修订、1 个附件；已有而跳过 0 个修订、0 个附件。" in capsys.readouterr().out
    assert main(["bundle", "import", str(target), str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["added"] == {"records": 0, "revisions": 0, "attachments": 0}
    assert data["skipped"] == {"records": 0, "revisions": 3, "attachments": 1} and data["problems"] == []
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 junk")
    assert main(["bundle", "import", str(target), str(tmp_path / "junk.zip")]) == 1
    text = capsys.readouterr().out
    assert "bundle-unreadable" in text and "什么也没有导入" in text
    assert main(["bundle", "check", str(tmp_path / "junk.zip")]) == 1
    capsys.readouterr()
    assert main(["bundle", "import", str(target), str(tmp_path / "nope.zip")]) == 2
    assert main(["bundle", "export", str(tmp_path / "nowhere"), "-o", str(tmp_path / "y.zip")]) == 2
    assert main(["bundle", "export", str(lead["root"]), "--setup", "--assessor", "x", "-o",
                 str(tmp_path / "z.zip")]) == 2


def test_a_member_bigger_than_its_index_entry_is_not_read_whole(tmp_path):
    """A zip bomb: 200 MB of zeros compress to a few hundred kB; reading stops just past the stated size."""
    name = "raw/attachments/" + hashlib.sha256(b"x").hexdigest() + ".jpg"
    index = honest_index({name: b"x"})
    bomb = tmp_path / "bomb.zip"
    data = dumps(index)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle.json", data)
        zf.writestr("bundle.sha256", hashlib.sha256(data).hexdigest() + "  bundle.json\n")
        with zf.open(name, "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(200):
                fh.write(block)
    assert bomb.stat().st_size < 2_000_000
    target = make_project(tmp_path / "target")
    result = import_bundle(target, bomb)
    assert codes(result.problems) == ["bundle-member-hash"] and result.problems[0].field == name
    assert not (target / "raw" / "attachments").exists()
