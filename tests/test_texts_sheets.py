"""The evidence workbook's free-text answers past one worksheet's rows (issue 19): a province has 1.58 million
answers and a worksheet holds 1,048,576 rows (Microsoft, "Excel specifications and limits": "Total number of rows
and columns on a worksheet: 1,048,576 rows by 16,384 columns"), so one 文字记录 sheet of them all did not open whole.
They go on in 「文字记录（2）」 and so on, each sheet with whole records, the same bytes made in the rerun, in a forked
child or kept by the last rerun."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from conftest import output_hashes, sheet_rows

import evalkit.io.xlsx_stream as xlsx_stream
import evalkit.reports.workbook as workbook
from evalkit.pipeline import rerun
from evalkit.pipeline.cache import CACHE_FOLDER
from evalkit.pipeline.texts_cache import TEXTS_ENTRY

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
ROWS = 5000   # answers on a sheet here: the demo's 13,506 go on four (a sheet takes blocks of 2,000 and more)
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the sheets made in a forked child and kept")


@pytest.fixture(scope="module")
def one_sheet(tmp_path_factory) -> list[tuple]:
    """The demo's free-text answers as one sheet holds them all (the shipped limit): header, then every answer."""
    out = tmp_path_factory.mktemp("one") / "out"
    rerun(DEMO, out, use_cache=False, jobs=1)
    names, sheets = sheet_rows(out / "评估证据.xlsx", "文字记录")
    assert names == ["证据", "文字记录"]
    return sheets[0]


@pytest.mark.parametrize("spool", ["rows", "entry"])
def test_answers_past_a_sheet_go_on_in_the_next_with_whole_records(tmp_path, monkeypatch, one_sheet, spool):
    monkeypatch.setattr(workbook, "TEXT_ROWS", ROWS)   # the forked children have it too
    if spool == "entry":   # each sheet past the spool, as a province's: the child deflates each whole entry
        monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)
    alone, apart = tmp_path / "alone", tmp_path / "apart"
    rerun(DEMO, alone, use_cache=False, jobs=1)
    names, sheets = sheet_rows(alone / "评估证据.xlsx", "文字记录")
    assert len(sheets) >= 3 and names == ["证据", "文字记录", *(f"文字记录（{i}）" for i in range(2, len(sheets) + 1))]
    header, answers = one_sheet[0], one_sheet[1:]
    assert all(sheet[0] == header for sheet in sheets)
    assert all(0 < len(sheet) - 1 <= ROWS for sheet in sheets)
    assert [row for sheet in sheets for row in sheet[1:]] == answers   # every answer once, in order
    records = [{row[0] for row in sheet[1:]} for sheet in sheets]
    assert all(not a & b for a, b in zip(records, records[1:]))   # no record split between two sheets
    book = openpyxl.load_workbook(alone / "评估证据.xlsx")
    assert [book[n].auto_filter.ref for n in names[1:]] == [f"A1:F{len(sheet)}" for sheet in sheets]
    assert all(book[n].freeze_panes == "A2" for n in names[1:])
    # made by a forked child, then kept and taken by the next reruns: the same bytes
    assert rerun(DEMO, apart, jobs=2).reused["texts"] == 0
    assert output_hashes(apart) == output_hashes(alone)
    kept = apart / CACHE_FOLDER
    entries = sorted(p.name for p in kept.glob(TEXTS_ENTRY.format("*")))
    assert entries == (sorted(TEXTS_ENTRY.format(i) for i in range(1, len(sheets) + 1)) if spool == "entry" else [])
    for jobs in (2, 1):
        assert rerun(DEMO, apart, jobs=jobs).reused["texts"] == 1
        assert output_hashes(apart) == output_hashes(alone)


def test_a_kept_sheet_changed_past_the_first_is_not_taken(tmp_path, monkeypatch):
    """The second sheet's entry changed in the output folder: its sha256 is not the sealed one, the sheets are made
    again — the same bytes."""
    monkeypatch.setattr(workbook, "TEXT_ROWS", ROWS)
    monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)
    out = tmp_path / "out"
    rerun(DEMO, out, jobs=2)
    first = output_hashes(out)
    entry = out / CACHE_FOLDER / TEXTS_ENTRY.format(2)
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert rerun(DEMO, out, jobs=2).reused["texts"] == 0
    assert output_hashes(out) == first


def test_a_sheet_takes_whole_blocks_up_to_the_rows_a_worksheet_has(monkeypatch):
    """At the shipped limit: 1.2 million answers in blocks of 2,000 (each block whole records) make a sheet of
    1,048,000 answers — the blocks that fit in 1,048,575 — and a second of the other 152,000."""
    assert workbook.TEXT_ROWS + 1 == 1_048_576   # the header, then the answers: a worksheet's rows
    block = [None] * 5 + [range(2000)]
    monkeypatch.setattr(workbook, "_text_columns", lambda data: iter([block] * 600))
    sizes = [sum(len(b[5]) for b in part) for part in workbook._text_parts(None)]
    assert sizes == [1_048_000, 152_000]
    monkeypatch.setattr(workbook, "_text_columns", lambda data: iter(()))
    assert [list(part) for part in workbook._text_parts(None)] == [[]]   # no answer: the one sheet, empty


def test_the_demo_s_one_sheet_is_as_before(tmp_path, one_sheet):
    """Under the limit, one 文字记录 sheet, named as ever."""
    rerun(DEMO, tmp_path / "out", use_cache=False, jobs=2)
    names, sheets = sheet_rows(tmp_path / "out" / "评估证据.xlsx", "文字记录")
    assert names == ["证据", "文字记录"] and sheets == [one_sheet]


def test_the_one_entry_an_older_evalkit_kept_is_removed(tmp_path):
    """Before the sheets went on past a worksheet's rows the cache kept one entry, texts.deflated (70 MB at province
    scale): the first rerun that keeps its sheets removes it."""
    older = tmp_path / "out" / CACHE_FOLDER / "texts.deflated"
    older.parent.mkdir(parents=True)
    older.write_bytes(b"\x00" * 1024)
    rerun(DEMO, tmp_path / "out", jobs=2)
    assert not older.exists() and (older.parent / "texts.pickle").exists()
