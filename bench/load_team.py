"""The team mode of ``bench/load.py`` (issue 15): the same sessions through JupyterHub.

``bench/load.py --team [--sessions 20] [--records 25]`` starts ``evalkit team`` on a fresh project whose
``assessors.xlsx`` has one account per session (评估员) and a lead; every session signs up, the lead
approves them all, then each logs in (JupyterHub starts that user's server), opens the form and submits
its records with 「在本页再填一份」, all sessions at once.  It prints submit p50/p95 and the memory per
logged-in user: the resident memory of the hub's whole process tree (hub, proxy, every user's server and
its kernels) at its peak, less the hub and proxy alone before anyone logged in, divided by the users.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import openpyxl
from browser import CHROMIUM, CHROMIUM_ARGS, Hub
from load import INSTRUMENT, PROBE, LoadResult, _session

PASSWORD = "Kq7-load-2018x"


def write_team(project: Path, sessions: int) -> list[str]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评估员"
    ws.append(["编号", "姓名", "账号", "角色"])
    ws.append(["a00", "组长", "lead", "组长"])
    accounts = [f"u{n:02d}" for n in range(sessions)]
    for n, account in enumerate(accounts):
        ws.append([f"a{n + 1:02d}", f"评估员{n:02d}", account, "评估员"])
    wb.save(project / "assessors.xlsx")
    return accounts


def tree_mb(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20
    except psutil.Error:
        return 0.0


async def _context(browser, timeout: float):
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")

    async def only_loopback(route):
        if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", only_loopback)
    context.set_default_timeout(timeout)
    return context


async def _sign_up(browser, hub: Hub, account: str, timeout: float) -> None:
    context = await _context(browser, timeout)
    page = await context.new_page()
    await page.goto(f"{hub.base}/hub/signup")
    await page.fill("#username_input", account)
    await page.fill("#password_input", PASSWORD)
    await page.fill("#password_confirmation_input", PASSWORD)
    await page.click("#signup_submit")
    await page.locator(".alert").first.wait_for()
    await context.close()


async def _log_in(browser, hub: Hub, account: str, timeout: float):
    context = await _context(browser, timeout)
    page = await context.new_page()
    await page.add_init_script(PROBE)
    await page.goto(f"{hub.base}/hub/login")
    await page.fill("#username_input", account)
    await page.fill("#password_input", PASSWORD)
    await page.click("#login_submit")
    await page.wait_for_url(f"**/user/{account}/**", timeout=timeout)
    return context, page


async def _run(hub: Hub, accounts: list[str], records: int, result: LoadResult, timeout: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await _sign_up(browser, hub, "lead", timeout)
        for account in accounts:
            await _sign_up(browser, hub, account, timeout)
        lead_context, lead = await _log_in(browser, hub, "lead", timeout)
        for account in accounts:
            await lead.goto(f"{hub.base}/hub/authorize/{account}")
        await lead_context.close()
        opened = []
        for n, account in enumerate(accounts):  # people log in one after another, then all work at once
            context, page = await _log_in(browser, hub, account, timeout)
            await page.goto(hub.url(account, instrument=INSTRUMENT, unit=f"c1-{n % 12 + 1:02d}"), timeout=timeout)
            await page.locator(".ek-status").first.wait_for()
            opened.append((context, page))
        outcomes = await asyncio.gather(*(_session(context, page, n, records, result)
                                          for n, (context, page) in enumerate(opened)), return_exceptions=True)
        result.errors += [f"session {n}: {o!r}"[:500] for n, o in enumerate(outcomes) if isinstance(o, BaseException)]
        await browser.close()


def run_team_load(project: Path, sessions: int, records: int, timeout: float = 300_000) -> tuple[LoadResult, float]:
    """Run the sessions through JupyterHub; returns the result and the hub's own memory (MB) before logins."""
    accounts = write_team(project, sessions)
    result = LoadResult(sessions, records)
    hub = Hub(project)
    base_mb = tree_mb(hub.proc.pid)
    stop, samples = threading.Event(), []

    def sample() -> None:
        while not stop.is_set():
            samples.append(tree_mb(hub.proc.pid))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        asyncio.run(_run(hub, accounts, records, result, timeout))
    finally:
        result.seconds = time.monotonic() - started
        stop.set()
        sampler.join()
        result.peak_server_mb = max(samples, default=0.0)
        hub.stop()
    return result, base_mb
