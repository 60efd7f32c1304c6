"""The evidence workbook's 证据 sheet past one worksheet's rows: one row per record, and a worksheet holds 1,048,576
rows (Microsoft, "Excel specifications and limits"), so a store of more records than that did not open whole.  They
go on in 「证据（2）」 and so on, before the 文字记录 sheets — the same bytes whether the workbook is written in the
rerun or by its forked children."""

from __future__ import annotations

import os
import shutil
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from conftest import output_hashes, sheet_rows

import evalkit.io.xlsx as xlsx
import evalkit.io.xlsx_stream as xlsx_stream
import evalkit.reports.workbook as workbook
from evalkit.pipeline import rerun

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
ROWS = 300   # records on a 证据 sheet here: the demo's 999 go on four (the rows are made 2,000 at a time)


@pytest.fixture(scope="module")
def one_sheet(tmp_path_factory) -> tuple[list[str], list[tuple]]:
    """The demo's evidence workbook as the shipped limit makes it: its sheets, and the 证据 sheet's rows."""
    out = tmp_path_factory.mktemp("one") / "out"
    rerun(DEMO, out, use_cache=False, jobs=1)
    names, sheets = sheet_rows(out / "评估证据.xlsx", "证据")
    assert len(sheets) == 1 and len(sheets[0]) - 1 > 2 * ROWS
    return names, sheets[0]


def test_records_past_a_sheet_go_on_in_the_next(tmp_path, monkeypatch, one_sheet):
    monkeypatch.setattr(workbook, "EVIDENCE_ROWS", ROWS)   # the forked children have it too
    alone = tmp_path / "alone"
    rerun(DEMO, alone, use_cache=False, jobs=1)
    names, sheets = sheet_rows(alone / "评估证据.xlsx", "证据")
    header, records = one_sheet[1][0], one_sheet[1][1:]
    parts = -(-len(records) // ROWS)
    assert len(sheets) == parts >= 3
    assert names == ["证据", *(f"证据（{i}）" for i in range(2, parts + 1)), *one_sheet[0][1:]]   # then 文字记录
    assert all(sheet[0] == header for sheet in sheets)
    assert [len(sheet) - 1 for sheet in sheets] == [ROWS] * (parts - 1) + [len(records) - ROWS * (parts - 1)]
    assert [row for sheet in sheets for row in sheet[1:]] == records   # every record once, in order
    book = openpyxl.load_workbook(alone / "评估证据.xlsx")
    evidence = [n for n in names if n.startswith("证据")]
    assert [book[n].auto_filter.ref for n in evidence] == [f"A1:K{len(sheet)}" for sheet in sheets]
    assert all(book[n].freeze_panes == "A2" for n in evidence)
    assert all(book[n].print_title_rows == "$1:$1" for n in evidence)   # the header on every printed page
    if hasattr(os, "fork"):   # the free text made by a forked child, the workbook written by another: the same bytes
        apart = tmp_path / "apart"
        rerun(DEMO, apart, use_cache=False, jobs=2)
        assert output_hashes(apart) == output_hashes(alone)


def test_no_record_still_gives_the_sheet_with_its_header(tmp_path):
    project = tmp_path / "empty"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("raw"))
    rerun(project, tmp_path / "out", use_cache=False, jobs=1)
    names, sheets = sheet_rows(tmp_path / "out" / "评估证据.xlsx", "证据")
    assert names[0] == "证据" and "证据（2）" not in names
    assert len(sheets) == 1 and len(sheets[0]) == 1 and sheets[0][0][0] == "记录编号"


# ---- zlib's level: a province's evidence workbook deflated at level 1 ------------------------------------------------

def raw_entries(path: Path) -> dict[str, tuple[bytes, bytes]]:
    """Each zip entry of ``path``: its data, and its bytes as stored (deflated), read from its local header on."""
    found = {}
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        for info in z.infolist():
            f.seek(info.header_offset)
            header = f.read(30)
            assert header[:4] == b"PK\x03\x04"
            f.seek(info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little"))
            found[info.filename] = (z.read(info), f.read(info.compress_size))
    return found


def deflated_at(level: int, path: Path) -> bool:
    """Whether every entry of ``path`` is its data deflated by zlib at ``level`` (raw deflate, as zipfile writes)."""
    def deflate(data: bytes) -> bytes:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush()
    return all(deflate(data) == stored for data, stored in raw_entries(path).values())


def test_a_small_project_s_workbooks_keep_zlib_s_default_level(tmp_path):
    rerun(DEMO, tmp_path / "out", use_cache=False, jobs=1)   # 999 records, fewer than FAST_PAST
    for name in ("评估证据.xlsx", "评估报告.xlsx"):
        assert deflated_at(zlib.Z_DEFAULT_COMPRESSION, tmp_path / "out" / name)
        assert not deflated_at(1, tmp_path / "out" / name)


def test_past_fast_past_records_the_evidence_workbook_is_deflated_at_level_1(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "FAST_PAST", 100)   # the demo's 999 records as a province's hundred thousand
    monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)   # each 文字记录 sheet an entry deflated as it comes
    copied: list[str] = []   # the workbook and entry of each entry copied in as it was deflated
    real = xlsx.write_deflated

    def spy(zout, entry, done):
        copied.append(f"{Path(str(zout.filename)).name}:{entry.filename}")
        return real(zout, entry, done)

    monkeypatch.setattr(xlsx, "write_deflated", spy)
    alone = tmp_path / "alone"
    rerun(DEMO, alone, use_cache=False, jobs=1)
    assert deflated_at(1, alone / "评估证据.xlsx") and not deflated_at(zlib.Z_DEFAULT_COMPRESSION, alone / "评估证据.xlsx")
    assert deflated_at(zlib.Z_DEFAULT_COMPRESSION, alone / "评估报告.xlsx")   # the printable report as it was
    names, sheets = sheet_rows(alone / "评估证据.xlsx", "证据")   # opens as ever
    assert names[:2] == ["证据", "文字记录"] and len(sheets[0]) == 1000
    # the sheets deflated as they came, then copied in as they are, at the workbook's level (not made again)
    assert "评估证据.xlsx.tmp:xl/worksheets/sheet2.xml" in copied
    # made here to be kept, by a forked child, kept and taken again: the same bytes
    kept = tmp_path / "kept"
    copied.clear()
    rerun(DEMO, kept, jobs=1)
    assert "评估证据.xlsx.tmp:xl/worksheets/sheet2.xml" in copied   # 文字记录, made apart (evalkit.reports.ahead) at the same level
    assert output_hashes(kept) == output_hashes(alone)
    if hasattr(os, "fork"):
        apart = tmp_path / "apart"
        assert rerun(DEMO, apart, jobs=2).reused["texts"] == 0
        assert output_hashes(apart) == output_hashes(alone)
        assert rerun(DEMO, apart, jobs=2).reused["texts"] == 1
        assert output_hashes(apart) == output_hashes(alone)
