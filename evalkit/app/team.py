"""``evalkit team PROJECT``: the same pages for a team, on JupyterHub, with logins and roles.

JupyterHub (from PyPI) is the multi-user server and ``configurable-http-proxy`` (from the npm registry,
installed by ``make team-deps``) its proxy; accounts come from NativeAuthenticator: people sign up at
``/hub/signup`` and a lead evaluator (a 组长 of ``assessors.xlsx``, an admin of the hub) approves them
at ``/hub/authorize``.  Every user's server is :mod:`evalkit.app.voilad` in team mode: JupyterHub's
OAuth login (only the server's owner gets in), the Voila pages without preheated kernels by default,
and ``JUPYTERHUB_USER`` in the kernels' environment, from which :func:`evalkit.app.pages.gate` takes
who the user is and what their role lets them open — never from the page.  A kernel accepts only the
widgets' messages (Voila), so nobody can run code of their own in it.  A lead evaluator also has the
named server ``lab``: JupyterLab on the project (:func:`pre_spawn_hook`; refused to every other role).

The hub's configuration is written to ``PROJECT/team/jupyterhub_config.py`` at every start (from
``assessors.xlsx``: edit that, not the file); its state (accounts with bcrypt password hashes, the
cookie secret) stays in ``PROJECT/team/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tornado import web

from evalkit.app.people import LEAD
from evalkit.app.serve import (
    PROJECT_ENV,
    SETTINGS_ENV,
    SHARE,
    WEBSOCKET_MAX_BYTES,
    ServeConfig,
    free_port,
    port_problem,
    supervise,
    voila_command,
    voila_settings,
)
from evalkit.config import repository_root
from evalkit.project import Project, open_project

TEAM_DIR = "team"
PROXY = "configurable-http-proxy"
LAB = "lab"  # the lead evaluator's named server: JupyterLab on the project (/user/<账号>/lab/)


@dataclass(frozen=True)
class TeamConfig:
    project: Path
    host: str = "0.0.0.0"
    port: int = 8000
    pool_size: int = 0  # preheated form kernels per user (each costs a kernel's memory per logged-in user)
    certfile: str = ""
    keyfile: str = ""

    @property
    def folder(self) -> Path:
        return self.project.resolve() / TEAM_DIR


def proxy_command() -> str | None:
    """configurable-http-proxy: on the PATH, or where ``make team-deps`` puts it (``.venv/node``)."""
    local = repository_root() / ".venv" / "node" / "node_modules" / ".bin" / PROXY
    return shutil.which(PROXY) or (str(local) if local.exists() else None)


def leads(project: Project) -> list[str]:
    return sorted(a.account for a in (project.assessors or ()) if a.account and a.role == LEAD)


def user_settings(config: TeamConfig) -> dict:
    """What each user's server (:mod:`evalkit.app.voilad`) is told; where it listens comes from the hub."""
    serve = ServeConfig(project=config.project, pool_size=config.pool_size)
    settings = voila_settings(serve)
    pools = {nb: {"pool_size": n if nb == "form.ipynb" else 0} for nb, n in serve.pool_sizes().items()}
    return {**settings, "team": True, "pools": {"default": {"pool_size": 0}, **pools}, "max_bytes": WEBSOCKET_MAX_BYTES}


def hub_config(config: TeamConfig, project: Project, hub_port: int, api_port: int, proxy: str) -> str:
    """The source of ``jupyterhub_config.py`` for the project."""
    folder = config.folder
    env = {PROJECT_ENV: str(config.project.resolve()), "JUPYTER_PATH": str(SHARE), "EVALKIT_TEAM": "1",
           SETTINGS_ENV: json.dumps(user_settings(config), ensure_ascii=False), "PYTHONUNBUFFERED": "1"}
    lines = [
        "# Written by `evalkit team` at every start, from the project's assessors.xlsx (账号, 角色):",
        "# edit that workbook, not this file.  See the README, section 团队服务器.",
        "c = get_config()  # noqa: F821",
        f"c.JupyterHub.ip = {config.host!r}",
        f"c.JupyterHub.port = {config.port!r}",
        "c.JupyterHub.hub_ip = '127.0.0.1'",
        f"c.JupyterHub.hub_port = {hub_port!r}",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{api_port}'",
        f"c.ConfigurableHTTPProxy.command = [{proxy!r}]",
        f"c.JupyterHub.db_url = {'sqlite:///' + str(folder / 'jupyterhub.sqlite')!r}",
        f"c.JupyterHub.cookie_secret_file = {str(folder / 'jupyterhub_cookie_secret')!r}",
        "c.JupyterHub.log_level = 'WARN'",
        "c.ConfigurableHTTPProxy.log_level = 'warn'",
        "c.JupyterHub.cleanup_servers = True",
        "c.JupyterHub.authenticator_class = 'nativeauthenticator.NativeAuthenticator'",
        "c.NativeAuthenticator.open_signup = False  # a lead evaluator approves every sign-up",
        "c.NativeAuthenticator.minimum_password_length = 8",
        "c.NativeAuthenticator.check_common_password = True",
        "c.NativeAuthenticator.allowed_failed_logins = 5",
        "c.NativeAuthenticator.seconds_before_next_try = 600",
        "c.Authenticator.allow_all = True  # who may log in: approved accounts; what they may open: their role",
        f"c.Authenticator.admin_users = {set(leads(project)) or set()!r}",
        "c.JupyterHub.spawner_class = 'jupyterhub.spawner.SimpleLocalProcessSpawner'",
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / 'home' / '{username}')!r}",
        f"c.Spawner.cmd = {voila_command()!r}",
        "c.Spawner.args = []",
        f"c.Spawner.environment = {env!r}",
        "c.Spawner.default_url = '/voila/render/form.ipynb'",
        "from evalkit.app.team import pre_spawn_hook  # noqa: E402",
        "c.Spawner.pre_spawn_hook = pre_spawn_hook  # the lead's JupyterLab (server 'lab'); the pages for all",
        "c.JupyterHub.allow_named_servers = True",
        "c.JupyterHub.named_server_limit_per_user = 1",
        "c.Spawner.http_timeout = 180",
        "c.Spawner.start_timeout = 180",
    ]
    if config.certfile:
        lines += [f"c.JupyterHub.ssl_cert = {config.certfile!r}", f"c.JupyterHub.ssl_key = {config.keyfile!r}"]
    return "\n".join(lines) + "\n"


def pre_spawn_hook(spawner) -> None:
    """The named server ``lab`` is JupyterLab on the project folder with the analysis notebooks (copied
    into ``analysis/`` as ``evalkit lab`` does), for a lead evaluator only; every other server is the pages."""
    if spawner.name != LAB:
        return
    root = Path(spawner.environment[PROJECT_ENV])
    if spawner.user.name not in leads(open_project(root)):
        raise web.HTTPError(403, "JupyterLab 只供组长使用：评估员请使用表单页面。")
    from evalkit.analysis import copy_notebooks  # noqa: PLC0415 - the analysis package takes a second to import

    copy_notebooks(root)
    singleuser = shutil.which("jupyterhub-singleuser", path=str(Path(sys.executable).parent)) or "jupyterhub-singleuser"
    spawner.cmd = [singleuser]
    spawner.args = [f"--ServerApp.root_dir={root}"] + (["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [])
    spawner.default_url = "/lab"
    spawner.environment = {k: v for k, v in spawner.environment.items() if k not in ("EVALKIT_TEAM", SETTINGS_ENV)}


def write_hub_config(config: TeamConfig, project: Project, proxy: str) -> Path:
    folder = config.folder
    (folder / "home").mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # accounts and the cookie secret
    path = folder / "jupyterhub_config.py"
    path.write_text(hub_config(config, project, free_port(), free_port(), proxy), encoding="utf-8")
    return path


def run(config: TeamConfig, project: Project) -> int:
    """Write the hub's configuration and run JupyterHub in the foreground (Ctrl+C stops it and every
    user's server)."""
    problem = port_problem(config.host, config.port)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    proxy = proxy_command()
    if proxy is None:
        print(f"找不到 {PROXY}（JupyterHub 的代理，来自 npm）：请在 evalkit 的文件夹中运行 make team-deps，"
              f"或运行 npm install -g {PROXY}。", file=sys.stderr)
        return 1
    path = write_hub_config(config, project, proxy)
    scheme = "https" if config.certfile else "http"
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    base = f"{scheme}://{host}:{config.port}"
    names = leads(project)
    print(f"evalkit 正在为项目 {config.project} 启动团队服务器（JupyterHub）：")
    print(f"  登录          {base}/hub/login")
    print(f"  注册账号      {base}/hub/signup")
    print(f"  批准注册（组长）{base}/hub/authorize")
    print(f"  组长账号      {'、'.join(names) if names else '（评估员名单中没有角色为组长的账号：请先填写「账号」和「角色」）'}")
    if config.host in ("0.0.0.0", "::", "") and not config.certfile:
        print("  注意：密码以明文经网络传输；在办公网之外请用 --certfile/--keyfile 或 HTTPS 反向代理。")
    print("按 Ctrl+C 停止。", flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return supervise([sys.executable, "-m", "jupyterhub", "-f", str(path)], env,
                     "evalkit 团队服务器已停止。", cwd=config.folder)
