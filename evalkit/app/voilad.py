"""The Voila process behind ``evalkit serve`` (``python -m evalkit.app.voilad``), hardened.

``evalkit serve`` starts this module with its settings in ``EVALKIT_SERVE`` (JSON)
and the token, if any, in ``EVALKIT_TOKEN``: the process arguments (``ps``) carry neither, and the
token is removed from the environment before any kernel starts.  Voila is configured here, in
Python, not on a command line:

- the Host check: a loopback server answers only requests whose ``Host`` is a loopback name or
  address (``allow_remote_access`` off), so a page of another site that resolves its name to
  127.0.0.1 (DNS rebinding) gets 403 on HTTP and on the websocket;
- the query channel (``/voila/query``) through which a preheated kernel learns its page's address is
  replaced by :class:`QueryChannel`: reachable only under a per-server secret that only the kernels
  know, never from a browser (an ``Origin`` is refused), only for a kernel that exists, with 4 KiB
  frames; and a closed connection no longer drops another page's waiter (Voila's own handler deleted
  whichever waiter came last, so a few anonymous connections left the next page hanging);
- kernels talk over IPC sockets in the server's private folder, not TCP;
- cookies ``SameSite=Lax`` (TLS is JupyterHub's job: ``evalkit team``);
- a quiet log: requests are logged only when the server failed (5xx), by path, never with the query
  string; Voila's 「not trusted」 warning is filtered where it is logged;
- SIGTERM, SIGINT and SIGHUP stop the server and every kernel, then the process exits; so does the
  death of ``evalkit serve`` (killed outright), noticed within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import ipaddress
import json
import logging
import os
import re
import signal
import sys
import warnings
from urllib.parse import urlparse

import psutil
import tornado.ioloop
from jupyter_server import DEFAULT_STATIC_FILES_PATH
from jupyter_server.utils import url_path_join
from jupyterhub.singleuser.extension import JupyterHubAuthorizer, JupyterHubIdentityProvider
from tornado.web import HTTPError
from traitlets.config import Config
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler

SETTINGS_ENV = "EVALKIT_SERVE"
TOKEN_ENV = "EVALKIT_TOKEN"
QUERY_URL_ENV = "EVALKIT_QUERY_URL"  # where a preheated kernel asks for its page's address
QUERY_MAX_BYTES = 4096
SECRET_PARAM = re.compile(r"((?:token|_xsrf|auth)[^=&\s]*)=[^&\s'\")]*", re.IGNORECASE)
log = logging.getLogger("evalkit.serve")


class QueryChannel(RequestInfoSocketHandler):
    """Voila's request-info websocket for the server's own kernels only."""

    def initialize(self, secret: str, loopback: bool) -> None:
        self.secret = secret
        self.loopback = loopback

    @property
    def max_message_size(self) -> int:  # the kernel only listens
        return QUERY_MAX_BYTES

    def check_origin(self, origin: str) -> bool:  # a kernel sends no Origin; every browser does
        return False

    async def get(self, secret: str, kernel_id: str, *args, **kwargs) -> None:
        if not hmac.compare_digest(secret, self.secret) or kernel_id not in self.settings["kernel_manager"]:
            raise HTTPError(404)
        if self.loopback and not host_is_loopback(self.request.host):
            raise HTTPError(403)
        await super().get(secret, kernel_id, *args, **kwargs)

    def open(self, secret: str, kernel_id: str) -> None:  # noqa: ARG002 - checked in get()
        self.kernel_id = kernel_id
        RequestInfoSocketHandler._waiters[kernel_id] = self
        payload = RequestInfoSocketHandler._cache.pop(kernel_id, None)
        if payload is not None:
            self.write_message(payload)

    def on_message(self, message) -> None:  # noqa: ARG002 - nothing is expected from a kernel
        self.close()

    def on_close(self) -> None:
        kernel_id = getattr(self, "kernel_id", None)
        if RequestInfoSocketHandler._waiters.get(kernel_id) is self:
            del RequestInfoSocketHandler._waiters[kernel_id]


def host_is_loopback(host_header: str) -> bool:
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class QuietFilter(logging.Filter):
    """On every log handler of the process: drops what is noise to an operator (Voila's notebook trust
    warning on every page view, a client's 4xx), says a refused ``Host`` in Chinese, and takes any
    token out of what is left."""

    stopping = False  # set once the server stops: pages still rendering in killed kernels are expected then

    def filter(self, record: logging.LogRecord) -> bool:
        if QuietFilter.stopping:
            return False
        msg = str(record.msg)
        if "is not trusted" in msg:
            return False
        if msg.startswith("%d %s") and record.args and isinstance(record.args[0], int) and record.args[0] < 500:
            return False  # tornado's line for a refused request (404 GET /tree?token=…)
        if msg.startswith("Blocking request with non-local 'Host'"):
            record.msg = "已拒绝 Host 为 %s 的请求（%s）：本机服务只接受本机地址（可能是 DNS 重绑定攻击）。"
        text = record.getMessage()
        scrubbed = SECRET_PARAM.sub(r"\1=[已隐藏]", text)
        if scrubbed != text:
            record.msg, record.args = scrubbed, ()
        return True


def log_request(handler) -> None:
    """Only a server failure is worth a log line; the path never carries the query (a token)."""
    status = handler.get_status()
    if status >= 500:
        log.error("服务器错误 %d：%s %s", status, handler.request.method, handler.request.path)


class TeamIdentity(JupyterHubIdentityProvider):
    """JupyterHub's OAuth login for a user's server in team mode (``evalkit team``): a request without a
    login is sent to the hub's login page; only the server's owner gets in (an admin of the hub too
    would otherwise be let in, and act under the owner's name)."""

    async def get_user(self, handler):
        user = await super().get_user(handler)
        owner = os.environ.get("JUPYTERHUB_USER", "")
        if user is not None and user.username != owner:
            def refuse(*args, **kwargs):
                raise HTTPError(403, "这是另一位用户的页面：请打开您自己的页面。")
            handler.redirect = refuse
            handler._jupyterhub_user = None
            return None
        return user


class EvalkitVoila(Voila):
    """Voila with the query channel guarded and a clean shutdown of every kernel."""

    settings_json: dict = {}

    def init_settings(self) -> dict:
        settings = super().init_settings()
        for handler in self.log.handlers:
            handler.addFilter(QuietFilter())
        return settings

    def init_handlers(self) -> list:
        handlers = [h for h in super().init_handlers() if h[1] is not RequestInfoSocketHandler]
        s = self.settings_json
        if s.get("team"):  # the hub's OAuth callback and logout live under the user's prefix
            own = {h[0] for h in self.identity_provider.get_handlers()}
            handlers = [(url_path_join(self.base_url, h[0]), *h[1:]) if h[0] in own else h for h in handlers]
        handlers.insert(0, (r"/voila/query/([A-Za-z0-9_\-]+)/([0-9a-f\-]+)", QueryChannel,
                            {"secret": s["query_secret"], "loopback": s["loopback"]}))
        return handlers

    def listen(self) -> None:
        try:
            self.app.listen(self.port, self.ip, max_buffer_size=self.settings_json["max_bytes"] + 1024 * 1024)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                print(f"端口 {self.port} 已被占用：请先停止占用它的程序，或用 --port 换一个端口。", file=sys.stderr)
            else:
                print(f"无法在 {self.ip}:{self.port} 上启动服务：{exc.strerror}", file=sys.stderr)
            self.exit(1)
        self.ioloop = tornado.ioloop.IOLoop.current()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._handle_signal_stop)
        parent = os.getppid()
        tornado.ioloop.PeriodicCallback(lambda: os.getppid() == parent or self.ioloop.stop(), 1000).start()
        try:
            self.ioloop.start()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Every kernel is shut down (at once: drafts and records are already on disk), then any
        process left under this one is killed, then the connection folder removed.  The pages that were
        still rendering then fail in their killed kernels: that is not logged."""
        QuietFilter.stopping = True
        with contextlib.suppress(Exception):
            self.ioloop.run_sync(lambda: asyncio.wait_for(self.kernel_manager.shutdown_all(now=True), 20))
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(psutil.Process().children(recursive=True), timeout=10)
        with contextlib.suppress(OSError):
            super().stop()


def voila_config(s: dict, token: str):
    """The traitlets configuration of Voila for the settings ``s`` (see ``serve.voila_settings``)."""
    c = Config()
    c.Voila.ip = s["host"]
    c.Voila.port = s["port"]
    c.Voila.port_retries = 0
    c.Voila.open_browser = False
    if s.get("team"):
        c.Voila.auto_token = True  # (the hub's identity provider has no token of its own)
        c.Voila.base_url = s["base_url"]
        c.Voila.identity_provider_class = TeamIdentity
        c.Voila.authorizer_class = JupyterHubAuthorizer
    else:
        c.Voila.token = token
    c.Voila.log_level = "WARN"
    c.Voila.tornado_settings = {
        "websocket_max_message_size": s["max_bytes"],
        "allow_remote_access": not s["loopback"],
        "local_hostnames": ["localhost"],
        # Jupyter server's error page (a 404 on the kernel routes) needs it; nothing is served from it
        "static_path": DEFAULT_STATIC_FILES_PATH,
        "log_function": log_request,
        "xsrf_cookie_kwargs": {"samesite": "Lax"},
    }
    c.IdentityProvider.cookie_options = {"samesite": "Lax"}
    c.VoilaConfiguration.show_tracebacks = False
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.template = s["template"]
    c.HTMLExporter.language_code = "zh"
    c.VoilaConfiguration.preheat_kernel = True
    c.VoilaConfiguration.default_pool_size = s["pool_size"]
    c.VoilaKernelManager.kernel_pools_config = s["pools"]
    c.VoilaKernelManager.fill_delay = 0.5
    c.MappingKernelManager.cull_idle_timeout = s["cull_idle_seconds"]
    c.MappingKernelManager.cull_interval = 60
    c.MappingKernelManager.cull_connected = False
    c.KernelManager.transport = "ipc"
    return c


def main() -> int:
    settings = json.loads(os.environ.pop(SETTINGS_ENV))
    token = os.environ.pop(TOKEN_ENV, "")  # the kernels never see it
    if settings.get("team"):  # started by JupyterHub for one user: where to listen comes from the hub
        url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
        settings |= {"host": url.hostname, "port": url.port, "loopback": False,
                     "base_url": os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")}
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    quiet = logging.StreamHandler(sys.stderr)
    quiet.addFilter(QuietFilter())
    quiet.setLevel(logging.WARNING)
    logging.basicConfig(handlers=[quiet], format="%(message)s", level=logging.WARNING)
    ip = "127.0.0.1" if settings["host"] in ("0.0.0.0", "::", "") else settings["host"]
    host = f"[{ip}]" if ":" in ip else ip
    os.environ["VOILA_APP_IP"] = ip
    os.environ[QUERY_URL_ENV] = f"ws://{host}:{settings['port']}/voila/query/{settings['query_secret']}"
    app = EvalkitVoila(config=voila_config(settings, token))
    app.settings_json = settings
    app.initialize([settings["notebooks"]])
    app.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
