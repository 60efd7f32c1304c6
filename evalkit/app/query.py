"""The page's query string in a Voila kernel, as ``voila.utils.get_query_string()`` reads it — without importing
Voila in the kernel.

``voila.utils`` is a module of the ``voila`` package, whose ``__init__`` loads Voila's server extension and with
it JupyterLab's and Jupyter's servers (``jupyter_server.serverapp`` → ``jupyter_events`` → ``jsonschema``, which
compiles a URI grammar on import): about 1.3 s and tens of MB in every page's kernel, of which the kernel uses
two functions.  They are small; this is the same logic (Voila 0.5, ``voila/utils.py``: ``get_query_string``,
``wait_for_request``, ``_get_request_info``), checked against Voila's own in ``tests/test_page_imports.py``:

* a kernel started for its page (not preheated: ``VOILA_PREHEAT`` unset or ``False``) has the page's
  ``QUERY_STRING`` in its environment;
* a preheated kernel waits on the server's request-info websocket (``<url>/<kernel id>``; ``url`` defaults to
  ``ws://<VOILA_APP_IP>:<VOILA_APP_PORT><VOILA_WS_BASE_URL or VOILA_SERVER_URL>voila/query``) for a JSON object
  of the request's variables, puts them in its environment and reads ``QUERY_STRING`` from there.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import warnings


def query_string(url: str | None = None) -> str | None:
    """The page's query string (``voila.utils.get_query_string(url)``), waiting for it in a preheated kernel."""
    _wait_for_request(url)
    return os.getenv("QUERY_STRING")


def _wait_for_request(url: str | None) -> None:
    if os.getenv("VOILA_PREHEAT", "False") == "False":
        return
    if url is None:
        protocol = os.getenv("VOILA_WS_PROTOCOL", "ws")
        server_ip = os.getenv("VOILA_APP_IP", "127.0.0.1")
        server_port = os.getenv("VOILA_APP_PORT", "8866")
        server_url = os.getenv("VOILA_SERVER_URL", "/")
        ws_base_url = os.getenv("VOILA_WS_BASE_URL", server_url)
        url = f"{protocol}://{server_ip}:{server_port}{ws_base_url}voila/query"
    ws_url = f"{url}/{os.getenv('VOILA_KERNEL_ID')}"
    got: list[str | None] = [None]

    def inner() -> None:  # in a thread: the kernel's own event loop is running
        loop = asyncio.new_event_loop()
        try:
            got[0] = loop.run_until_complete(_request_info(ws_url))
        finally:
            loop.close()

    thread = threading.Thread(target=inner)
    thread.start()
    thread.join()
    if got[0] is not None:
        for key, value in json.loads(got[0]).items():
            os.environ[key] = value


async def _request_info(ws_url: str) -> str | None:
    import websockets  # noqa: PLC0415 - only a preheated kernel needs it

    try:
        async with websockets.connect(ws_url, open_timeout=5) as websocket:
            return await websocket.recv()
    except (TimeoutError, ConnectionRefusedError):
        warnings.warn(f"Failed to connect to {ws_url}", stacklevel=2)
        return None
