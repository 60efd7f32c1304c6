"""Security of ``evalkit serve`` (issue 9), against the real Voila server over HTTP.

On a non-loopback address every route needs the token; XSRF protection stays on for
cookie sessions; pages carry neither notebook source nor tracebacks; the project's raw
records and attachments are not served as files at all (they reach the browser only
through an authenticated page's kernel).
"""

from __future__ import annotations

import http.client
import json
import shutil

import pytest
from browser import Server

from evalkit.project import init_project
from evalkit.store import Store

TOKEN = "test-token-5f1c2a9e7d"
STARTED = "2018-11-20T09:00:00+08:00"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
                    "6360000002000154a24f5d0000000049454e44ae426082")


def request(port: int, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = tmp_path_factory.mktemp("sec") / "p"
    init_project(project, "province-2018")
    store = Store(project)
    attachment = store.save_attachment(PNG, original_name="photo.png", media_type="image/png", max_bytes=10**6)
    store.submit(instrument_id="site_visit", instrument_version="1", instrument_sha256="0" * 64, unit="c1-01",
                 assessor="张三", answers={"note": "<script>alert(1)</script>"}, started=STARTED, ended=STARTED,
                 attachments=[attachment])
    server = Server(project, "--host", "0.0.0.0", pool_size=0, env={"EVALKIT_TOKEN": TOKEN})
    yield server, project
    server.stop()
    shutil.rmtree(project, ignore_errors=True)


def test_every_route_refuses_requests_without_the_token(served):
    server, _ = served
    for path in ("/voila/render/form.ipynb", "/voila/render/review.ipynb", "/api/kernels", "/api/sessions",
                 "/voila/render/scoring.ipynb?unit=c1-01"):
        status, headers, body = request(server.port, "GET", path)
        refused = (302, 401, 403) if path.startswith("/voila/render") else (302, 401, 403, 404)
        assert status in refused, (path, status)
        assert "location" not in {k.lower() for k in headers} or "token" not in headers.get("Location", "")
        assert b"ek-" not in body and b"evalkit" not in body.lower()  # nothing of the app leaks
    status, _, _ = request(server.port, "GET", "/voila/render/form.ipynb?token=wrong")
    assert status in (302, 401, 403)


def test_with_the_token_the_form_page_is_served_without_source_or_traceback(served):
    server, _ = served
    status, headers, body = request(server.port, "GET", f"/voila/render/form.ipynb?token={TOKEN}")
    assert status == 200
    html = body.decode("utf-8")
    assert "from evalkit" not in html and "import " not in html  # strip_sources: no notebook code
    assert "Traceback" not in html and "site-packages" not in html


@pytest.mark.browser
def test_a_broken_project_shows_a_message_not_a_traceback(served):
    """What the kernel prints reaches the browser over the websocket, so look in a real browser."""
    from browser import launched_chromium, new_page

    server, project = served
    framework = project / "instruments" / "site_visit.xlsx"
    saved = framework.read_bytes()
    framework.write_bytes(b"not a workbook")
    try:
        with launched_chromium() as chromium:
            page = new_page(chromium)
            page.goto(f"http://127.0.0.1:{server.port}/voila/render/form.ipynb?token={TOKEN}&instrument=site_visit",
                      timeout=120_000)
            page.get_by_text("site_visit.xlsx").first.wait_for(timeout=120_000)
            text = page.inner_text("body")
    finally:
        framework.write_bytes(saved)
    assert "site_visit.xlsx" in text  # the problem is named …
    assert "Traceback" not in text and 'File "' not in text and "site-packages" not in text  # … not dumped


def test_xsrf_protection_stays_on_for_cookie_sessions(served):
    """Voila's one state-changing route (shut a kernel down) refuses a cookie without _xsrf."""
    server, _ = served
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("GET", f"/voila/render/form.ipynb?token={TOKEN}")
    resp = conn.getresponse()
    resp.read()
    cookies = "; ".join(v.split(";")[0] for k, v in resp.getheaders() if k.lower() == "set-cookie")
    conn.close()
    assert resp.status == 200 and "username-" in cookies  # the token login set a session cookie …
    kernel = "/voila/api/shutdown/00000000-0000-0000-0000-000000000000"
    status, _, body = request(server.port, "POST", kernel, headers={"Cookie": cookies}, body=b"")
    assert status == 403 and b"_xsrf" in body  # … which alone cannot change anything
    status, _, _ = request(server.port, "POST", kernel, body=b"")
    assert status == 403  # nor can a request with neither
    status, _, _ = request(server.port, "POST", kernel, headers={"Authorization": f"token {TOKEN}"}, body=b"")
    assert status != 403  # the token itself is accepted (the kernel id is unknown, so nothing happens)


def test_raw_records_and_attachments_are_not_served_as_files(served):
    server, project = served
    stored = next((project / "raw" / "attachments").iterdir())
    record = next(p for p in (project / "raw").rglob("*.json"))
    rel_attachment = stored.relative_to(project)
    for path in (f"/voila/files/{rel_attachment}", f"/files/{rel_attachment}",
                 f"/voila/files/../../{project.name}/{rel_attachment}",
                 f"/voila/files/..%2F..%2F{project.name}%2F{rel_attachment}",
                 f"/voila/files/{record.relative_to(project)}", f"/voila/static/../../{rel_attachment}"):
        for suffix in ("", f"?token={TOKEN}"):
            status, _, body = request(server.port, "GET", path + suffix)
            assert status != 200 or (PNG not in body and b"alert(1)" not in body), (path, status)


def test_the_token_is_in_no_log_line_no_process_argument_and_no_kernel(served):
    """404s and 403s with the token in the address used to be logged with it (``404 GET /tree?token=…``)."""
    import psutil

    server, _ = served
    for path in ("/tree", "/voila/render/nothing.ipynb", "/api/kernels", "/voila/render/form.ipynb"):
        request(server.port, "GET", f"{path}?token={TOKEN}")
        request(server.port, "GET", f"{path}?token={TOKEN}x")
    tree = [psutil.Process(server.proc.pid), *psutil.Process(server.proc.pid).children(recursive=True)]
    assert len(tree) >= 3  # evalkit serve, Voila and the form's kernel
    for proc in tree:
        assert TOKEN not in " ".join(proc.cmdline()), proc.cmdline()
    for proc in tree[2:]:  # the kernels are not given it (a page's own address reaches its kernel, as any query)
        assert "EVALKIT_TOKEN" not in proc.environ()
    log = server.log.read_text(encoding="utf-8")
    assert TOKEN not in log and "token=" not in log


def test_cookies_are_samesite_lax(served):
    server, _ = served
    for path in (f"/voila/render/form.ipynb?token={TOKEN}", "/login"):
        _, headers, _ = request(server.port, "GET", path)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        cookies = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
        conn.close()
        assert cookies, path
        for cookie in cookies:
            assert "samesite=lax" in cookie.lower(), cookie


def test_loopback_serving_needs_no_token_but_binds_only_loopback(tmp_path):
    from evalkit.app.serve import ServeConfig, environment, voila_settings, with_token

    config = with_token(ServeConfig(project=tmp_path))
    assert voila_settings(config)["host"] == "127.0.0.1" and config.token == ""
    remote = with_token(ServeConfig(project=tmp_path, host="0.0.0.0"))
    assert remote.token and environment(remote)["EVALKIT_TOKEN"] == remote.token
    assert json.dumps(voila_settings(remote)).count("disable_check_xsrf") == 0
