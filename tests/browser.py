"""Driving the real thing: ``evalkit serve`` as a subprocess on a free loopback port,
and Debian's Chromium through the Python ``playwright`` package.

Every request that is not to 127.0.0.1 is blocked (the Voila page links a CDN
that cannot be reached here).  Helpers wait for widgets by the CSS classes the
form puts on each field (``ek-f-<name>``), never by sleeping.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Screenshots: EVALKIT_SHOTS=DIR puts them in DIR; otherwise each test run gets its own folder under the
# system temp directory (made on the first screenshot), so concurrent runs never mix or overwrite theirs.
SHOTS = Path(os.environ.get("EVALKIT_SHOTS") or Path(tempfile.gettempdir())
             / f"evalkit-shots-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")


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


@contextlib.contextmanager
def launched_chromium():
    """Debian's Chromium through playwright, closed on the way out; the test is skipped when it is not installed
    (every browser test and fixture starts its browser here)."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Server:
    """``evalkit serve PROJECT`` in a subprocess, stopped with its process group."""

    def __init__(self, project: Path, *extra: str, pool_size: int = 1, env: dict | None = None):
        self.project = project
        self.port = free_port()
        self.log = project / "serve.log"
        cmd = [sys.executable, "-m", "evalkit.cli.main", "serve", str(project), "--port", str(self.port),
               "--pool-size", str(pool_size), *extra]
        self.proc = subprocess.Popen(cmd, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True, env={**os.environ, **(env or {})})
        wait_for_port(self.port, self.proc)
        self.wait_warm(0 if pool_size <= 0 else 5 + pool_size)  # the form's pool and one for each other page

    def wait_warm(self, kernels: int, timeout: float = 240) -> None:
        """Wait until the preheated kernels of every page are started and idle (a page opened while six
        kernels are still starting on two busy cores can take longer than a test's page timeout)."""
        import psutil

        deadline = time.time() + timeout
        while kernels and time.time() < deadline:
            procs = kernel_processes(self)
            if len(procs) >= kernels:
                try:
                    start = sum(sum(p.cpu_times()[:2]) for p in procs)
                    time.sleep(0.5)  # a sampling window, not a synchronisation
                    if sum(sum(p.cpu_times()[:2]) for p in procs) - start < 0.05:
                        return
                except psutil.Error:
                    continue
            else:
                time.sleep(0.3)

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


class Hub:
    """``evalkit team PROJECT`` (JupyterHub, its proxy and every user's server) in a subprocess on a free
    loopback port, ready once the hub answers its login page; stopped with its process group."""

    def __init__(self, project: Path, timeout: float = 240):
        import urllib.error
        import urllib.request

        self.project = project
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = project.parent / f"{project.name}-team.log"
        cmd = [sys.executable, "-m", "evalkit.cli.main", "team", str(project), "--host", "127.0.0.1",
               "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.proc, timeout=timeout)
        deadline = time.time() + timeout
        while time.time() < deadline:  # the proxy listens before the hub answers through it
            with contextlib.suppress(urllib.error.URLError, ConnectionError, OSError):
                if urllib.request.urlopen(f"{self.base}/hub/login", timeout=10).status == 200:
                    return
            time.sleep(0.5)
        raise TimeoutError(f"JupyterHub did not answer on {self.port} after {timeout}s")

    def url(self, account: str, page: str = "form.ipynb", **params: str) -> str:
        from urllib.parse import urlencode

        return f"{self.base}/user/{account}/voila/render/{page}" + (f"?{urlencode(params)}" if params else "")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
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
    # a Voila page is rendered by its kernel before the browser's load event: on two busy cores that
    # alone has taken over 30 s, so navigation waits longer than a click or a locator does
    page.set_default_navigation_timeout(90_000)
    return page


def field(scope, name: str):
    """The box of one form field (by its ek-f-<name> class) in a page or inside a locator (a repeat instance)."""
    return scope.locator(f".ek-f-{name}").first


def text_input(scope, name: str):
    """The text box (input or textarea) of a text, integer, decimal, time or date field."""
    return field(scope, name).locator("input, textarea").first


def fill(scope, name: str, value: str) -> None:
    """Type ``value`` into a field (one input event, so one update reaches the kernel), then leave it with Tab."""
    target = text_input(scope, name)
    target.fill(value)
    target.press("Tab")


def choose(scope, name: str, label: str) -> None:
    """Pick the option shown as ``label``: a tap on a radio button, a drop-down's option, or a unit
    searched by its code (the part in brackets) and tapped in the search picker."""
    box = field(scope, name)
    kind = box.evaluate("""b => b.querySelector('.ek-picker') ? 'picker' : b.querySelector('select') ? 'select'
                                : 'radio'""")
    if kind == "select":
        box.locator("select").first.select_option(label=label)
    elif kind == "radio":
        exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
        box.locator(".widget-radio-box label").filter(has_text=exact).locator("input").first.check()
    else:
        if box.locator(".ek-chosen").first.is_visible():
            box.get_by_role("button", name="更换").click()
        code = label.rsplit("（", 1)[-1].rstrip("）") if "（" in label else label
        search = box.locator(".ek-search input").first
        search.fill(code)
        option = box.locator(".widget-radio-box label").filter(has_text=label).first
        option.locator("input").check()
        box.locator(".ek-chosen", has_text=label).first.wait_for()


def chosen(scope, name: str) -> str:
    """The label of the option currently chosen (radio, drop-down or search picker)."""
    return field(scope, name).evaluate("""b => {
        const picked = b.querySelector('.ek-chosen b');
        if (picked && picked.offsetParent !== null) return picked.textContent;
        const s = b.querySelector('select');
        if (s) return s.options[s.selectedIndex]?.text ?? '';
        const r = b.querySelector('.widget-radio-box input:checked');
        return r ? r.parentElement.textContent.trim() : '';
    }""")


def check(scope, name: str, choice: str) -> None:
    """Tick one choice (by code) of a select_multiple."""
    field(scope, name).locator(f".ek-c-{choice} input").first.check()


def upload(scope, name: str, path: Path, wait: bool = True) -> None:
    """Attach a file to an image field: click its upload button and answer the file chooser.

    (ipywidgets' FileUpload keeps its ``<input type=file>`` out of the document, so the
    chooser is the only way in.)  ``wait``: until the photo's name shows beside its preview
    (the kernel has then saved it); a photo the form refuses shows a message instead.
    """
    page = scope if hasattr(scope, "expect_file_chooser") else scope.page
    with page.expect_file_chooser() as chooser:
        field(scope, name).locator("button.widget-upload, .widget-upload button, button").first.click()
    chooser.value.set_files(str(path))
    if wait:
        field(scope, name).locator(".ek-photo-name").first.wait_for()


def message(scope, name: str):
    """The message line beside a field (constraint, type and required messages)."""
    return field(scope, name).locator(".ek-msg .widget-html-content").first


def add_repeat(scope, name: str):
    """Click 「＋ 添加一条」 of a repeat and return the new instance (a locator), once it is shown."""
    instances = repeat_instances(scope, name)
    before = instances.count()
    field(scope, name).locator("button.ek-add").last.click()
    instance = instances.nth(before)
    instance.get_by_text(f"第 {before + 1} 条").first.wait_for()
    return instance


def repeat_instances(scope, name: str):
    """The entries of a repeat (each holds 「第 n 条」 with its 删除, and the fields)."""
    return field(scope, name).locator(".ek-instance")


def entry(scope, name: str, n: int = 1):
    """The n-th entry (from 1) of a repeat, added with 「＋ 添加一条」 when there are fewer (a repeat
    that needs at least one entry opens with it)."""
    instances = repeat_instances(scope, name)
    while instances.count() < n:
        add_repeat(scope, name)
    return instances.nth(n - 1)


def wait_status(page, text: str, timeout: float = 30_000) -> None:
    page.locator(".ek-status", has_text=text).first.wait_for(timeout=timeout)


def status(page) -> str:
    return page.locator(".ek-status").first.inner_text()


def submit(page, button: str = "提交", timeout: float = 30_000) -> str:
    """Click 提交 (or ``button``) and return the record number prefix from 「已提交，记录编号 xxxxxxxx」.

    When the form answers 「有 N 处需要修改」 instead, fail with the messages shown beside the fields.
    """
    # Mark the status line shown now: every new status replaces the element, so an answer
    # to this click is a status line without the mark (a refusal left from before is not).
    page.locator(".ek-status").first.evaluate("e => e.setAttribute('data-ek-before', '')")
    page.get_by_role("button", name=button, exact=True).click()
    try:
        page.locator(".ek-status.saved, .ek-status.bad:not([data-ek-before])").first.wait_for(timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - say what the form shows
        raise AssertionError(f"no answer to {button}: {status(page)}; messages: {visible_messages(page)}") from exc
    text = status(page)
    if "已提交" not in text and "已保存修改" not in text:
        raise AssertionError(f"not submitted: {text}; messages: {visible_messages(page)}")
    return text.split("记录编号")[1].strip()[:8]


def visible_messages(page) -> dict[str, str]:
    """The messages currently shown beside fields, by field name (``ek-f-<name>``)."""
    return page.evaluate("""() => {
        const out = {};
        for (const box of document.querySelectorAll('.ek-field')) {
            const name = [...box.classList].find(c => c.startsWith('ek-f-'));
            const msg = box.querySelector('.ek-msg .widget-html-content');
            if (msg && msg.textContent.trim() && box.offsetParent !== null) out[name.slice(5)] = msg.textContent.trim();
        }
        return out;
    }""")


def open_form(page, url: str, timeout: float = 60_000) -> None:
    """Open a form page and wait until it is interactive (status line shown)."""
    page.goto(url, timeout=timeout)
    page.locator(".ek-status").first.wait_for(timeout=timeout)


def kernel_id(page) -> str:
    """The id of the kernel behind a Voila page (from its jupyter-config-data)."""
    import json

    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def kernel_processes(server: Server) -> list:
    """The kernel processes (``ipykernel_launcher``) started under ``server``, as psutil processes."""
    import psutil

    found = []
    for proc in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if any("ipykernel_launcher" in part for part in proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def kill_kernel(server: Server, kernel: str) -> int:
    """SIGKILL the kernel process whose connection file is ``kernel-<kernel>.json``; returns its pid."""

    matches = [p for p in kernel_processes(server) if any(f"kernel-{kernel}.json" in part for part in p.cmdline())]
    if len(matches) != 1:
        raise RuntimeError(f"expected one process for kernel {kernel}, found {len(matches)}")
    proc = matches[0]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    return proc.pid


def close(page) -> None:
    """Leave a page as an assessor leaves it, then close its context.

    Navigating away fires Voila's ``beforeunload``, which asks the server (a beacon to
    ``voila/api/shutdown/<kernel>``) to shut the page's kernel down; closing the
    context straight away would drop that beacon and leave the kernel running until
    it is culled.
    """
    context = page.context
    if not page.is_closed():
        try:
            page.goto("about:blank", timeout=10_000)
        except Exception:  # noqa: BLE001 - a page that cannot navigate is closed anyway
            pass
    context.close()


SCROLLERS_JS = """() => [...document.querySelectorAll('body, body *')].filter(el => {
    if (['TEXTAREA', 'SELECT', 'INPUT'].includes(el.tagName)) return false;
    const cs = getComputedStyle(el);
    return ['auto', 'scroll'].includes(cs.overflowX) || ['auto', 'scroll'].includes(cs.overflowY);
})"""


def horizontal_overflow(page) -> int:
    """How many CSS pixels of content cannot be seen without scrolling sideways (0 = none).

    Checks the document (``scrollWidth`` against ``innerWidth``) and every element that
    scrolls: Voila's lab template scrolls the notebook inside ``#rendered_cells``, where
    the document's own width never shows the overflow.
    """
    return page.evaluate(f"""() => {{
        const doc = document.documentElement.scrollWidth - window.innerWidth;
        const inner = ({SCROLLERS_JS})().map(el => el.scrollWidth - el.clientWidth);
        return Math.max(doc, ...inner);
    }}""")


def tiny_png(path: Path) -> Path:
    """Write a valid 2×2 PNG (a stand-in for a photo) and return its path."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    path.write_bytes(png)
    return path


def screenshot(page, name: str, max_height: int = 12_000) -> Path:
    """A screenshot of the whole page into ``SHOTS/<name>.png``.

    Voila scrolls inside ``#rendered_cells``, so ``full_page`` alone would show one
    viewport: the viewport is made as tall as the content for the shot, then restored.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    tall = page.evaluate(f"() => Math.max(document.documentElement.scrollHeight, ...({SCROLLERS_JS})()"
                         ".map(el => el.scrollHeight + el.getBoundingClientRect().top))")
    try:
        if size and tall > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": min(int(tall) + 1, max_height)})
        page.screenshot(path=str(path), full_page=True)
    finally:
        if size:
            page.set_viewport_size(size)
    return path
