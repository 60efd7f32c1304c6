"""The hardened one-laptop server (issue 15, item 3), against the real ``evalkit serve`` on loopback.

DNS rebinding (a foreign ``Host``) is refused on HTTP and on the websocket; the query channel of the
preheated kernels cannot be reached from outside, so anonymous connections to it no longer hold up
the next page; a busy port is a clear Chinese error before anything is printed; SIGTERM leaves no
process and no bound port; and the log says only what an operator needs.
"""

from __future__ import annotations

import base64
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import uuid

import psutil
import pytest
from browser import Server, free_port

from evalkit.app.voilad import QueryChannel, host_is_loopback
from evalkit.project import init_project


def request(port: int, path: str, host: str | None = None, websocket: bool = False, timeout: float = 120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if websocket:
        headers |= {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                    "Sec-WebSocket-Key": base64.b64encode(secrets.token_bytes(16)).decode()}
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = b"" if resp.status == 101 else resp.read()
        return resp.status, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = tmp_path_factory.mktemp("hard") / "p"
    init_project(project, "province-2018")
    server = Server(project, pool_size=1)
    yield server
    server.stop()
    shutil.rmtree(project, ignore_errors=True)


def test_a_foreign_host_is_refused_on_http_and_websocket(served):
    port = served.port
    for host in ("evil.example", f"evil.example:{port}", f"192.168.1.9:{port}", f"[2001:db8::1]:{port}"):
        for path in ("/voila/render/review.ipynb", "/voila/render/form.ipynb", "/voila/tree"):
            assert request(port, path, host)[0] == 403, (host, path)
        kernel = f"/api/kernels/{uuid.uuid4()}/channels"
        assert request(port, kernel, host, websocket=True)[0] == 403, host
    assert request(port, "/voila/render/form.ipynb", f"localhost:{port}")[0] == 200
    assert request(port, f"/api/kernels/{uuid.uuid4()}/channels", websocket=True)[0] != 403  # only the Host differs


def test_the_query_channel_cannot_be_reached_and_the_next_page_is_not_held_up(served):
    port = served.port
    for _ in range(6):  # the sequence that used to drop the preheated kernels' waiters
        for path in (f"/voila/query/{uuid.uuid4()}", f"/voila/query/x/{uuid.uuid4()}"):
            status, _ = request(port, path, websocket=True)
            assert status in (403, 404), (path, status)
    status, body = request(port, "/voila/render/form.ipynb?instrument=site_visit", timeout=90)
    assert status == 200 and body.rstrip().endswith(b"</html>")


def test_a_closed_query_connection_drops_only_its_own_waiter():
    """Voila's handler deleted whichever waiter came last when an unknown connection closed."""
    waiters = QueryChannel._waiters
    page, stranger = object.__new__(QueryChannel), object.__new__(QueryChannel)
    page.kernel_id, stranger.kernel_id = "k-page", "k-other"
    waiters["k-page"] = page
    try:
        stranger.on_close()
        assert waiters.get("k-page") is page
        page.on_close()
        assert "k-page" not in waiters
    finally:
        waiters.pop("k-page", None)
    assert host_is_loopback("127.0.0.1:8866") and host_is_loopback("localhost") and host_is_loopback("[::1]:80")
    assert not host_is_loopback("evil.example:8866") and not host_is_loopback("10.0.0.1")


def test_a_busy_port_is_a_clear_error_before_anything_is_printed(served):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "evalkit.cli.main", "serve", str(served.project),
                               "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert f"端口 {port} 已被占用" in done.stderr and "--port" in done.stderr and "Traceback" not in done.stderr


def test_a_token_on_the_command_line_is_refused(served):
    done = subprocess.run([sys.executable, "-m", "evalkit.cli.main", "serve", str(served.project), "--host",
                           "0.0.0.0", "--port", str(free_port()), "--token", "s3cret"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "EVALKIT_TOKEN" in done.stderr and "--token-file" in done.stderr


def test_sigterm_leaves_no_process_and_no_bound_port_and_the_log_is_quiet(served):
    """Last in this module: it stops the module's server."""
    tree = psutil.Process(served.proc.pid).children(recursive=True)
    assert any("ipykernel_launcher" in " ".join(p.cmdline()) for p in tree)  # kernels were running
    os.kill(served.proc.pid, signal.SIGTERM)  # the server process only, as systemd or kill would
    assert served.proc.wait(timeout=90) == 0
    gone, alive = psutil.wait_procs(tree, timeout=60)
    assert not alive, [p.pid for p in alive]
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", served.port))  # the port is free again
    log = served.log.read_text(encoding="utf-8")
    for noise in ("Traceback", "ZMQError", "DeprecationWarning", "not trusted", "without encryption", "WARNING"):
        assert noise not in log, log
    assert "http://127.0.0.1" in log and "已停止" in log
