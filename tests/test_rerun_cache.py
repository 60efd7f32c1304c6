"""A rerun's cache (issue 19, incremental reruns): what it reuses is named by content hashes, the
outputs are the same bytes with and without it, and a damaged, edited or stale cache is not trusted."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import output_hashes

from evalkit.cli.main import main
from evalkit.io import durable
from evalkit.pipeline import rerun
from evalkit.pipeline.cache import CACHE_FOLDER, cache_path, load_cache
from evalkit.store import Store, build_pack, pack_name, pack_store

T0 = datetime(2018, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cache") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("out"))
    return root


def test_a_second_rerun_reuses_the_verified_pack_and_writes_the_same_bytes(demo, tmp_path):
    first = rerun(demo, tmp_path / "out")
    assert first.reused == {"packs": 0, "records": 0, "texts": 0, "units": 0} and not first.cache_note
    cached = load_cache(tmp_path / "out")
    packs = {p.name for p in (demo / "raw" / "packs").glob("*.pack")}
    assert packs and cached.clean_packs == packs   # the demo's pack verified clean
    second = rerun(demo, tmp_path / "out")
    live = sum(not v.deleted for v in Store(demo).snapshot().views)
    units = len(second.evaluation.units)
    assert second.reused == {"packs": len(packs), "records": live, "texts": 1, "units": units}
    assert sum(map(len, cached.records.values())) == live   # by instrument workbook, then by revision
    cold = rerun(demo, tmp_path / "cold", use_cache=False)
    assert not (tmp_path / "cold" / CACHE_FOLDER).exists()
    assert output_hashes(tmp_path / "out") == output_hashes(tmp_path / "cold")
    assert [p.to_dict() for p in second.problems] == [p.to_dict() for p in cold.problems]
    assert "manifest.json" in output_hashes(tmp_path / "out") and CACHE_FOLDER not in second.manifest["outputs"]


def test_an_edited_or_damaged_cache_is_not_trusted(demo, tmp_path, capsys):
    out = tmp_path / "out"
    rerun(demo, out)
    path = cache_path(out)
    header, _, body = path.read_bytes().partition(b"\n")
    path.write_bytes(header + b"\n" + body.replace(b'"clean_packs":[', b'"clean_packs":["x.pack",', 1))
    assert load_cache(out).clean_packs == frozenset() and "封印不符" in load_cache(out).note
    assert main(["rerun", str(demo), "--out", str(out)]) == 1   # the demo's deliberate errors
    said = capsys.readouterr().out
    assert "封印不符" in said and "本次全部重新计算" in said
    assert load_cache(out).clean_packs   # and the run wrote a good one
    path.write_bytes(b"not json\n{}")
    assert "已损坏" in load_cache(out).note
    path.write_bytes(header.replace(b'"fingerprint":"', b'"fingerprint":"0', 1) + b"\n" + body)
    assert "程序已更新" in load_cache(out).note and not load_cache(out).clean_packs


def test_a_cache_sealed_by_another_user_is_not_trusted_and_off_means_none(demo, tmp_path, monkeypatch):
    """The seal's key is the user's (EVALKIT_CACHE folder): a cache written under another key — someone who can
    write into the output folder, another computer — is not used; EVALKIT_CACHE=off: no cache is read or made."""
    out = tmp_path / "out"
    monkeypatch.setenv("EVALKIT_CACHE", str(tmp_path / "someone-else"))
    rerun(demo, out)
    assert (tmp_path / "someone-else" / "rerun-cache.key").stat().st_mode & 0o777 == 0o600
    assert load_cache(out).clean_packs
    monkeypatch.setenv("EVALKIT_CACHE", str(tmp_path / "me"))
    assert "封印不符" in load_cache(out).note and not load_cache(out).clean_packs
    assert rerun(demo, out).reused["packs"] == 0
    assert rerun(demo, out).reused["packs"] == 1   # now sealed with my key
    monkeypatch.setenv("EVALKIT_CACHE", "off")
    assert load_cache(out).clean_packs == frozenset() and not load_cache(out).note
    shutil.rmtree(out / CACHE_FOLDER)
    assert rerun(demo, out).reused == {"packs": 0, "records": 0, "texts": 0, "units": 0} \
        and not (out / CACHE_FOLDER).exists()


def test_no_cache_and_the_cli_say_what_was_reused(demo, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["rerun", str(demo), "--out", str(out), "--no-cache"]) == 1
    assert not (out / CACHE_FOLDER).exists()
    assert main(["rerun", str(demo), "--out", str(out)]) == 1
    assert "沿用了上次运行的缓存" not in capsys.readouterr().out
    assert main(["rerun", str(demo), "--out", str(out)]) == 1
    said = capsys.readouterr().out
    assert "沿用了上次运行的缓存：1 个记录包的逐条核验" in said and "条记录的答案校验" in said and "--no-cache" in said
    assert main(["rerun", "--verify", str(out / "manifest.json")]) == 0   # verify uses no cache, and agrees


def _store(root: Path) -> Store:
    store = Store(root)
    for i in range(3):
        rev = store.submit(instrument_id="site_visit", instrument_version="1", instrument_sha256="ab" * 32,
                           unit="c1-01", assessor="张三", answers={"i": i}, started=T0 + timedelta(minutes=i),
                           now=T0 + timedelta(minutes=10 + i))
        store.review(rev.instance_id, state="approved", who="组长", now=T0 + timedelta(minutes=60 + i))
    return store


def test_a_pack_known_clean_by_name_but_changed_is_still_caught(tmp_path):
    """The cache names packs by the sha256 in their file names; a file changed under a clean name no longer
    matches its name, is verified the long way (salvage), and is not clean any more."""
    store = _store(tmp_path)
    pack_store(store.raw)
    pack = next((store.raw / "packs").iterdir())
    clean = store.snapshot(verify=True)
    assert clean.clean_packs == {pack.name} and not clean.problems
    reused = store.snapshot(verify=True, known_clean={pack.name})
    assert reused.clean_packs == {pack.name} and not reused.problems
    assert [(v.instance_id, v.current, v.answers, v.state) for v in reused.views] == \
        [(v.instance_id, v.current, v.answers, v.state) for v in clean.views]
    os.chmod(pack, 0o644)
    data = bytearray(pack.read_bytes())
    data[-20] ^= 0x01
    pack.write_bytes(bytes(data))
    changed = store.snapshot(verify=True, known_clean={pack.name})
    assert pack.name not in changed.clean_packs
    assert any(p.code == "store-pack-damaged" and p.file == str(pack) for p in changed.problems)


def test_a_pack_with_a_broken_revision_is_never_cached_clean(tmp_path):
    """A pack rewritten with a forged revision and named by its new hash: its problem is found by the
    verification, so it is not clean, and a later read verifies it again (the problem is named again)."""
    store = _store(tmp_path)
    items = [(r, Path(r.path).read_bytes()) for v in store.snapshot().views for r in store.history(v.instance_id)]
    forged = (items[-1][0], items[-1][1].replace(b'"approved"', b'"rejected"'))
    data = build_pack(items[:-1] + [forged])
    for r, _ in items:
        os.chmod(r.path, 0o644)
        Path(r.path).unlink()
    durable.write_new(store.raw / "packs" / pack_name(data), data)
    first = store.snapshot(verify=True)
    assert any(p.code == "record-hash-mismatch" for p in first.problems) and not first.clean_packs
    again = store.snapshot(verify=True, known_clean=first.clean_packs)
    assert [p.to_dict() for p in again.problems] == [p.to_dict() for p in first.problems]


def test_a_record_edited_since_is_checked_again_and_new_records_are_checked(tmp_path):
    """The day after: one record edited so that an answer breaks its constraint, one new record — the rerun reuses
    the others' answer checks, checks these two afresh, and reports exactly what a rerun without a cache does."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("out"))
    out = tmp_path / "out"
    rerun(root, out)
    store = Store(root)
    views = [v for v in store.snapshot().views if not v.deleted and v.instrument_id == "site_visit"]
    target = views[0]
    broken = {**target.answers, "guides_available": 10_000}   # more guides available than checked
    store.edit(target.instance_id, answers=broken, who="张三", why="改错了")
    new = views[1]
    store.submit(instrument_id=new.instrument_id, instrument_version=new.instrument_version,
                 instrument_sha256=new.instrument_sha256, unit=new.unit, assessor=new.assessor,
                 answers=new.answers, started=datetime.fromisoformat(new.started))
    warm = rerun(root, out)
    cold = rerun(root, tmp_path / "cold", use_cache=False)
    live = sum(not v.deleted for v in store.snapshot().views)
    assert warm.reused["records"] == live - 2 and warm.reused["packs"] == 1
    assert [p.to_dict() for p in warm.problems] == [p.to_dict() for p in cold.problems]
    assert any(p.code == "record-answer-invalid" and p.record == target.instance_id for p in warm.problems)
    assert output_hashes(out) == output_hashes(tmp_path / "cold")


def test_records_of_a_changed_instrument_are_checked_again(tmp_path):
    """The answer issues are kept by the instrument workbook's sha256: after its constraint is tightened, only that
    instrument's records are checked again, and the warm rerun finds what a cold one finds."""
    import openpyxl

    from evalkit.store.checks import NO_ISSUES, check_records

    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("out"))
    out = tmp_path / "out"
    before = rerun(root, out)
    path = root / "instruments" / "site_visit.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["survey"]
    column = [c.value for c in sheet[1]].index("constraint") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == "guides_checked")
    sheet.cell(row, column).value = ". >= 0 and . <= 5"   # fewer than most visits checked
    book.save(path)
    warm = rerun(root, out)
    cold = rerun(root, tmp_path / "cold", use_cache=False)
    views = [v for v in Store(root).snapshot().views if not v.deleted]
    visits = sum(v.instrument_id == "site_visit" for v in views)
    assert visits and warm.reused["records"] == len(views) - visits
    assert [p.to_dict() for p in warm.problems] == [p.to_dict() for p in cold.problems]
    tightened = {p.record for p in warm.problems if p.field == "guides_checked"}
    assert tightened and not {p.record for p in before.problems if p.field == "guides_checked"}
    assert output_hashes(out) == output_hashes(tmp_path / "cold")

    from evalkit.project import Project

    project = Project(root)
    keep: dict = {}
    check_records(project.records, root / "raw", project.instruments, project.units, keep=keep)
    sha = project.instruments["site_visit"].sha256
    assert set(keep) == {project.instruments[v.instrument_id].sha256 for v in views}
    assert {rid for rid, issues in keep[sha].items() if issues} >= {v.current for v in views if v.instance_id in tightened}
    assert all(issues is NO_ISSUES for kept in keep.values() for issues in kept.values() if not issues)
