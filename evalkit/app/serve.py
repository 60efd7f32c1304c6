"""``evalkit serve``: Voila over ``notebooks/`` for one project.

Safety defaults: binds 127.0.0.1 and then answers only a loopback ``Host`` (DNS rebinding); on any
other address a token is required (generated and printed once when not given; a fixed one comes from
``EVALKIT_TOKEN`` or ``--token-file``, never from a command line, and is never printed or logged);
tracebacks and notebook sources never reach the browser (``show_tracebacks=False``,
``strip_sources=True``); XSRF protection stays on (Jupyter server's default).  Voila runs in a child
process, :mod:`evalkit.app.voilad`, which holds the rest of the hardening; this process checks the
port before printing anything, and SIGTERM, SIGINT or SIGHUP stop the child and every kernel.

The pages use evalkit's own Voila template (``evalkit/app/share/voila/templates/evalkit``, found
through ``JUPYTER_PATH``): Chinese, ``lang="zh-CN"``, nothing fetched from outside the server, and
the page script that sets the XSRF cookie Voila's shutdown beacon needs, so the kernel of a closed
page is shut down at once; kernels that lost their page anyway (a crashed tab) are culled after
``cull_idle_seconds`` without a connection, while pages still open are never culled.

Every page has a pool of preheated kernels (``pool_sizes``: the form ``pool_size``, the others
one each), so a page is interactive in well under a second on a warm server: the notebooks do
their imports, read the project and prepare what they can (the scoring page scores) first, and
then wait for the page's query string (:mod:`evalkit.app.query`, as ``voila.utils.get_query_string()``).  The project folder
reaches the kernels through ``EVALKIT_PROJECT``.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from evalkit.app.sitemap import pages_of
from evalkit.config import repository_root
from evalkit.project import open_project

PROJECT_ENV = "EVALKIT_PROJECT"
TEMPLATE = "evalkit"
SHARE = Path(__file__).resolve().parent / "share"  # share/voila/templates/evalkit
WEBSOCKET_MAX_BYTES = 32 * 1024 * 1024
SETTINGS_ENV = "EVALKIT_SERVE"  # read by evalkit.app.voilad
TOKEN_ENV = "EVALKIT_TOKEN"
STOP_SECONDS = 40  # after SIGTERM, the Voila process has this long to stop every kernel before it is killed
NOTEBOOKS = ("form.ipynb", "records.ipynb", "review.ipynb", "sampling.ipynb", "scoring.ipynb", "ledger.ipynb")


@dataclass(frozen=True)
class ServeConfig:
    project: Path
    host: str = "127.0.0.1"
    port: int = 8866
    token: str = ""
    pool_size: int = 1
    # a closed page's kernel is shut down by the page's beacon; this only reclaims kernels whose page
    # vanished without one (a crashed tab, a phone that dropped off the network) and were idle since
    cull_idle_seconds: int = 600

    def pool_sizes(self) -> dict[str, int]:
        """Preheated kernels per page: the assessor forms the most used, one for every other page."""
        return {nb: (max(self.pool_size, 0) if nb == "form.ipynb" else min(max(self.pool_size, 0), 1))
                for nb in NOTEBOOKS}

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def url(self, notebook: str = "form.ipynb", query: str = "") -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        params = [p for p in (query, f"token={self.token}" if self.token else "") if p]
        suffix = "?" + "&".join(params) if params else ""
        return f"http://{host}:{self.port}/voila/render/{notebook}{suffix}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def notebooks_dir() -> Path:
    return repository_root() / "notebooks"


def with_token(config: ServeConfig) -> ServeConfig:
    """A non-loopback address always gets a token."""
    if config.loopback or config.token:
        return config
    return ServeConfig(**{**config.__dict__, "token": secrets.token_urlsafe(24)})


def voila_settings(config: ServeConfig, query_secret: str = "") -> dict:
    """What the Voila process (:mod:`evalkit.app.voilad`) is told, through its environment (kept
    separate so tests can read it).  Only the pages: notebooks/analysis/ are not preheated."""
    pools = {"default": {"pool_size": 0}, **{nb: {"pool_size": n} for nb, n in config.pool_sizes().items()}}
    return {
        "notebooks": str(notebooks_dir()), "host": config.host, "port": config.port, "loopback": config.loopback,
        "template": TEMPLATE, "pool_size": config.pool_size, "pools": pools,
        "cull_idle_seconds": config.cull_idle_seconds,
        # a photo up to the instruments' largest limit (+ the message around it) must reach the kernel so
        # that it can answer 「照片超过 N MB」; anything bigger is cut off by the server before it is read
        # into memory (tornado closes that websocket message; the page reconnects and keeps its draft)
        "max_bytes": WEBSOCKET_MAX_BYTES,
        "query_secret": query_secret or secrets.token_urlsafe(24),
    }


def voila_command() -> list[str]:
    """The Voila process's command line: nothing on it but the module (no token, no settings)."""
    return [sys.executable, "-m", "evalkit.app.voilad"]


def environment(config: ServeConfig) -> dict[str, str]:
    env = dict(os.environ)
    env[PROJECT_ENV] = str(config.project.resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    env[SETTINGS_ENV] = json.dumps(voila_settings(config))
    env[TOKEN_ENV] = config.token  # read and removed by the Voila process: no kernel sees it
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def port_problem(host: str, port: int) -> str:
    """Why ``host:port`` cannot be served ('' when it can), found before anything is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is no obstacle
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"端口 {port} 已被占用（也许另一个 evalkit serve 或 evalkit team 正在运行）：请先停止它，"
                        f"或用 --port 换一个端口，如 --port {port + 1}。")
            if exc.errno == errno.EACCES:
                return f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）：请用 --port 换一个端口，如 --port 8866。"
            return f"无法在地址 {host} 的端口 {port} 上启动服务：{exc.strerror}。请检查 --host 是否为本机地址。"
    return ""


def run(config: ServeConfig) -> int:
    """Start the Voila process and wait for it; SIGTERM, SIGINT (Ctrl+C) and SIGHUP stop it and every
    kernel before this returns.  A busy port is said before anything else is printed."""
    problem = port_problem(config.host, config.port)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    generated = not config.token and not config.loopback
    config = with_token(config)
    shown = config if generated else ServeConfig(**{**config.__dict__, "token": ""})
    print(f"evalkit 正在为项目 {config.project} 启动表单服务：")
    for notebook, name in pages_of(open_project(config.project)):  # only the pages this project has
        print(f"  {name}{'　' * (6 - len(name))}{shown.url(notebook)}")
    if generated:
        print("  注意：服务监听在非本机地址，访问需要上面链接中的 token（每次启动重新生成，"
              "固定的令牌请用环境变量 EVALKIT_TOKEN 或 --token-file 给出）。")
    elif config.token:
        print("  注意：服务监听在非本机地址，首次访问时在链接后加上 token 参数（你给出的令牌），此后浏览器凭登录 cookie 访问。")
    print("按 Ctrl+C 停止。", flush=True)
    return supervise(voila_command(), environment(config), "evalkit 表单服务已停止。")


def supervise(command: list[str], env: dict[str, str], stopped: str, cwd: Path | None = None) -> int:
    """Run ``command`` as a child and wait; SIGTERM, SIGINT (Ctrl+C) and SIGHUP are passed on to it as
    SIGTERM, and a child that has not stopped ``STOP_SECONDS`` later is killed."""
    child = subprocess.Popen(command, env=env, cwd=cwd)
    stopping = []

    def stop(signum, frame) -> None:  # noqa: ARG001
        if not stopping:
            stopping.extend((signum, time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        while True:
            try:
                code = child.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                if stopping and time.monotonic() - stopping[1] > STOP_SECONDS:
                    child.kill()  # its kernels follow it (they watch their parent)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        print(stopped, flush=True)
        return 0
    return code
