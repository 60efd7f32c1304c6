"""The evidence workbook's 文字记录 sheet made ahead in a forked child (evalkit.reports.ahead, evalkit.io.forked):
the same bytes as made in the rerun itself, whatever happens to the child."""

from __future__ import annotations

import importlib
import io
import os
import pickle
import signal
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from conftest import output_hashes
from openpyxl import Workbook
from scoring_helpers import Records, shipped_instruments
from test_rerun import make_project

import evalkit.io.xlsx_stream as xlsx_stream
import evalkit.reports.ahead as ahead
import evalkit.reports.workbook as workbook
from evalkit.cli.main import main
from evalkit.io.forked import can_fork, forked
from evalkit.io.xlsx import fixed_zip
from evalkit.io.xlsx_deflate import Predeflated
from evalkit.io.xlsx_made import made_rows, style_state, take_rows
from evalkit.io.xlsx_rows import add_columns
from evalkit.io.xlsx_stream import Sheet, save_workbook
from evalkit.pipeline import rerun
from evalkit.project import Project, evaluate, project_checks, validate_project

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
rerun_module = importlib.import_module("evalkit.pipeline.rerun")   # the module (evalkit.pipeline.rerun: the function)
evaluate_module = importlib.import_module("evalkit.project.evaluate")
pytestmark = pytest.mark.skipif(not can_fork(), reason="no fork on this system: the rerun makes the sheet itself")


class Seen(dict):
    """What the evidence workbook did with the child's rows: each give (True when the child gave rows, the note),
    each take (True when the rows were taken: in whichever process wrote the evidence workbook, so noted in a
    file), and the note of the evidence workbook's own child (``apart``) once it was waited for."""

    def __init__(self, takes: Path) -> None:
        super().__init__(give=[], apart=[])
        self.takes = takes

    def __getitem__(self, key):
        if key == "take":
            return [line == "True" for line in self.takes.read_text().split()] if self.takes.exists() else []
        return super().__getitem__(key)


@pytest.fixture
def spied(monkeypatch, tmp_path):
    seen = Seen(tmp_path / "takes.txt")
    give, take, written = ahead.TextsAhead.give, workbook.take_rows, ahead.TextsAhead._written

    def spy_give(self, data):
        got = give(self, data)
        seen["give"].append((got, self.note))
        return got

    def spy_take(sheet, made):
        got = take(sheet, made)
        with open(seen.takes, "a") as f:  # noqa: PTH123 - appended to by the processes in turn
            f.write(f"{got}\n")
        return got

    def spy_written(self, child, data, path):
        got = written(self, child, data, path)
        seen["apart"].append(self.note)
        return got

    monkeypatch.setattr(ahead.TextsAhead, "give", spy_give)
    monkeypatch.setattr(workbook, "take_rows", spy_take)
    monkeypatch.setattr(ahead.TextsAhead, "_written", spy_written)
    return seen


@pytest.fixture
def temp_dir(monkeypatch, tmp_path) -> Path:
    """The system's temporary folder for this test (and the children it forks): openpyxl's sheet streams go there."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def demo_alone(tmp_path_factory) -> dict[str, str]:
    """The demo's outputs made in one process (--jobs 1): what every other way must give, byte for byte."""
    out = tmp_path_factory.mktemp("alone") / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "1"]) == 1
    return output_hashes(out)


@pytest.mark.parametrize("spool", [None, 64 << 10], ids=["rows-as-xml", "entry-deflated-in-the-child"])
def test_the_demo_with_the_child_s_sheet_is_byte_identical(demo_alone, spied, tmp_path, monkeypatch, spool,
                                                           temp_dir):
    if spool is not None:  # the demo's 13,506 answers past the spool: the child deflates the whole entry
        monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", spool)
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "2"]) == 1
    assert spied["give"] == [(True, "")] and spied["take"] == [True]  # the child's rows were the ones written
    assert spied["apart"] == [""]  # by the evidence workbook's own child
    assert output_hashes(out) == demo_alone
    # the child leaves through os._exit, where openpyxl's atexit would remove its streams' files: none is left
    assert sorted(p.name for p in temp_dir.iterdir()) == []
    assert not [p for p in out.iterdir() if p.name.startswith(".evalkit-ahead")]  # the child's files removed


def test_a_child_that_fails_leaves_the_sheet_to_the_rerun(demo_alone, spied, tmp_path, monkeypatch):
    def broken(data, folder):
        raise MemoryError("子进程内存不足（测试）")

    monkeypatch.setattr(ahead, "made_texts", broken)  # the child is a copy: it has the broken one too
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache"]) == 1
    (gave, note), = spied["give"]
    assert not gave and "MemoryError" in note and "子进程内存不足" in note
    assert spied["take"] == []
    assert output_hashes(out) == demo_alone


def test_an_evidence_child_that_fails_leaves_the_workbook_to_the_rerun(demo_alone, spied, tmp_path, monkeypatch):
    parent, real = os.getpid(), ahead.write_evidence

    def dies_half_way(data, path):
        if os.getpid() == parent:  # the rerun's own (after the child failed): the real one
            return real(data, path)
        path.with_name(path.name + ".tmp").write_bytes(b"PK half")  # as if killed while saving
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(ahead, "write_evidence", dies_half_way)
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache"]) == 1
    assert spied["give"] == [(True, "")] and spied["take"] == []  # the sheet made again: its entry went
    (note,) = spied["apart"]
    assert f"被信号 {int(signal.SIGKILL)} 终止" in note
    assert output_hashes(out) == demo_alone  # no half-written file among the outputs, the manifest included


def test_a_quoted_style_made_first_by_the_evidence_sheet_makes_the_rerun_write_the_sheet(tmp_path, spied):
    """An assessor named 「-李四」 gets the quoted style in the 证据 sheet, before the 文字记录 sheet: the child could
    not know it, the styles differ, the sheet is made again in the rerun — and the bytes are those of one process."""
    root = tmp_path / "eval"
    make_project(root)
    Records(root, shipped_instruments()).add("site_visit", "d2", {"visit_date": "2018-11-21", "findings": "-无"},
                                             assessor="-李四")
    alone, two = tmp_path / "alone", tmp_path / "two"
    assert main(["rerun", str(root), "--out", str(alone), "--quiet", "--jobs", "1", "--no-cache"]) == 1
    assert spied["give"] == [] and spied["take"] == []
    assert main(["rerun", str(root), "--out", str(two), "--quiet", "--jobs", "2"]) == 1
    assert spied["give"] == [(True, "")] and spied["take"] == [False]
    assert output_hashes(alone) == output_hashes(two)  # the manifest too: both folders sit beside the project
    # one process, keeping the sheet for the next rerun (evalkit.pipeline.texts_cache): made in the rerun as the
    # child makes it, given, and not taken either — the same bytes
    again = tmp_path / "again"
    assert main(["rerun", str(root), "--out", str(again), "--quiet", "--jobs", "1"]) == 1
    assert spied["give"] == [(True, "")] * 2 and spied["take"] == [False] * 2
    assert output_hashes(again) == output_hashes(alone)


def test_the_records_are_as_read_after_validating_scoring_and_checking():
    """The child makes the sheet from the records as they were at the fork: that is the sheet of the reports only
    because validating, scoring and checking change no record."""
    project = Project(DEMO.resolve())
    before = pickle.dumps([(v.instance_id, v.answers, v.deleted, v.instrument_id, v.unit) for v in project.records])
    validate_project(project, pack_tables=False)
    evaluation, _ = evaluate(project)
    project_checks(project, evaluation)
    assert pickle.dumps([(v.instance_id, v.answers, v.deleted, v.instrument_id, v.unit)
                         for v in project.records]) == before


def test_a_writer_of_one_s_own_gets_no_child(tmp_path, spied):
    calls = []

    def writer(project, out, evaluation, problems, *, mask_personal=True):
        calls.append(out)
        return []

    rerun(DEMO, tmp_path / "custom", jobs=2, write_reports=writer, use_cache=False)
    assert len(calls) == 1 and spied["give"] == []  # a writer of one's own gets no child's sheet


def test_jobs_below_one_is_a_usage_error(tmp_path, capsys):
    assert main(["rerun", str(DEMO), "--out", str(tmp_path / "out"), "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "--jobs 须为 1 或更大的整数" in err and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the sheet's rows taken, at the sheet


def _evidence(wb, first: str):
    sheet = Sheet(wb, "证据", ["记录编号", "单位名称"], [34, 22], heading="演示 评估证据", wrap={1})
    sheet.style(0, first)
    sheet.style(1, "text")
    return sheet


def _columns():
    yield [["r1", "r2", "r3"], ["=不是公式", "第二行\n两行", "+86 138"]]


def _texts(wb):
    return Sheet(wb, "文字记录", ["记录编号", "内容"], [34, 80], heading="演示 评估证据", wrap={1})


def _written(tmp_path: Path, name: str, first: str, made=None) -> tuple[bytes, bool]:
    wb = Workbook(write_only=True)
    evidence = _evidence(wb, first)
    sheet = _texts(wb)
    taken = made is not None and take_rows(sheet, made)
    if not taken:
        add_columns(sheet, _columns())
    sheet.finish()
    path = save_workbook(wb, [evidence, sheet], tmp_path / name)
    for s in (evidence, sheet):
        s.close()
    return path.read_bytes(), taken


@pytest.mark.parametrize("spool", [None, 256], ids=["xml", "deflated"])
def test_rows_made_elsewhere_are_taken_only_under_the_same_styles(tmp_path, monkeypatch, spool, temp_dir):
    if spool is not None:
        monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", spool)
    wb = Workbook(write_only=True)
    token = xlsx_stream.SPOOL_DIR.set(str(tmp_path))
    try:
        _evidence(wb, "text")
        sheet = _texts(wb)
        state = style_state(wb)
        sheet.deflate_into = str(tmp_path / "rows.deflated")
        add_columns(sheet, _columns())
        sheet.finish()
        (made,) = made_rows(wb, [(sheet, state)])
    finally:
        xlsx_stream.SPOOL_DIR.reset(token)
    assert (made.deflated is not None) == (spool is not None)
    assert sorted(p.name for p in temp_dir.iterdir()) == []  # the workbook's streams' files, saved or not, removed
    plain, _ = _written(tmp_path, "plain.xlsx", "text")
    taken, took = _written(tmp_path, "taken.xlsx", "text", made)
    assert took and taken == plain
    # the evidence sheet quoted first (「=x」): the ids differ; the rows are not taken and the styles are untouched
    wb = Workbook(write_only=True)
    _evidence(wb, "=x")
    other = _texts(wb)
    before = style_state(wb)
    assert not take_rows(other, made) and style_state(wb) == before and other.rows == 1
    xlsx_stream.discard_workbook(wb)
    quoted, took = _written(tmp_path, "quoted.xlsx", "=x", made)
    assert not took and quoted == _written(tmp_path, "quoted-plain.xlsx", "=x")[0]
    with zipfile.ZipFile(tmp_path / "quoted.xlsx") as z:
        assert b"=\xe4\xb8\x8d" in z.read("xl/worksheets/sheet2.xml")  # 「=不是公式」 as text, quoted


def test_a_predeflated_entry_with_another_tail_is_spliced_decompressed(tmp_path):
    """fixed_zip copies a predeflated entry as it is only when its head and tail are the entry's own; else its
    rows, decompressed, go between the entry's own head and tail."""
    import zlib

    head, rows, tail = b"<worksheet><sheetData>", b'<row r="2"><c><v>1</v></c></row>', b"</sheetData><x/></worksheet>"
    comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    path = tmp_path / "entry.deflated"
    path.write_bytes(comp.compress(head + rows + b"</sheetData><old/></worksheet>") + comp.flush())
    whole = head + rows + b"</sheetData><old/></worksheet>"
    src = tmp_path / "src.zip"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData></sheetData><x/></worksheet>")
    pre = Predeflated(head, b"</sheetData><old/></worksheet>", str(path), zlib.crc32(whole), len(whole))
    dst = tmp_path / "dst.zip"
    fixed_zip(src, dst, {"xl/worksheets/sheet1.xml": pre})
    with zipfile.ZipFile(dst) as z:
        assert z.read("xl/worksheets/sheet1.xml") == head + rows + tail
    pre.close()
    assert not path.exists()


# ---------------------------------------------------------------- the child itself


def test_a_child_s_value_error_and_end_come_back(tmp_path):
    with forked(lambda: {"答": [1, 2]}, tmp_path) as child:
        assert child.result() == (True, {"答": [1, 2]})
        assert child.result() == (True, {"答": [1, 2]})  # the same answer each time

    def fails():
        raise ValueError("坏了")

    with forked(fails, tmp_path) as child:
        ok, why = child.result()
        assert not ok and "ValueError: 坏了" in why

    with forked(lambda: os.kill(os.getpid(), signal.SIGKILL), tmp_path) as child:
        ok, why = child.result()
        assert not ok and f"被信号 {int(signal.SIGKILL)} 终止" in why
    assert list(tmp_path.iterdir()) == []  # no file left behind


def test_a_stuck_child_is_stopped_and_the_caller_goes_on(tmp_path):
    """A child waiting on a lock that another thread held at the fork uses no CPU time: it is stopped after
    ``stall`` seconds without any, and the caller does the work itself."""
    import threading

    held = threading.Lock()
    held.acquire()  # as if another thread had it when the child was made: the child waits for ever
    with forked(lambda: held.acquire(), tmp_path) as child:
        started = time.monotonic()
        ok, why = child.result(stall=0.5)
        assert not ok and "0.5 秒未用 CPU 时间" in why and time.monotonic() - started < 10
        assert child.pid == 0
    held.release()
    busy = forked(lambda: sum(i * i for i in range(3_000_000)), tmp_path)  # works a while: never taken for stuck
    with busy as child:
        assert child.result(stall=0.5)[0]
    assert list(tmp_path.iterdir()) == []


def test_where_cpu_time_cannot_be_read_a_child_is_never_taken_for_stuck(tmp_path, monkeypatch):
    import evalkit.io.forked as forked_module

    monkeypatch.setattr(forked_module, "_cpu_ticks", lambda pid: None)  # a system without /proc (macOS)
    with forked(lambda: time.sleep(1.5) or "做完了", tmp_path) as child:
        assert child.result(stall=0.3) == (True, "做完了")


def test_leaving_the_block_stops_a_child_still_running(tmp_path):
    with forked(lambda: time.sleep(60), tmp_path) as child:
        pid = child.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: not a child of this process any more
    assert list(tmp_path.iterdir()) == []


def test_without_room_for_a_copy_the_rerun_makes_the_sheet_itself(demo_alone, spied, tmp_path, monkeypatch):
    import evalkit.io.forked as forked_module

    assert forked_module.room_for_a_copy()  # this machine: gigabytes free, a test process of some hundred MB
    real = open

    def meminfo(path, *args, **kwargs):  # a machine with 1 MB available
        if str(path) == "/proc/meminfo":
            return io.StringIO("MemTotal: 4000000 kB\nMemAvailable: 1024 kB\n")
        return real(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", meminfo)
    assert not forked_module.room_for_a_copy()
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "2"]) == 1
    monkeypatch.undo()
    assert spied["give"] == [] and spied["take"] == []
    assert output_hashes(out) == demo_alone


def test_without_fork_nothing_is_started(tmp_path, monkeypatch):
    import evalkit.io.forked as forked_module

    monkeypatch.setattr(forked_module, "can_fork", lambda: False)
    with forked(lambda: 1, tmp_path) as child:
        assert child is None
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "2"]) == 1
    assert (out / "评估证据.xlsx").is_file()


def test_the_children_before_the_reports_are_forked_with_no_other_thread(tmp_path, monkeypatch):
    """A forked child has only the forking thread, and any lock another thread held at the fork stays held in it
    for good.  The rerun's first two children — the packs verified apart (evalkit.store.apart) and the 文字记录
    sheet — are made before the inputs' hashing thread starts; only the evidence workbook's child comes after."""
    import threading

    threads: list[int] = []
    real = os.fork
    alone = threading.active_count()

    def fork():
        threads.append(threading.active_count())
        return real()

    monkeypatch.setattr(os, "fork", fork)
    rerun(DEMO, tmp_path / "out", jobs=2, use_cache=False)
    assert len(threads) == 3 and threads[:2] == [alone, alone]


# ---- the record checks made by the same child ------------------------------------------------------------------

class Made(list):
    """The pids that made the record checks; ``fail_in_child()`` makes them fail in a child from then on."""

    fail_in_child: object


@pytest.fixture
def record_checks_made(monkeypatch) -> Made:
    """The pid of this process each time it made the record checks (evalkit.project.project_record_checks; a forked
    child appends to its own copy of the list), and ``fail_in_child()``: from then on they fail in a child."""
    made = Made()
    real = rerun_module.project_record_checks

    def spy(project, *, include_received):
        made.append(os.getpid())
        if os.getpid() != parent and fail[0]:
            raise RuntimeError("子进程的一致性检查出错（测试）")
        return real(project, include_received=include_received)

    parent, fail = os.getpid(), [False]
    monkeypatch.setattr(rerun_module, "project_record_checks", spy)   # what the child is given
    monkeypatch.setattr(evaluate_module, "project_record_checks", spy)   # what project_checks makes them with
    made.fail_in_child = lambda: fail.__setitem__(0, True)
    return made


def _waiting_for_the_claim(real):
    """``real`` (a call whose second argument, or its object's ``folder``, is the child's folder) made to wait until
    the other process has claimed the record checks (ahead.ALSO_CLAIM), as when it is the slower of the two."""
    def wait(*args, **kwargs):
        folder = getattr(args[0], "folder", None) or args[1]
        claim, until = Path(folder) / ahead.ALSO_CLAIM, time.monotonic() + 60
        while not claim.exists() and time.monotonic() < until:
            time.sleep(0.01)
        assert claim.exists()
        return real(*args, **kwargs)
    return wait


def test_the_record_checks_are_made_by_the_free_text_child(demo_alone, spied, tmp_path, record_checks_made,
                                                           monkeypatch):
    """Duplicates, agreement and logic need the records alone: the child that makes the 文字记录 sheet makes them
    after it, while the rerun validates and scores — not the rerun, and not another child copying the records (the
    rerun, done scoring, asks for them once the child has begun them)."""
    monkeypatch.setattr(ahead.TextsAhead, "claim_also", _waiting_for_the_claim(ahead.TextsAhead.claim_also))
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "2"]) == 1
    assert record_checks_made == []   # made in the child only (its own copy of the list)
    assert spied["give"] == [(True, "")]
    assert output_hashes(out) == demo_alone   # 问题.json and every report: the same problems in the same order


def test_a_rerun_done_scoring_before_the_child_is_done_with_the_sheet_makes_the_checks_itself(
        demo_alone, spied, tmp_path, record_checks_made, monkeypatch):
    """A few records changed: most units are taken from the last rerun, and the rerun is done scoring while the child
    still makes the 文字记录 sheet — it makes the record checks itself, and the child, finding them claimed, skips
    them (its sheet still taken)."""
    made = []
    monkeypatch.setattr(ahead, "made_texts", _waiting_for_the_claim(ahead.made_texts))
    real_also = ahead.TextsAhead.also
    monkeypatch.setattr(ahead.TextsAhead, "also", lambda self: made.append(1) or real_also(self))
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "2"]) == 1
    assert record_checks_made == [os.getpid()] and made == []   # here, once; the child's never asked for
    assert spied["give"] == [(True, "")]
    assert output_hashes(out) == demo_alone
    assert not [p for p in out.iterdir() if p.name.startswith(".evalkit-")]


def test_record_checks_that_fail_in_the_child_are_made_by_the_rerun(demo_alone, spied, tmp_path, record_checks_made):
    record_checks_made.fail_in_child()
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--no-cache", "--jobs", "2"]) == 1
    assert record_checks_made == [os.getpid()]   # here, once
    assert spied["give"] == [(True, "")]   # the child's sheet still taken
    assert output_hashes(out) == demo_alone


def test_with_the_sheet_kept_by_the_last_rerun_a_child_makes_the_record_checks_alone(demo_alone, tmp_path,
                                                                                    record_checks_made):
    """A rerun whose records did not change (a changed rule, an adjustment) takes the 文字记录 sheets the last one
    kept: no child makes them, so one makes the record checks alone; with --jobs 1, this process."""
    out = tmp_path / "out"
    assert main(["rerun", str(DEMO), "--out", str(out), "--quiet", "--jobs", "2"]) == 1
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 1
    assert record_checks_made == []   # in the children: the sheets' first, the checks' alone then
    assert output_hashes(out) == demo_alone
    record_checks_made.fail_in_child()
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 1
    assert record_checks_made == [os.getpid()]   # the child's failed: made here
    assert output_hashes(out) == demo_alone
    assert rerun(DEMO, out, jobs=1).reused["texts"] == 1
    assert record_checks_made == [os.getpid()] * 2
    assert output_hashes(out) == demo_alone
    assert not [p for p in out.iterdir() if p.name.startswith(".evalkit-child")]   # the child's result removed
