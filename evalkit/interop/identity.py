"""Project identity: which project a bundle comes from and which project receives it.

``project_id`` in the ``[evaluation]`` table of evalkit.toml (a uuid hex written by
``evalkit bundle id PROJECT --new``); a project without one is known by its ``name``.
A bundle from another project is refused unless ``--other-project`` is given (then a
warning says so).
"""

from __future__ import annotations

import os
import re
import tomllib
import uuid
from pathlib import Path

from evalkit.io import durable


def _toml(root: Path) -> dict | None:
    path = Path(root) / "evalkit.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def project_identity(root: Path) -> dict | None:
    """``{"id": project_id or None, "name": name}`` from evalkit.toml; None when it has none/is unreadable."""
    data = _toml(root)
    if data is None:
        return None
    ev = data.get("evaluation", {}) if isinstance(data.get("evaluation"), dict) else {}
    pid = ev.get("project_id")
    return {"id": pid if isinstance(pid, str) and pid.strip() else None,
            "name": str(ev.get("name") or Path(root).resolve().name)}


def same_project(a: dict, b: dict) -> bool:
    """Same ``id`` when both have one, else the same name."""
    if a.get("id") and b.get("id"):
        return a["id"] == b["id"]
    return a.get("name") == b.get("name")


def describe(identity: dict) -> str:
    return f"「{identity.get('name')}」" + (f"，编号 {identity['id']}" if identity.get("id") else "，无编号")


def new_project_id(root: Path) -> str:
    """Write ``project_id = "<uuid hex>"`` into evalkit.toml's [evaluation] (only when absent); returns the id.

    The file is rewritten with a temp file + rename; ValueError (Chinese) when it cannot be.
    """
    root = Path(root)
    path = root / "evalkit.toml"
    current = project_identity(root)
    if current is None:
        raise ValueError(f"{path} 不存在或无法读取：请先用 evalkit init 创建项目，或改正 evalkit.toml。")
    if current["id"]:
        return current["id"]
    text = path.read_text(encoding="utf-8")
    pid = uuid.uuid4().hex
    line = f'project_id = "{pid}"\n'
    match = re.search(r"(?m)^\[evaluation\][ \t]*(#.*)?\r?\n", text)
    if match:
        text = text[:match.end()] + line + text[match.end():]
    else:
        text = text + ("" if text.endswith("\n") or not text else "\n") + "[evaluation]\n" + line
    tmp = root / f".evalkit.toml.{uuid.uuid4().hex}.tmp"
    tmp.write_text(text, encoding="utf-8")
    try:
        if tomllib.loads(text).get("evaluation", {}).get("project_id") != pid:
            raise ValueError("无法在 evalkit.toml 中写入 project_id：请在 [evaluation] 中手工加入 "
                             f'project_id = "{pid}"。')
        os.replace(tmp, path)
    finally:
        durable.unlink_quietly(tmp)
    durable.fsync_dir(root)
    return pid
