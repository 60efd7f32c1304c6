"""Load benchmark (issue 9): many assessors submitting at once against one ``evalkit serve``.

    .venv/bin/python bench/load.py [--sessions 20] [--records 25] [--instrument load_check]

Starts a fresh ``province-2018`` project with a small three-question instrument
(``load_check``: the shape of a phone-team record; the point is the server and the
store under concurrency, not the widgets of a long form), serves it on a free loopback
port and opens ``--sessions`` pages at once in Debian's Chromium (one browser context
each, as separate laptops would be). Every session fills and submits ``--records``
records one after the other with 「在本页再填一份」, all sessions concurrently. Then it
checks what the store holds: every record present, valid, no duplicates. It prints the
submit latency (click on 「提交」 → 「已提交」, timed in the page) and the server's memory
(Voila plus its kernels, resident set size, sampled during the run).

``run_load`` is shared with ``tests/test_load_browser.py``, which asserts the outcome
(never the timings).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402

INSTRUMENT = "load_check"
SURVEY = [
    ["type", "name", "label::中文 (zh)", "required", "constraint", "constraint_message::中文 (zh)", "evalkit::role"],
    ["text", "unit", "被评估单位", "yes", "", "", "unit"],
    ["text", "assessor", "评估员", "yes", "", "", "assessor"],
    ["integer", "calls_made", "拨打次数", "yes", ". >= 1 and . <= 50", "1 到 50 之间", ""],
    ["integer", "calls_connected", "接通次数", "yes", ". <= ${calls_made}", "接通次数不能多于拨打次数", ""],
    ["select_one yn", "answer_correct", "答复准确", "yes", "", "", ""],
]
CHOICES = [["list_name", "name", "label::中文 (zh)"], ["yn", "yes", "是"], ["yn", "no", "否"]]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["热线抽查（压力测试）", INSTRUMENT, "1", "中文 (zh)"]]

PROBE = """
window.__ek = {lat: []};
document.addEventListener('click', e => {
  if (e.target.closest('button') && e.target.closest('button').innerText.trim() === '提交') window.__ek.t0 = performance.now();
}, true);
new MutationObserver(() => {
  const t = window.__ek;
  if (t.t0 !== undefined && document.querySelector('.ek-status.saved')) { t.lat.push(performance.now() - t.t0); t.t0 = undefined; }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


@dataclass
class LoadResult:
    sessions: int
    per_session: int
    submitted: list[str] = field(default_factory=list)  # record number prefixes shown in the pages
    latencies_ms: list[float] = field(default_factory=list)
    peak_server_mb: float = 0.0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def make_project(root: Path) -> Path:
    """A province project with the three-question instrument added to its instruments/."""
    import openpyxl

    from evalkit.project import init_project

    init_project(root, "province-2018")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(root / "instruments" / f"{INSTRUMENT}.xlsx")
    return root


def _memory_sampler(server: Server, stop: threading.Event, out: list[float]) -> None:
    import psutil

    root = psutil.Process(server.proc.pid)
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            out.append(sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20)
        except psutil.Error:
            pass
        stop.wait(0.5)


async def _open(browser, server: Server, n: int, timeout: float):
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")

    async def only_loopback(route):
        if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", only_loopback)
    page = await context.new_page()
    page.set_default_timeout(timeout)
    await page.add_init_script(PROBE)
    unit, assessor = f"c1-{n % 12 + 1:02d}", f"评估员{n:02d}"
    await page.goto(server.url(instrument=INSTRUMENT, unit=unit, assessor=assessor), timeout=timeout)
    await page.locator(".ek-status").first.wait_for()
    return context, page


async def _session(context, page, n: int, records: int, result: LoadResult) -> None:
    for i in range(records):
        made = 1 + (n * records + i) % 50
        for name, value in (("calls_made", str(made)), ("calls_connected", str(made // 2))):
            box = page.locator(f".ek-f-{name} input").first
            await box.fill(value)
            await box.press("Tab")
        answer = "是" if i % 3 else "否"  # a radio row: tap the option
        await page.locator(".ek-f-answer_correct .widget-radio-box label").filter(
            has_text=re.compile(rf"^\s*{answer}\s*$")).locator("input").first.check()
        await page.locator(".ek-status.dirty").first.wait_for()  # the last change reached the kernel
        await page.get_by_role("button", name="提交", exact=True).click()
        await page.locator(".ek-status.saved").first.wait_for()
        text = await page.locator(".ek-status").first.inner_text()
        result.submitted.append(text.split("记录编号")[1].strip()[:8])
        if i + 1 < records:
            await page.locator(".ek-again button, button.ek-again").first.click()
            await page.locator(".ek-status.saved").first.wait_for(state="detached")
    result.latencies_ms += await page.evaluate("window.__ek.lat")
    await context.close()


async def _run(server: Server, sessions: int, records: int, result: LoadResult, timeout: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The assessors open their forms one after another (each page view starts a kernel, ~1 CPU-second),
        # then all of them work at once: 20 open pages, 20 kernels, submitting concurrently.
        opened = []
        for n in range(sessions):
            opened.append(await _open(browser, server, n, timeout))
        outcomes = await asyncio.gather(*(_session(context, page, n, records, result)
                                          for n, (context, page) in enumerate(opened)), return_exceptions=True)
        result.errors += [f"session {n}: {o!r}"[:500] for n, o in enumerate(outcomes) if isinstance(o, BaseException)]
        await browser.close()


def run_load(project: Path, sessions: int = 20, records: int = 25, timeout: float = 180_000) -> LoadResult:
    """Serve ``project`` and run the sessions; the server is stopped before returning."""
    result = LoadResult(sessions, records)
    server = Server(project, pool_size=0)
    stop, samples = threading.Event(), []
    sampler = threading.Thread(target=_memory_sampler, args=(server, stop, samples), daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        asyncio.run(_run(server, sessions, records, result, timeout))
    finally:
        result.seconds = time.monotonic() - started
        stop.set()
        sampler.join()
        result.peak_server_mb = max(samples, default=0.0)
        server.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--records", type=int, default=25)
    args = parser.parse_args()
    from evalkit.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "load")
        result = run_load(project, args.sessions, args.records)
        views, problems = Store(project).load()
    lat = sorted(result.latencies_ms)
    p95 = lat[max(0, int(round(0.95 * len(lat))) - 1)] if lat else float("nan")
    print(f"{result.sessions} sessions × {result.per_session} records, {result.seconds:.1f} s in all")
    print(f"records in the store: {len(views)} (expected {result.sessions * result.per_session}), "
          f"load problems: {len(problems)}, distinct ids: {len({v.instance_id for v in views})}")
    print(f"submit → 已提交: median {statistics.median(lat):.0f} ms, p95 {p95:.0f} ms (n = {len(lat)})" if lat
          else "no latencies measured")
    print(f"server memory (Voila + kernels, RSS): peak {result.peak_server_mb:.0f} MB")
    for error in result.errors:
        print("ERROR", error)
    return 0 if not result.errors else 1


if __name__ == "__main__":
    sys.exit(main())
