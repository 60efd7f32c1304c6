"""``evalkit serve``: Voila over ``notebooks/`` for one project.

Safety defaults: binds 127.0.0.1; on any other address a token is required
(generated when not given) and the printed URL carries it; tracebacks and
notebook sources never reach the browser (``show_tracebacks=False``,
``strip_sources=True``); XSRF protection stays on (Jupyter server's default).

The pages use evalkit's own Voila template (``evalkit/app/share/voila/templates/evalkit``, found
through ``JUPYTER_PATH``): Chinese, ``lang="zh-CN"``, nothing fetched from outside the server, and
the page script that sets the XSRF cookie Voila's shutdown beacon needs, so the kernel of a closed
page is shut down at once; kernels that lost their page anyway (a crashed tab) are culled after
``cull_idle_seconds`` without a connection, while pages still open are never culled.

Every page has a pool of preheated kernels (``pool_sizes``: the form ``pool_size``, the others
one each), so a page is interactive in well under a second on a warm server: the notebooks do
their imports, read the project and prepare what they can (the scoring page scores) first, and
then wait for the page's query string with ``voila.utils.get_query_string()``.  The project folder
reaches the kernels through ``EVALKIT_PROJECT``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from evalkit.app.sitemap import pages_of
from evalkit.config import repository_root
from evalkit.project import open_project

PROJECT_ENV = "EVALKIT_PROJECT"
TEMPLATE = "evalkit"
SHARE = Path(__file__).resolve().parent / "share"  # share/voila/templates/evalkit
WEBSOCKET_MAX_BYTES = 32 * 1024 * 1024
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


def voila_command(config: ServeConfig) -> list[str]:
    """The Voila command line for ``config`` (kept separate so tests can read it)."""
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    # only the pages: notebooks/analysis/ (the lead's notebooks) are not preheated
    pools = {"default": {"pool_size": 0}, **{nb: {"pool_size": n} for nb, n in config.pool_sizes().items()}}
    return [
        voila, str(notebooks_dir()), "--no-browser",
        f"--Voila.ip={config.host}", f"--Voila.port={config.port}", "--Voila.port_retries=0",
        f"--Voila.token={config.token}",
        "--VoilaConfiguration.show_tracebacks=False", "--VoilaConfiguration.strip_sources=True",
        f"--VoilaConfiguration.template={TEMPLATE}", "--HTMLExporter.language_code=zh",
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={config.pool_size}",
        f"--VoilaKernelManager.kernel_pools_config={pools!r}",
        "--VoilaKernelManager.fill_delay=0.5",
        f"--MappingKernelManager.cull_idle_timeout={config.cull_idle_seconds}",
        "--MappingKernelManager.cull_interval=60", "--MappingKernelManager.cull_connected=False",
        # a photo up to the instruments' largest limit (+ the message around it) must reach the kernel so
        # that it can answer 「照片超过 N MB」; anything bigger is cut off by the server before it is read
        # into memory (tornado closes that websocket message; the page reconnects and keeps its draft)
        f"--Voila.tornado_settings={{'websocket_max_message_size': {WEBSOCKET_MAX_BYTES}}}",
        "--Voila.log_level=WARN",
    ]


def environment(config: ServeConfig) -> dict[str, str]:
    env = dict(os.environ)
    env[PROJECT_ENV] = str(config.project.resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    env["EVALKIT_TOKEN"] = config.token  # pages put it into the links they make
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run(config: ServeConfig) -> int:
    """Start Voila in the foreground; returns its exit code."""

    config = with_token(config)
    print(f"evalkit 正在为项目 {config.project} 启动表单服务：")
    for notebook, name in pages_of(open_project(config.project)):  # only the pages this project has
        print(f"  {name}{'　' * (6 - len(name))}{config.url(notebook)}")
    if not config.loopback:
        print("  注意：服务监听在非本机地址，访问需要上面链接中的 token。")
    print("按 Ctrl+C 停止。", flush=True)
    try:
        return subprocess.call(voila_command(config), env=environment(config))
    except KeyboardInterrupt:
        return 0
