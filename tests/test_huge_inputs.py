"""Huge inputs (issue 9): refused with a clear message or handled within memory.

* a photo over the instrument's limit is answered beside its field and stored nowhere;
* a photo far over 32 MiB (such as a 200 MB one) never reaches the kernel (the server cuts the websocket message off at
  32 MiB before reading it into memory), and the form goes on saving its draft;
* a million-row sampling frame is read and drawn from in well under 2 GB.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from browser import Server, field, fill, launched_chromium, new_page, open_form, upload, wait_status

from evalkit.app.serve import WEBSOCKET_MAX_BYTES, ServeConfig, voila_settings
from evalkit.project import init_project

ROOT = Path(__file__).resolve().parent.parent


def test_the_server_cuts_off_messages_above_32_mib():
    assert voila_settings(ServeConfig(project=Path("p")))["max_bytes"] == WEBSOCKET_MAX_BYTES
    assert WEBSOCKET_MAX_BYTES == 32 * 1024 * 1024


def test_an_instrument_cannot_ask_for_photos_the_server_would_cut_off(tmp_path):
    from conftest import make_workbook

    from evalkit.forms import load_instrument

    path = make_workbook(tmp_path / "big.xlsx", {
        "survey": [["type", "name", "label::中文 (zh)", "evalkit::role", "evalkit::max_mb"],
                   ["text", "unit", "单位", "unit", ""], ["text", "assessor", "评估员", "assessor", ""],
                   ["image", "photo", "照片", "", "200"]],
        "settings": [["form_id", "version", "default_language"], ["big", "1", "中文 (zh)"]]})
    inst, problems = load_instrument(path)
    bad = [p for p in problems if p.code == "instrument-max-mb-invalid"]
    assert inst is None and len(bad) == 1 and bad[0].row == 4 and "200" in bad[0].message


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = tmp_path_factory.mktemp("huge") / "p"
    init_project(project, "province-2018")
    server = Server(project, pool_size=0)
    yield server, project
    server.stop()


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.browser
def test_photos_over_the_limit_are_refused_beside_the_field(served, tmp_path):

    server, project = served
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff\xe0" + bytes(15 * 1024 * 1024))  # 15 MiB "JPEG": over the 10 MB limit
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as f:
        # 64 MiB: twice the server's cut-off, so it goes the way a 200 MB photo goes (a 200 MB file makes
        # playwright's own node driver run out of heap while handing it to the browser)
        f.truncate(64 * 1024 * 1024)
    with launched_chromium() as chromium:
        page = new_page(chromium)
        page.set_default_timeout(120_000)
        open_form(page, server.url(instrument="site_visit", unit="c1-01", assessor="张三"))
        upload(page, "photo_hall", big, wait=False)
        page.wait_for_function("document.body.innerText.includes('10 MB') && "
                               "[...document.querySelectorAll('.ek-f-photo_hall')].some(e => /超过|过大|大于/.test(e.innerText))",
                               timeout=120_000)
        said = field(page, "photo_hall").inner_text()
        upload(page, "photo_guide", huge, wait=False)
        page.wait_for_timeout(5_000)
        fill(page, "items_listed", "12")  # the page still works and keeps saving
        wait_status(page, "草稿已自动保存", timeout=120_000)
    assert "超过 10 MB" in said, said
    assert files_in(project / "raw") == []  # nothing of either photo was stored
    drafts = files_in(project / "drafts")
    assert drafts and all(p.stat().st_size < 1_000_000 for p in drafts)  # the draft holds no photo bytes


MILLION = textwrap.dedent("""
    import csv, resource, sys
    from pathlib import Path
    from evalkit.sampling import read_frame
    from evalkit.sampling import Design
    from evalkit.sampling import make_draw
    path = Path(sys.argv[1])
    frame, problems = read_frame(path)
    assert frame is not None and not problems, problems
    print("rows", len(frame.rows))
    # this process's own peak (VmHWM): ru_maxrss is kept across exec, so it could be pytest's own
    hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")]
    print("peak_mb", int(hwm[0]) // 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
""")


def test_a_million_row_frame_is_read_within_memory(tmp_path):
    path = tmp_path / "cases.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["办件编号", "单位", "事项编码", "办结日期", "联系电话"])
        for i in range(1_000_000):
            writer.writerow([f"B{i:07d}", f"c1-{i % 12 + 1:02d}", f"S{i % 500:03d}", "2018-06-01", f"138{i:08d}"])
    out = subprocess.run([sys.executable, "-c", MILLION, str(path)], capture_output=True, text=True, cwd=ROOT,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    figures = dict(line.split() for line in out.stdout.splitlines())
    assert int(figures["rows"]) == 1_000_000
    assert int(figures["peak_mb"]) < 2048  # a memory ceiling, not a timing
