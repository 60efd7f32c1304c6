"""Benchmark of the Voila pages in Chromium: open → interactive for every page, and submit → saved.

    .venv/bin/python bench/forms.py [--n 20] [--pages 10] [--instrument hotline_test] [--pool-size 1] [--mode both]

First every page (form, 我的记录, review, sampling, scoring, ledger) is opened ``--pages`` times on a
warm server (before each open the server is let settle: the page's preheated kernel is waiting) and
the p50 / p95 of open → interactive are printed against the 1-second target; the project is the
demo (95 units, ~1,000 records), so the lead's pages have real work to do.  Then the form is filled
and submitted as below.

Starts a fresh project (``province-2018``) and ``evalkit serve`` on a free loopback
port, then opens, fills and submits the form ``--n`` times in Debian's Chromium:

(a) open → interactive: from the navigation start of ``form.ipynb?instrument=…`` to the
    moment the status line is shown and the first input is enabled, timed inside the
    page (a MutationObserver installed before the page's own scripts run);
(b) submit → saved: from the click on 「提交」 to 「已提交」 in the status line, also timed
    inside the page (a capturing click listener and the same observer).

Two ways of opening are measured: ``warm`` waits before each open until the server is
quiet again (the page's predecessor shut down and a preheated kernel waiting in the
pool: an assessor spends minutes on a form, so this is the usual case) and
``back-to-back`` opens the next form right after the previous submit (entering a pile
of paper questionnaires with 「再填一份」).  The breakdown columns come from the
page's navigation timing: first byte, last byte (the kernel has built the form),
DOMContentLoaded.  The browser keeps its cache between pages (one profile) unless
``--fresh-context`` is given.

A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, Server, choose, entry, fill, kernel_processes  # noqa: E402

LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
TARGET_OPEN_MS = 1000
TARGET_SUBMIT_MS = 200
PAGES = {"form.ipynb": {"instrument": "hotline_test", "unit": "c1-12", "assessor": "王磊"},
         "records.ipynb": {"assessor": "王磊"}, "review.ipynb": {}, "sampling.ipynb": {}, "scoring.ipynb": {},
         "ledger.ipynb": {}}

# Runs before the page's scripts: records (ms since navigation start) when the form
# becomes interactive and when the submit is confirmed, and when 提交 is clicked.
PROBE = """
window.__ek = {};
const ekCheck = () => {
  const t = window.__ek;
  if (t.interactive === undefined) {
    const form = document.querySelector('.ek-form');
    const input = document.querySelector('.ek-form input:not([type=file]), .ek-form select, .ek-form textarea, '
                                         + '.ek-form a');
    const status = document.querySelector('.ek-status');
    const needsStatus = location.pathname.endsWith('/form.ipynb') && location.search.includes('instrument=');
    if (form && form.offsetParent !== null && input && !input.disabled && input.offsetParent !== null
        && (!needsStatus || (status && status.offsetParent !== null)))
      t.interactive = performance.now();
  }
  if (t.click !== undefined && t.saved === undefined && document.querySelector('.ek-status.saved'))
    t.saved = performance.now();
};
new MutationObserver(ekCheck).observe(document, {subtree: true, childList: true, attributes: true,
                                                 characterData: true});
document.addEventListener('click', e => {
  const b = e.target.closest && e.target.closest('button');
  if (b && b.textContent.trim() === '提交') window.__ek.click = performance.now();
}, true);
"""


def quiet(server: Server, before: set[int], timeout: float = 60.0) -> bool:
    """Wait until the pool has been refilled and every kernel is idle.

    ``before`` holds the kernel pids from before the previous open: the kernel that
    refills the pool is a new pid, and it is ready once no kernel uses the CPU.
    """
    import psutil

    deadline = time.time() + timeout
    while time.time() < deadline:
        procs = kernel_processes(server)
        if {p.pid for p in procs} - before:
            try:
                start = sum(sum(p.cpu_times()[:2]) for p in procs)
                time.sleep(0.3)  # a sampling window, not a synchronisation
                if sum(sum(p.cpu_times()[:2]) for p in procs) - start < 0.02:
                    return True
            except psutil.Error:
                continue
        else:
            time.sleep(0.2)
    return False


def browser_context(browser):
    """A browser profile: by default one for every round (static files cached between
    pages, as in an assessor's browser); ``--fresh-context`` makes a new one per page.

    No Playwright routing here (routing turns the HTTP cache off): the browser's host
    resolver keeps every request on the loopback address instead.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(PROBE)
    return context


def one_round(context, server: Server, instrument: str) -> dict:
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.url("form.ipynb", instrument=instrument, unit="c1-01", assessor="基准测试"),
                  timeout=120_000)
        page.wait_for_function("window.__ek && window.__ek.interactive !== undefined", timeout=120_000)
        nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
            return {first_byte: n.responseStart, last_byte: n.responseEnd, dom: n.domContentLoadedEventEnd}; }""")
        fill(page, "hotline_number", "0432-62012345")
        choose(page, "number_source", "办事指南")
        call = entry(page, "calls", 1)  # the call the form opens with
        fill(call, "call_time", "10:15")
        fill(call, "item_asked", "不动产登记需要哪些材料")
        fill(call, "calls_made", "1")
        fill(call, "calls_connected", "1")
        for name, label in (("answer_correct", "准确完整"), ("told_all_materials", "是"), ("attitude", "热情耐心")):
            choose(call, name, label)
        page.locator(".ek-status", has_text="草稿已自动保存").wait_for()
        page.get_by_role("button", name="提交", exact=True).click()
        page.locator(".ek-status.saved, .ek-status.bad").first.wait_for()
        times = page.evaluate("window.__ek")
        ok = "已提交" in page.locator(".ek-status").first.inner_text()
    finally:
        page.goto("about:blank")
        page.close()
    return {"open": times["interactive"], "submit": times["saved"] - times["click"] if ok else float("nan"),
            **nav, "ok": ok}


def open_page(context, server: Server, notebook: str) -> float:
    """One open of ``notebook``: ms from navigation start to interactive."""
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(server.url(notebook, **PAGES[notebook]), timeout=120_000)
        page.wait_for_function("window.__ek && window.__ek.interactive !== undefined", timeout=120_000)
        return page.evaluate("window.__ek.interactive")
    finally:
        page.goto("about:blank")
        page.close()


def every_page(context, server: Server, n: int) -> dict[str, list[float]]:
    """open → interactive of every page, ``n`` times each, on a warm server."""
    found: dict[str, list[float]] = {nb: [] for nb in PAGES}
    for notebook in PAGES:
        for _ in range(n):
            settle(server)
            found[notebook].append(open_page(context, server, notebook))
    return found


def settle(server: Server, timeout: float = 90.0) -> None:
    """Wait until every kernel is idle (the pools are full again)."""
    import psutil

    deadline = time.time() + timeout
    while time.time() < deadline:
        procs = kernel_processes(server)
        try:
            start = sum(sum(p.cpu_times()[:2]) for p in procs)
            time.sleep(0.5)  # a sampling window, not a synchronisation
            if sum(sum(p.cpu_times()[:2]) for p in procs) - start < 0.02:
                return
        except psutil.Error:
            continue


def pct(values: list[float], q: float) -> float:
    values = sorted(v for v in values if v == v)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="submissions per mode (default 20)")
    parser.add_argument("--pages", type=int, default=10, help="opens of every page (default 10; 0: skip)")
    parser.add_argument("--instrument", default="hotline_test")
    parser.add_argument("--pool-size", type=int, default=1)
    parser.add_argument("--mode", choices=("warm", "back-to-back", "both"), default="both")
    parser.add_argument("--fresh-context", action="store_true",
                        help="a new browser context (empty cache) for every page")
    args = parser.parse_args(argv)
    if args.instrument != "hotline_test":
        parser.error("only hotline_test is filled by this benchmark")

    from playwright.sync_api import sync_playwright

    from evalkit.store import Store

    modes = ["warm", "back-to-back"] if args.mode == "both" else [args.mode]
    results: dict[str, list[dict]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(ROOT / "data" / "demo", project)
        started = time.perf_counter()
        server = Server(project, pool_size=args.pool_size)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [LOOPBACK_ONLY])
                context = browser_context(browser)
                pids = {p.pid for p in kernel_processes(server)}
                first = one_round(context, server, args.instrument)  # kernels of a fresh server: not counted
                print(f"server start → first form interactive: {time.perf_counter() - started:.1f} s "
                      f"(first open {first['open'] / 1000:.1f} s; not counted)")
                opened = every_page(context, server, args.pages) if args.pages else {}
                for mode in modes:
                    for n in range(args.n):
                        if mode == "warm" and not quiet(server, pids):
                            print(f"  warm #{n + 1}: the server did not become quiet within 60 s")
                        pids = {p.pid for p in kernel_processes(server)}
                        if args.fresh_context:
                            context.close()
                            context = browser_context(browser)
                        results[mode].append(one_round(context, server, args.instrument))
                browser.close()
        finally:
            server.stop()
        saved = len(Store(project).records())

    if opened:
        print(f"\nevery page, open → interactive on a warm server, {args.pages} opens each (ms; target < {TARGET_OPEN_MS})\n")
        print(f"{'page':<18}{'p50':>8}{'p95':>8}  {'':<6}")
        for notebook, values in opened.items():
            p50 = statistics.median(values)
            print(f"{notebook:<18}{p50:>8.0f}{pct(values, 0.95):>8.0f}  {'ok' if p50 < TARGET_OPEN_MS else 'SLOW'}")
    cache = "a new browser context per page (empty cache)" if args.fresh_context else "one browser profile (cache kept)"
    print(f"\n{args.instrument}, pool size {args.pool_size}, {args.n} submissions per mode, {cache}; "
          f"{saved} records saved in all; times in ms\n")
    header = f"{'mode':<14}{'measure':<22}{'median':>8}{'p95':>8}{'target':>9}"
    print(header)
    print("-" * len(header))
    for mode in modes:
        rows = results[mode]
        for label, key, target in (("open → interactive", "open", f"< {TARGET_OPEN_MS}"),
                                   ("submit → 已提交", "submit", f"< {TARGET_SUBMIT_MS}"),
                                   ("  first byte", "first_byte", ""), ("  last byte", "last_byte", ""),
                                   ("  DOMContentLoaded", "dom", "")):
            values = [r[key] for r in rows]
            print(f"{mode:<14}{label:<22}{statistics.median(values):>8.0f}{pct(values, 0.95):>8.0f}{target:>9}")
        failed = sum(not r["ok"] for r in rows)
        if failed:
            print(f"{mode:<14}{failed} submissions were not saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
