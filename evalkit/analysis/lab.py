"""``evalkit lab PROJECT``: JupyterLab on a project, with the lead evaluator's analysis notebooks at hand.

The shipped analysis notebooks (``notebooks/analysis/`` of the repository) are copied into
``PROJECT/analysis/`` — only those not there yet, so the lead's own edits and outputs are never
replaced — and JupyterLab starts with the project folder as its root.  The kernels find the project
through ``EVALKIT_PROJECT`` (:func:`find_project` also looks in the notebook's folder and above it, and
says so when there is no project rather than opening an empty one).

Safety: JupyterLab runs code, so it always asks for a token (generated and printed when not given) and
binds 127.0.0.1 unless told otherwise; XSRF protection stays on.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from evalkit.config import CONFIG, repository_root
from evalkit.project import Project, open_project

PROJECT_ENV = "EVALKIT_PROJECT"
ANALYSIS_DIR = "analysis"


@dataclass(frozen=True)
class LabConfig:
    """Where and how JupyterLab is started."""

    project: Path
    host: str = "127.0.0.1"
    port: int = 8888
    token: str = ""
    browser: bool = False

    def url(self, path: str = "lab") -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}/{path}?token={self.token}"


def shipped_notebooks() -> list[Path]:
    """The analysis notebooks of the repository, in order."""
    folder = repository_root() / "notebooks" / ANALYSIS_DIR
    return sorted(folder.glob("*.ipynb")) if folder.is_dir() else []


def copy_notebooks(project: Path) -> list[Path]:
    """Copy the shipped analysis notebooks into ``PROJECT/analysis/`` (never over an existing file);
    returns the notebooks copied now."""
    target = Path(project) / ANALYSIS_DIR
    target.mkdir(exist_ok=True)
    copied = []
    for source in shipped_notebooks():
        dest = target / source.name
        if not dest.exists():
            shutil.copyfile(source, dest)
            copied.append(dest)
    return copied


def with_token(config: LabConfig) -> LabConfig:
    """A token always: JupyterLab runs code."""
    return config if config.token else replace(config, token=secrets.token_urlsafe(24))


def lab_command(config: LabConfig) -> list[str]:
    """The JupyterLab command line for ``config`` (kept separate so tests can read it)."""
    lab = shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) or "jupyter-lab"
    return [lab, f"--ServerApp.root_dir={Path(config.project).resolve()}", f"--ServerApp.ip={config.host}",
            f"--ServerApp.port={config.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={config.token}", f"--ServerApp.open_browser={config.browser}",
            "--ServerApp.disable_check_xsrf=False", f"--LabApp.default_url=/lab/tree/{ANALYSIS_DIR}",
            # offline laptops: no news feed, no update check (nothing is fetched from outside)
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            # Jupyter refuses root unless told: a laptop's admin account and CI containers run as root
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]


def environment(config: LabConfig) -> dict[str, str]:
    env = dict(os.environ)
    env[PROJECT_ENV] = str(Path(config.project).resolve())
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run(config: LabConfig) -> int:
    """Copy the notebooks, then run JupyterLab in the foreground; returns its exit code."""
    config = with_token(config)
    copied = copy_notebooks(config.project)
    print(f"evalkit 正在为项目 {config.project} 启动 JupyterLab：")
    print(f"  {config.url()}")
    print(f"  分析笔记本在 {Path(config.project) / ANALYSIS_DIR}" + (f"（新复制 {len(copied)} 个）" if copied else ""))
    print("  访问需要上面链接中的 token；按 Ctrl+C 停止。", flush=True)
    try:
        return subprocess.call(lab_command(config), env=environment(config))
    except KeyboardInterrupt:
        return 0


def find_project(hint: str | Path = "") -> Project:
    """The project a notebook analyses: ``hint`` (the notebook's PROJECT parameter), else
    ``EVALKIT_PROJECT``, else the first folder holding ``evalkit.toml`` from the working folder up.

    Raises FileNotFoundError (Chinese) when none is found — never an empty project."""
    for candidate in (hint, os.environ.get(PROJECT_ENV, "")):
        if candidate:
            root = Path(candidate).expanduser()
            if not (root / CONFIG).is_file():
                raise FileNotFoundError(f"{root} 不是 evalkit 项目（没有 {CONFIG}）：请检查第一个单元格的 PROJECT，"
                                        "或用 evalkit lab PROJECT 启动。")
            return open_project(root)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return open_project(folder)
    raise FileNotFoundError(f"找不到要分析的项目：当前文件夹 {here} 及其上级都没有 {CONFIG}。请在第一个单元格写 "
                            "PROJECT = \"项目文件夹\"，或用 evalkit lab PROJECT 启动 JupyterLab。")
