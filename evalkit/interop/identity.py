"""Project identity: which project a bundle comes from and which project receives it.

``project_id`` in the ``[evaluation]`` table of evalkit.toml (a uuid hex written by
``evalkit bundle id PROJECT --new``); a project without one is known by its ``name``.
A bundle from another project is refused unless ``--other-project`` is given (then a
warning says so).

evalkit.toml is read through the typed configuration (:func:`evalkit.config.load_config`) and
written through :func:`evalkit.config.update_config` (tomlkit: every other line and comment kept).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from evalkit.config import CONFIG, CONFIG_BAD, ProjectConfig, load_config, update_config


def identity_of(config: ProjectConfig) -> dict:
    """``{"id": project_id or None, "name": name}`` of a project's settings (the folder's name when unnamed)."""
    return {"id": config.evaluation.project_id, "name": config.evaluation.name or config.root.resolve().name}


def readable_config(root: Path) -> ProjectConfig | None:
    """The settings of the project at ``root``; None when it has no evalkit.toml or the file is not TOML.

    Reads the file each time: a bundle import may be creating or replacing it.
    """
    root = Path(root)
    if not (root / CONFIG).is_file():
        return None
    config, problems = load_config(root)
    if any(p.code == CONFIG_BAD for p in problems):
        return None
    return config


def project_identity(root: Path) -> dict | None:
    """:func:`identity_of` the project at ``root``; None when it has no evalkit.toml or the file is unreadable."""
    config = readable_config(root)
    return identity_of(config) if config is not None else None


def same_project(a: dict, b: dict) -> bool:
    """Same ``id`` when both have one, else the same name."""
    if a.get("id") and b.get("id"):
        return a["id"] == b["id"]
    return a.get("name") == b.get("name")


def describe(identity: dict) -> str:
    return f"「{identity.get('name')}」" + (f"，编号 {identity['id']}" if identity.get("id") else "，无编号")


def new_project_id(root: Path) -> str:
    """Write ``project_id = "<uuid hex>"`` first in evalkit.toml's [evaluation] (only when absent); returns the id.

    Written with :func:`evalkit.config.update_config` (atomically, comments kept); ValueError
    (Chinese) when the file cannot be read or written.
    """
    root = Path(root)
    current = project_identity(root)
    if current is None:
        raise ValueError(f"{root / CONFIG} 不存在或无法读取：请先用 evalkit init 创建项目，或改正 evalkit.toml。")
    if current["id"]:
        return current["id"]
    pid = uuid.uuid4().hex
    update_config(root, "evaluation", "project_id", pid, first=True)
    return pid
