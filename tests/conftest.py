"""Shared test helpers: small workbooks built in code; packs whose tables were rewritten by hand."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import openpyxl
import pytest

from evalkit.forms import load_instrument
from evalkit.store import pack_store, packs

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "instruments" / "frameworks"


def make_workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """Write ``{sheet name: rows}`` to ``path`` (first row = header), with optional merged ranges."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def make_instrument(path: Path, sheets: dict[str, list[list]]):
    """An XLSForm workbook of ``sheets`` written to ``path`` (:func:`make_workbook`) and loaded; the test fails
    with the loader's problems when it does not load."""
    instrument, problems = load_instrument(make_workbook(path, sheets))
    assert instrument is not None, problems
    return instrument


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def output_hashes(out: Path) -> dict[str, str]:
    """Every file a rerun wrote into ``out`` (its cache folder aside) by path, with its sha256."""
    from evalkit.pipeline.cache import CACHE_FOLDER  # noqa: PLC0415 - the rerun's modules only for the tests that use it

    return {p.relative_to(out).as_posix(): sha256(p) for p in sorted(out.rglob("*"))
            if p.is_file() and CACHE_FOLDER not in p.parts}


def sheet_rows(path: Path, prefix: str) -> tuple[list[str], list[list[tuple]]]:
    """A workbook's sheet names and, for each sheet whose name starts with ``prefix``, its rows (header first)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return book.sheetnames, [[tuple(c.value for c in row) for row in book[name].iter_rows()]
                                 for name in book.sheetnames if name.startswith(prefix)]
    finally:
        book.close()


@pytest.fixture
def workbook(tmp_path):
    def build(sheets, name="input.xlsx", merges=None):
        return make_workbook(tmp_path / name, sheets, merges)
    return build


@pytest.fixture
def pack_with_tables():
    """``pack_with_tables(raw, make)`` packs a store's loose revisions as ``evalkit store pack`` does, but with
    ``make(views)`` as the pack's tables (a pack rewritten by hand: its revisions true, its tables not)."""
    def pack(raw: Path, make) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(packs, "record_tables", make)
            pack_store(raw)
    return pack


def pytest_terminal_summary(terminalreporter):
    """Say where this run's screenshots are (browser.SHOTS: EVALKIT_SHOTS or a folder of the run's own)."""
    browser = sys.modules.get("browser")
    if browser is not None and browser.SHOTS.is_dir():
        terminalreporter.write_line(f"screenshots: {browser.SHOTS}")
