"""Faults (issue 9): a full disk, a killed writer, torn files in raw/.

In every case no committed record is lost or corrupted, drafts come back, and
``evalkit validate`` names the damaged file.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import test_formview
from test_formview import fill_valid, inputs, make  # the mini hotline form

from evalkit.cli.main import main
from evalkit.io import durable
from evalkit.project import init_project
from evalkit.store import RECORD_DAMAGED, Drafts, Store

setup = test_formview.setup  # its fixture

ROOT = Path(__file__).resolve().parent.parent
STARTED = "2018-11-20T09:00:00+08:00"


def files_under(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture
def disk_full(monkeypatch):
    """Every write into a file under a folder named ``raw`` or ``drafts`` fails with ENOSPC after
    ``budget`` bytes (None: no limit), as a small full disk would."""
    real_write, real_open = os.write, os.open
    state = {"budget": 0, "fds": set()}

    def fake_open(path, flags, *args, **kw):
        fd = real_open(path, flags, *args, **kw)
        if flags & os.O_WRONLY and any(part in ("raw", "drafts") for part in Path(os.fsdecode(path)).parts):
            state["fds"].add(fd)
        return fd

    def fake_write(fd, data):
        if fd in state["fds"] and state["budget"] is not None:
            if state["budget"] <= 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            n = min(len(data), state["budget"])
            state["budget"] -= n
            return real_write(fd, bytes(data[:n]))
        return real_write(fd, data)

    monkeypatch.setattr(durable.os, "open", fake_open)
    monkeypatch.setattr(durable.os, "write", fake_write)
    return state


def test_a_full_disk_at_submit_saves_nothing_keeps_the_draft_and_says_why(setup, disk_full):
    instrument, store, drafts = setup
    disk_full["budget"] = None
    view = make(setup)
    fill_valid(view)  # drafts saved while there was room
    draft_before = drafts.load(view.draft_id)
    disk_full["budget"] = 100  # the record needs more than 100 bytes: the disk fills half-way
    assert view.submit() is None
    assert "磁盘空间已满" in view.status.value and "草稿仍保留" in view.status.value
    raw = store.raw
    assert not raw.exists() or not [p for p in raw.rglob("*") if p.is_file()]  # no torn record, no temp file
    assert drafts.load(view.draft_id) == draft_before
    disk_full["budget"] = None  # room again: the same click now works
    instance = view.submit()
    assert instance and store.get(instance).answers["calls_made"] == 10
    assert Store(store.root).load()[1] == []


def test_a_full_disk_while_drafting_says_so_and_keeps_the_last_good_draft(setup, disk_full):
    instrument, store, drafts = setup
    disk_full["budget"] = None
    view = make(setup)
    inputs(view)["calls_made"].input.value = "7"
    disk_full["budget"] = 0
    inputs(view)["calls_made"].input.value = "8"
    assert "草稿未能保存" in view.status.value and "磁盘空间已满" in view.status.value
    assert drafts.load(view.draft_id)["answers"]["calls_made"] == "7"  # the previous save is intact
    assert not [p for p in drafts.dir.iterdir() if p.name.startswith(".")]  # no temp file left


def test_a_full_disk_never_damages_a_committed_record(tmp_path, disk_full):
    store = Store(tmp_path)
    disk_full["budget"] = None
    first = store.submit(instrument_id="x", instrument_version="1", instrument_sha256="0" * 64, unit="c1-01",
                         assessor="张三", answers={"a": 1}, started=STARTED, ended=STARTED)
    before = files_under(tmp_path / "raw")
    for budget in (0, 10, 200):
        disk_full["budget"] = budget
        with pytest.raises(OSError):
            store.edit(first.instance_id, answers={"a": 2}, who="张三", why="更正")
        assert files_under(tmp_path / "raw") == before
    views, problems = Store(tmp_path).load()
    assert problems == [] and views[0].answers == {"a": 1}


WRITER = textwrap.dedent("""
    import sys
    from evalkit.store import Store
    from evalkit.store import Drafts
    store, drafts = Store(sys.argv[1]), Drafts(sys.argv[1])
    i = 0
    while True:
        i += 1
        drafts.save("d" * 32, {"answers": {"n": i}})
        rev = store.submit(instrument_id="x", instrument_version="1", instrument_sha256="0" * 64, unit="c1-01",
                           assessor="张三", answers={"n": i, "text": "记录" * 200}, started="2018-11-20T09:00:00+08:00")
        print(rev.instance_id, flush=True)
""")


def test_a_writer_killed_mid_loop_loses_no_committed_record(tmp_path):
    """SIGKILL a process that saves drafts and submits in a tight loop (a kernel in a save loop)."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    committed = []
    deadline = time.monotonic() + 60
    while len(committed) < 30 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            committed.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    committed += [ln.strip() for ln in proc.stdout.read().splitlines() if ln.strip()]
    assert len(committed) >= 30
    views, problems = Store(tmp_path).load()
    assert problems == []  # a write cut short leaves only a hidden temp file, never a torn record
    loaded = {v.instance_id: v for v in views}
    assert set(committed) <= set(loaded)  # everything reported as committed is there …
    assert len(loaded) <= len(committed) + 1  # … plus at most the one linked just before the kill
    assert all(v.answers["text"] == "记录" * 200 for v in views)
    draft = Drafts(tmp_path).load("d" * 32)
    assert draft is not None and draft["answers"]["n"] >= len(committed)  # the draft comes back


def test_torn_and_truncated_record_files_are_named_by_validate(tmp_path, capsys):
    project = tmp_path / "p"
    init_project(project, "province-2018")
    store = Store(project)
    keep = store.submit(instrument_id="hotline_test", instrument_version="1", instrument_sha256="0" * 64,
                        unit="c1-01", assessor="张三", answers={}, started=STARTED, ended=STARTED)
    torn = store.submit(instrument_id="hotline_test", instrument_version="1", instrument_sha256="0" * 64,
                        unit="c1-02", assessor="张三", answers={"x": "很长的回答" * 50}, started=STARTED, ended=STARTED)
    path = next((project / "raw" / torn.instance_id).glob("*.json"))
    data = path.read_bytes()
    os.chmod(path, 0o644)
    path.write_bytes(data[: len(data) // 2])  # a torn write (e.g. copied off a stick mid-way)
    empty = project / "raw" / ("e" * 32)
    empty.mkdir()
    (empty / ("f" * 64 + ".json")).write_bytes(b"")
    code = main(["validate", str(project), "--all"])
    out = capsys.readouterr().out
    assert code == 1
    assert str(path) in out or path.name in out
    assert ("f" * 64 + ".json") in out
    views, problems = Store(project).load()
    assert keep.instance_id in {v.instance_id for v in views}  # the good record still loads
    damaged = {p.file: p.code for p in problems}
    assert damaged[str(path)] == RECORD_DAMAGED and damaged[str(empty / ("f" * 64 + ".json"))] == RECORD_DAMAGED


def test_damaged_record_json_never_stops_scoring(tmp_path):
    from evalkit.project import evaluate, open_project

    project = tmp_path / "p"
    init_project(project, "province-2018")
    bad = project / "raw" / ("a" * 32)
    bad.mkdir(parents=True)
    (bad / ("b" * 32 + ".json")).write_text(json.dumps({"kind": "submit"})[:10], encoding="utf-8")
    evaluation = evaluate(open_project(project), draws=10)[0]
    assert any(str(bad) in (p.file or "") for p in evaluation.problems)
    assert len(evaluation.units) == 95


@pytest.mark.browser
def test_a_killed_server_loses_no_record_and_the_draft_comes_back(tmp_path):
    """SIGKILL the whole server (Voila and its kernels) while a form is half filled: the record
    submitted before is intact, and after a restart the draft opens with its answers."""
    from browser import Server, fill, launched_chromium, new_page, open_form, text_input, wait_status

    project = tmp_path / "p"
    init_project(project, "province-2018")
    committed = Store(project).submit(instrument_id="x", instrument_version="1", instrument_sha256="0" * 64,
                                      unit="c1-01", assessor="孙断电", answers={"a": 1}, started=STARTED)
    server = Server(project, pool_size=0)
    try:
        with launched_chromium() as chromium:
            page = new_page(chromium)
            page.set_default_timeout(120_000)
            url = server.url(instrument="questionnaire", unit="c1-01", assessor="孙断电")
            open_form(page, url, timeout=120_000)
            fill(page, "questionnaire_no", "Q-0009")
            fill(page, "last_item", "税务登记")
            wait_status(page, "草稿已自动保存", timeout=120_000)
            drafts = Drafts(project)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(
                    d["answers"].get("last_item") == "税务登记" for d in drafts.list(assessor="孙断电")):
                time.sleep(0.1)
            before = files_under(project / "raw")
            os.killpg(server.proc.pid, signal.SIGKILL)  # the power cut: server and kernels at once
            server.proc.wait()
        assert files_under(project / "raw") == before  # nothing torn, nothing lost
        views, problems = Store(project).load()
        assert problems == [] and [v.instance_id for v in views] == [committed.instance_id]
        [draft] = Drafts(project).list(assessor="孙断电")
        assert draft["answers"]["questionnaire_no"] == "Q-0009" and draft["answers"]["last_item"] == "税务登记"
        server = Server(project, pool_size=0)  # restarted on the same project
        with launched_chromium() as chromium:
            page = new_page(chromium)
            open_form(page, server.url(draft=draft["draft_id"]), timeout=120_000)
            assert text_input(page, "questionnaire_no").input_value() == "Q-0009"
            assert text_input(page, "last_item").input_value() == "税务登记"
    finally:
        server.stop()
