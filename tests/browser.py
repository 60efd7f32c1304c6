"""Driving the real thing: ``evalkit serve`` as a subprocess on a free loopback port,
and Debian's Chromium through the Python ``playwright`` package.

Every request that is not to 127.0.0.1 is blocked (the Voila page links a CDN
that cannot be reached here).  Helpers wait for widgets by the CSS classes the
form puts on each field (``ek-f-<name>``), never by sleeping.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("EVALKIT_SHOTS", "/tmp/evalkit-shots"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"evalkit serve exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


class Server:
    """``evalkit serve PROJECT`` in a subprocess, stopped with its process group."""

    def __init__(self, project: Path, *extra: str, pool_size: int = 1):
        self.project = project
        self.port = free_port()
        self.log = project / "serve.log"
        cmd = [sys.executable, "-m", "evalkit.cli", "serve", str(project), "--port", str(self.port),
               "--pool-size", str(pool_size), *extra]
        self.proc = subprocess.Popen(cmd, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for_port(self.port, self.proc)

    def url(self, page: str = "form.ipynb", **params: str) -> str:
        from urllib.parse import urlencode

        query = urlencode(params)
        return f"http://127.0.0.1:{self.port}/voila/render/{page}" + (f"?{query}" if query else "")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def only_loopback(route) -> None:
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def new_page(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.route("**/*", only_loopback)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def field(page, name: str):
    """The box of one form field (by its ek-f-<name> class)."""
    return page.locator(f".ek-f-{name}").first


def fill(page, name: str, value: str) -> None:
    box = field(page, name)
    target = box.locator("input, textarea").first
    target.fill(value)
    target.press("Tab")


def choose(page, name: str, label: str) -> None:
    """Pick the option shown as ``label`` in a select_one (ipywidgets renders labels as option values)."""
    field(page, name).locator("select").first.select_option(label=label)


def check(page, name: str, choice: str) -> None:
    """Tick one choice (by code) of a select_multiple."""
    field(page, name).locator(f".ek-c-{choice} input").first.check()


def wait_status(page, text: str, timeout: float = 30_000) -> None:
    page.locator(".ek-status", has_text=text).first.wait_for(timeout=timeout)


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
