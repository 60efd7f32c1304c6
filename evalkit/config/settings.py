"""The project's settings: ``evalkit.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from evalkit.problems import ERROR, Problem, problem, register

CONFIG = "evalkit.toml"

CONFIG_BAD = register("config-invalid", ERROR, "项目配置 {file} 无法读取：{detail}。请按 TOML 格式改正。")


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    name: str
    framework: str = "framework.xlsx"
    units: str = "units.xlsx"
    as_of: str = ""

    @property
    def framework_path(self) -> Path:
        return self.root / self.framework

    @property
    def units_path(self) -> Path:
        return self.root / self.units


def load_config(root: Path) -> tuple[ProjectConfig, list[Problem]]:
    """Settings from ``evalkit.toml``; defaults when it is absent."""
    path = root / CONFIG
    if not path.exists():
        return ProjectConfig(root=root, name=root.name), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("evaluation", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return ProjectConfig(root=root, name=root.name), [problem(CONFIG_BAD, file=str(path), detail=str(exc))]
    fields = {k: str(data[k]) for k in ("name", "framework", "units", "as_of") if k in data}
    return ProjectConfig(root=root, **{"name": root.name, **fields}), []
