"""A large sheet is deflated in a thread while its rows are made (``evalkit.io.xlsx_deflate``) and copied into the
zip as it is: the zip must be byte for byte the one ``zipfile`` writes with the whole entry (the reference), for
entries of every size (empty, one byte, several deflate blocks, zip64), and the workbooks the same whether a
sheet's rows were deflated as they came, spliced in at saving, or deflated under a head that turned out wrong."""

from __future__ import annotations

import io
import random
import tempfile
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

import evalkit.io.xlsx as xlsx
import evalkit.io.xlsx_deflate as xlsx_deflate
import evalkit.io.xlsx_stream as xlsx_stream
from evalkit.io.xlsx_deflate import Deflater, at_level, write_deflated
from evalkit.io.xlsx_rows import add_rows
from evalkit.io.xlsx_stream import Sheet, stream_workbook


def _text(size: int, seed: int = 19) -> bytes:
    """Sheet-like XML: repeated tags with varied text (compresses like a sheet, not like noise or zeros)."""
    rng = random.Random(seed)
    words = ["态度很好", "一次办成", "材料不全", "<c r=\"A1\" s=\"3\"/>", "0432-6234", "&amp;", "窗口", "\n"]
    out = bytearray()
    while len(out) < size:
        out += f'<row r="{len(out)}"><c t="inlineStr"><is><t>{"".join(rng.choices(words, k=5))}</t></is></c></row>' \
            .encode()
    return bytes(out[:size])


def _chunks(data: bytes, rng: random.Random) -> list[bytes]:
    chunks, at = [], 0
    while at < len(data):
        n = rng.choice([1, 7, 4096, 65536, 1 << 20])
        chunks.append(data[at:at + n])
        at += n
    return chunks


def _zip(entries: list[tuple[str, bytes]], deflated: set[str], level: int = xlsx_deflate.LEVEL) -> bytes:
    """A zip of ``entries`` as fixed_zip writes them: entry size set, then written through ``open``; those in
    ``deflated`` deflated beforehand by a Deflater (head = the first bytes, the rest in uneven chunks); every
    entry at zlib's ``level``."""
    rng = random.Random(7)
    token = xlsx_deflate.DEFLATE_LEVEL.set(level)   # as a workbook's Deflaters are made (stream_workbook)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            at_level(entry, level)
            if name in deflated:
                cut = min(len(data), 300)
                chunks = _chunks(data[cut:], rng)
                tail = chunks.pop() if chunks else b""
                deflater = Deflater(data[:cut])
                for chunk in chunks:
                    deflater.write(chunk)
                write_deflated(zout, entry, deflater.finish(tail))
                deflater.close()
            else:
                entry.file_size = len(data)
                with zout.open(entry, "w") as w:
                    w.write(data)
    xlsx_deflate.DEFLATE_LEVEL.reset(token)
    return out.getvalue()


SIZES = [0, 1, 299, 300, 301, 65535, 1 << 20, 3 * (1 << 20) + 17]


@pytest.mark.parametrize("size", SIZES)
def test_a_deflated_entry_has_the_bytes_zipfile_writes(size):
    entries = [("before.xml", _text(1000, 1)), ("xl/worksheets/sheet1.xml", _text(size)), ("after.xml", b"")]
    reference = _zip(entries, set())
    got = _zip(entries, {"xl/worksheets/sheet1.xml"})
    assert got == reference
    with zipfile.ZipFile(io.BytesIO(got)) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == entries[1][1]


@pytest.mark.parametrize("level", [1, 9])
def test_at_another_level_too_the_bytes_zipfile_writes(level):
    """A province's evidence workbook is deflated at level 1 (evalkit.reports.workbook.FAST_LEVEL): deflated
    beforehand or written whole, the same bytes — those of zlib at that level, not at the default."""
    assert xlsx_deflate.copies_as_is(level)
    entries = [(f"e{size}.xml", _text(size, size)) for size in SIZES]
    reference = _zip(entries, set(), level)
    assert _zip(entries, {name for name, _ in entries}, level) == reference
    assert reference != _zip(entries, set())
    with zipfile.ZipFile(io.BytesIO(reference)) as z:
        big = z.getinfo(f"e{SIZES[-1]}.xml")
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        assert big.compress_size == len(compressor.compress(z.read(big)) + compressor.flush())


def test_every_entry_deflated_beforehand_the_same_bytes():
    entries = [(f"e{size}.xml", _text(size, size)) for size in SIZES]
    assert _zip(entries, {name for name, _ in entries}) == _zip(entries, set())


def test_zip64_entries_the_same_bytes(monkeypatch):
    """An entry of 2 GiB or more (a million records' 文字记录) takes zip64 fields: the limit lowered, the same
    choice and bytes as zipfile's for entries below, around and above it."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 5000)
    entries = [(f"e{size}.xml", _text(size, size)) for size in (0, 100, 4700, 4800, 5000, 5001, 200_000)]
    reference = _zip(entries, set())
    assert _zip(entries, {name for name, _ in entries}) == reference
    with zipfile.ZipFile(io.BytesIO(reference)) as z:
        assert [z.read(name) for name, _ in entries] == [data for _, data in entries]
        zip64 = [i.filename for i in z.infolist() if i.extract_version >= zipfile.ZIP64_VERSION]
    assert zip64 == ["e4800.xml", "e5000.xml", "e5001.xml", "e200000.xml"]  # size × 1.05 above the limit


@pytest.mark.parametrize("head", [0, 1, 5000, 3 << 20])
def test_rows_come_back_without_the_head(head):
    data = _text(head + (2 << 20) + 3)
    deflater = Deflater(data[:head])
    for chunk in _chunks(data[head:], random.Random(3)):
        deflater.write(chunk)
    with deflater.rows_file() as rows:
        assert rows.read() == data[head:]
    deflater.close()


def test_an_error_in_the_thread_comes_back_to_the_writer():
    deflater = Deflater(b"<worksheet>")
    deflater.write("不是字节")  # crc32 of a str fails in the thread
    with pytest.raises(TypeError):
        for _ in range(100):
            deflater.write(b"x" * 1000)
        deflater.finish(b"</worksheet>")
    deflater.close()
    assert not any(t.name == "evalkit-deflate" and t.is_alive() for t in threading.enumerate())


# ---------------------------------------------------------------- through the sheets (fixed_zip's callers)

HEADERS = ["记录编号", "单位编号", "字段", "内容"]


def _rows(n: int) -> list[list]:
    rng = random.Random(5)
    answers = ["无", "态度很好，一次办成。", "窗口人员说“材料不全”，让我 <下次> 再来 & 补交", "=HYPERLINK(\"x\")", "词" * 300]
    return [[f"{rng.randrange(16 ** 8):08x}" * 4, f"c{i % 7}-0{i % 3}", "意见（comment）", rng.choice(answers) + str(i)]
            for i in range(n)]


def _workbook(path, rows, *, saver=None, small_rows=None, wrong_head=False, fail=False):
    def sheets(wb):
        big = Sheet(wb, "文字记录", HEADERS, [34, 10, 20, 80], heading="测试 & 证据", wrap={2, 3})
        if wrong_head:
            big.head = big.head.replace(b"<sheetData>", b"<sheetData >")
        add_rows(big, rows)
        big.finish()
        yield big
        small = Sheet(wb, "说明", ["项目", "内容"], [16, 100], heading="测试", wrap={1})
        for r in small_rows or []:
            small.add(r)
        small.finish()
        if fail:
            raise RuntimeError("出错")
        yield small
    done = stream_workbook(path, sheets, saver=saver)
    return (done.result() if saver else done).read_bytes()


def test_a_sheet_deflated_as_its_rows_come_is_the_same_file(tmp_path, monkeypatch):
    rows = _rows(20_000)
    small = [["方法", "抽样"], ["说明", "=1+1"]]
    reference = _workbook(tmp_path / "reference.xlsx", rows, small_rows=small)  # 8 MB: spliced in at saving
    copied = []
    monkeypatch.setattr(xlsx, "write_deflated", lambda *a: copied.append(a[1].filename) or write_deflated(*a))
    monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)
    assert _workbook(tmp_path / "deflated.xlsx", rows, small_rows=small) == reference
    assert copied == ["xl/worksheets/sheet1.xml"]  # the big sheet deflated as it came; the small one at saving
    with ThreadPoolExecutor(max_workers=1) as saver:
        assert _workbook(tmp_path / "saver.xlsx", rows, small_rows=small, saver=saver) == reference
    assert _workbook(tmp_path / "wrong-head.xlsx", rows, small_rows=small, wrong_head=True) == reference
    wb = openpyxl.load_workbook(tmp_path / "deflated.xlsx", read_only=True)
    got = [[c.value for c in r] for r in wb["文字记录"].iter_rows(min_row=2)]
    assert got == rows
    assert [[c.value for c in r] for r in wb["说明"].iter_rows(min_row=2)] == small
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deflated.xlsx", "reference.xlsx", "saver.xlsx",
                                                          "wrong-head.xlsx"]


def test_on_a_zipfile_that_will_not_copy_as_is_the_rows_are_written_the_ordinary_way(tmp_path, monkeypatch):
    """write_deflated leans on the inside of zipfile's write handle: on a Python where that works otherwise
    (here: a handle that deflates what it is given again), the probe says so and the same file is written
    the ordinary way."""
    rows = _rows(20_000)
    reference = _workbook(tmp_path / "reference.xlsx", rows)
    assert xlsx_deflate.copies_as_is()   # this Python: the fast path is the one used
    monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)
    monkeypatch.setattr(xlsx_deflate._AsIs, "compress", staticmethod(zlib.compressobj(6, zlib.DEFLATED, -15).compress))
    xlsx_deflate.copies_as_is.cache_clear()
    try:
        assert not xlsx_deflate.copies_as_is()
        copied = []
        monkeypatch.setattr(xlsx, "write_deflated", lambda *a: copied.append(a[1].filename) or write_deflated(*a))
        assert _workbook(tmp_path / "ordinary.xlsx", rows) == reference
        assert copied == []
    finally:
        xlsx_deflate.copies_as_is.cache_clear()


def _failing(rows):
    yield from rows
    raise RuntimeError("记录读取出错")


@pytest.mark.parametrize("where", ["rows", "sheets"])
def test_a_failure_while_the_rows_are_made_stops_the_deflate(tmp_path, monkeypatch, where):
    """An error while the big sheet's rows are made (its deflate running) or after it: no thread left deflating,
    no file left in the folder or in openpyxl's temporary folder."""
    monkeypatch.setattr(xlsx_stream, "SPOOL_IN_MEMORY", 64 << 10)
    scratch = tmp_path.parent / f"{tmp_path.name}-tmp"   # openpyxl's temporary files, this test's own
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert _openpyxl_files() == []
    with pytest.raises(RuntimeError):
        rows = _rows(5000)
        _workbook(tmp_path / "failed.xlsx", _failing(rows) if where == "rows" else rows, fail=where == "sheets")
    assert list(tmp_path.iterdir()) == []
    assert not any(t.name == "evalkit-deflate" and t.is_alive() for t in threading.enumerate())
    assert _openpyxl_files() == []


def _openpyxl_files():
    return list(Path(tempfile.gettempdir()).glob("openpyxl.*"))
