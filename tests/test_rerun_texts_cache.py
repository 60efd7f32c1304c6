"""The 文字记录 sheet kept for the next rerun (issue 19, evalkit.pipeline.texts_cache): a rerun whose records,
instruments, heading and masking are the last one's takes the sheet as it was made — the same bytes as a cold
rerun — and a changed record, a sheet or entry changed in the output folder, or another user's seal, make it again."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import msgspec
import pytest
from conftest import output_hashes

import evalkit.io.xlsx_stream as xlsx_stream
from evalkit.pipeline import rerun
from evalkit.pipeline.cache import CACHE_FOLDER
from evalkit.pipeline.texts_cache import TEXTS_ENTRY, TEXTS_FILE, load_texts
from evalkit.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the sheet is kept from a forked child's")


@pytest.fixture(scope="module")
def cold(tmp_path_factory) -> dict[str, str]:
    """The demo's outputs made in one process with no cache: what every rerun here must give, byte for byte."""
    out = tmp_path_factory.mktemp("cold") / "out"
    rerun(DEMO, out, use_cache=False, jobs=1)
    return output_hashes(out)


@pytest.fixture
def deflated(monkeypatch):
    """The demo's sheet past the spool, as a province's: the child deflates its whole entry into a file."""
    monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)


@pytest.mark.parametrize("spool", ["rows", "entry"])
@pytest.mark.parametrize("jobs", [(2, 2), (1, 1), (1, 2), (2, 1)], ids=["apart", "one-process", "1-then-2", "2-then-1"])
def test_the_sheet_kept_is_taken_again_and_again_with_the_same_bytes(tmp_path, cold, spool, jobs, monkeypatch):
    """Made in a child (--jobs 2) or in the rerun's own process (--jobs 1: the same work as the evidence workbook making
    it), kept, and taken by either way after."""
    if spool == "entry":
        monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)
    out = tmp_path / "out"
    assert rerun(DEMO, out, jobs=jobs[0]).reused["texts"] == 0
    assert output_hashes(out) == cold
    kept = out / CACHE_FOLDER
    assert (kept / TEXTS_FILE).exists() and (kept / TEXTS_ENTRY.format(1)).exists() == (spool == "entry")
    for _ in range(2):   # the entry is not used up by the workbook that copies it in
        assert rerun(DEMO, out, jobs=jobs[1]).reused["texts"] == 1
        assert output_hashes(out) == cold
        assert sorted(p.name for p in kept.iterdir() if p.name.startswith(".")) == []
    assert not [p for p in out.iterdir() if p.name.startswith(".evalkit-") and p.name != CACHE_FOLDER]


def test_without_fork_the_sheet_is_made_in_the_rerun_and_kept(tmp_path, cold, deflated, monkeypatch):
    """Where there is no fork (Windows), the rerun makes the sheet itself: it is kept, and taken the next time."""
    monkeypatch.setattr("evalkit.io.forked.can_fork", lambda: False)
    monkeypatch.setattr("evalkit.store.apart.can_fork", lambda: False)
    out = tmp_path / "out"
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 0
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 1
    assert output_hashes(out) == cold


def test_a_changed_record_or_other_masking_makes_the_sheet_again(tmp_path, cold, deflated):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("out"))
    out = tmp_path / "out"
    rerun(root, out, jobs=2)
    assert rerun(root, out, jobs=2, mask_personal=False).reused["texts"] == 0   # another sheet: unmasked
    store = Store(root)
    view = next(v for v in store.snapshot().views if not v.deleted and v.instrument_id == "site_visit")
    store.edit(view.instance_id, answers={**view.answers, "guides_vague_examples": "“其他相关材料”"}, who="张三",
               why="补记")
    assert rerun(root, out, jobs=2).reused["texts"] == 0
    rerun(root, tmp_path / "cold", use_cache=False, jobs=1)
    assert output_hashes(out) == output_hashes(tmp_path / "cold") != cold


@pytest.mark.parametrize("what", ["rows", "entry", "key"])
def test_a_sheet_changed_in_the_output_folder_or_sealed_by_another_user_is_not_taken(tmp_path, cold, deflated,
                                                                                      monkeypatch, what):
    out = tmp_path / "out"
    rerun(DEMO, out, jobs=2)
    kept = out / CACHE_FOLDER
    if what == "rows":   # another text put in a unit page's first answers: the seal no longer matches
        header, _, body = (kept / TEXTS_FILE).read_bytes().partition(b"\n")
        made = pickle.loads(body)
        unit, heads = next(iter(made.heads.items()))
        made.heads[unit] = [heads[0]._replace(text="伪造的回答"), *heads[1:]]
        (kept / TEXTS_FILE).write_bytes(header + b"\n" + pickle.dumps(made))
    elif what == "entry":   # the deflated entry swapped: its sha256 is not the sealed one
        data = bytearray((kept / TEXTS_ENTRY.format(1)).read_bytes())
        data[len(data) // 2] ^= 1
        (kept / TEXTS_ENTRY.format(1)).write_bytes(bytes(data))
    else:
        key = msgspec.json.decode((kept / TEXTS_FILE).read_bytes().partition(b"\n")[0])["key"]
        assert load_texts(out, key) is not None
        monkeypatch.setenv("EVALKIT_CACHE", str(tmp_path / "someone-else"))
        assert load_texts(out, key) is None   # the sheet's own seal, whatever rerun.json says
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 0
    assert output_hashes(out) == cold
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 1   # kept again, sound


def test_the_command_line_says_the_sheet_was_taken_and_no_cache_takes_none(tmp_path, capsys):
    from evalkit.cli.main import main

    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--jobs", "2"]) == 1
    assert "文字记录" not in capsys.readouterr().out
    assert main(["rerun", str(DEMO), "--out", str(out), "--jobs", "2", "--no-cache"]) == 1
    assert "沿用了上次运行的缓存" not in capsys.readouterr().out
    assert main(["rerun", str(DEMO), "--out", str(out), "--jobs", "2"]) == 1
    assert "证据工作簿的「文字记录」表" in capsys.readouterr().out


def test_without_hard_links_the_entry_is_copied_and_the_sheet_still_kept(tmp_path, cold, deflated, monkeypatch):
    """A folder on a file system without hard links (FAT, some shares): the entry kept and used under copies."""
    def no_links(source, target, *args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "out"
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 0
    assert (out / CACHE_FOLDER / TEXTS_ENTRY.format(1)).exists()
    for _ in range(2):
        assert rerun(DEMO, out, jobs=2).reused["texts"] == 1
        assert output_hashes(out) == cold
