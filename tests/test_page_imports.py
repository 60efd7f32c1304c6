"""A page's kernel stays light: every page view starts a kernel (tens of them on a team's server), and what its
notebook imports is paid in seconds before the form answers and in memory for as long as the page is open.

The form and an assessor's records page import neither the rerun and its reports, nor scipy.stats, pandas,
matplotlib or the Jupyter and Voila servers; the query string is read as Voila reads it
(:mod:`evalkit.app.query`, checked here against ``voila.utils.get_query_string``)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import websockets

from evalkit.app.query import query_string

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
HEAVY = ("scipy.stats", "pandas", "matplotlib", "jupyter_server", "voila", "jsonschema", "nbconvert",
         "evalkit.pipeline", "evalkit.reports", "evalkit.analysis")


def _cells(notebook: str) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _run_page(tmp_path: Path, notebook: str, query: str) -> dict:
    """The notebook's cells run as its kernel runs them (not preheated: the query in the environment), in a fresh
    interpreter: the modules then loaded and every text the page shows."""
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    script = "\n".join([*_cells(notebook)[:-1], "page = " + _cells(notebook)[-1], """
import json, sys
def walk(x):
    yield x
    for c in getattr(x, 'children', ()):
        yield from walk(c)
texts = [x.value for x in walk(page) if isinstance(getattr(x, 'value', None), str)]
print(json.dumps({'modules': sorted(sys.modules), 'texts': texts}))"""])
    env = {**os.environ, "EVALKIT_PROJECT": str(project), "QUERY_STRING": query}
    env.pop("VOILA_PREHEAT", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("notebook", "query", "shown"), [
    ("form.ipynb", "instrument=hotline_test&unit=c1-08&assessor=张伟", "<h3>电话咨询测试</h3>"),
    ("records.ipynb", "assessor=张伟", "张伟"),
], ids=["form", "records"])
def test_an_assessor_s_page_loads_nothing_heavy(tmp_path, notebook, query, shown):
    page = _run_page(tmp_path, notebook, query)
    assert any(shown in t for t in page["texts"]), page["texts"][:10]  # the page itself, for that address
    loaded = set(page["modules"])
    assert sorted(m for m in HEAVY if m in loaded) == []


# ---- the query string, as Voila reads it -----------------------------------------------------------------------

def _voila_query(url: str | None) -> str | None:
    from voila.utils import get_query_string

    return get_query_string(url)


@pytest.mark.parametrize("read", [query_string, _voila_query], ids=["evalkit", "voila"])
def test_a_kernel_started_for_its_page_reads_the_query_from_its_environment(monkeypatch, read):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "unit=c1-08&assessor=%E5%BC%A0%E4%BC%9F")
    assert read(None) == "unit=c1-08&assessor=%E5%BC%A0%E4%BC%9F"
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    assert read("ws://127.0.0.1:1/never") == "unit=c1-08&assessor=%E5%BC%A0%E4%BC%9F"  # no wait when not preheated


class _RequestInfo:
    """A request-info websocket as Voila's server has: on a connection to ``/voila/query/<kernel id>`` it sends the
    page's request variables as one JSON text.  The paths asked for are noted."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_until_complete, args=(self._serve(),), daemon=True).start()
        assert self.ready.wait(10)

    async def _serve(self) -> None:
        async def handler(ws):
            self.paths.append(ws.request.path)
            await ws.send(json.dumps({"QUERY_STRING": "instrument=hotline_test&unit=c1-08",
                                      "SCRIPT_NAME": "/voila/render/form.ipynb"}))

        async with websockets.serve(handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self.stop = self.loop.create_future()
            self.ready.set()
            await self.stop

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set_result, None)


@pytest.mark.parametrize("read", [query_string, _voila_query], ids=["evalkit", "voila"])
@pytest.mark.parametrize("given", [True, False], ids=["url-given", "url-from-environment"])
def test_a_preheated_kernel_waits_for_its_page_s_request(monkeypatch, read, given):
    server = _RequestInfo()
    try:
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("VOILA_KERNEL_ID", "4f1c-kernel")
        monkeypatch.setenv("VOILA_APP_PORT", str(server.port))
        monkeypatch.setenv("VOILA_SERVER_URL", "/base/")
        monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
        monkeypatch.delenv("QUERY_STRING", raising=False)
        monkeypatch.delenv("SCRIPT_NAME", raising=False)
        url = f"ws://127.0.0.1:{server.port}/guarded/secret" if given else None
        assert read(url) == "instrument=hotline_test&unit=c1-08"
        assert os.environ["SCRIPT_NAME"] == "/voila/render/form.ipynb"  # every variable sent is put in the environment
        assert server.paths == ["/guarded/secret/4f1c-kernel" if given else "/base/voila/query/4f1c-kernel"]
    finally:
        server.close()
