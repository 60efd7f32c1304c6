"""What every command shares: exit codes, the usage error, problems and JSON printed for people and scripts.

Exit codes: 0 clean (warnings allowed), 1 errors found, 2 usage error.  ``--json`` prints exactly
the records the library returns.
"""

from __future__ import annotations

import json
from pathlib import Path

from evalkit.config import Unit
from evalkit.problems import INFO, SEVERITY_ORDER, SEVERITY_ZH, Problem, did_you_mean
from evalkit.project import Project, open_project

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
COLLAPSE_AFTER = 3


class UsageError(Exception):
    """A mistake in how the command was called (exit 2)."""


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def format_problems(results: dict[str, list[Problem]], *, show_all: bool = False, show_info: bool = False) -> str:
    """A readable table of problems grouped by file, with a summary line."""
    lines: list[str] = []
    errors = warnings = 0
    for file, problems in results.items():
        shown = sorted((p for p in problems if show_info or p.severity != INFO),
                       key=lambda p: (SEVERITY_ORDER[p.severity], p.sheet or "", p.row or 0, p.code))
        errors += sum(p.severity == "error" for p in problems)
        warnings += sum(p.severity == "warning" for p in problems)
        lines.append(f"{file}" + ("  ✓ 无问题" if not shown else ""))
        counts: dict[str, int] = {}
        for p in shown:
            counts[p.code] = counts.get(p.code, 0) + 1
            n = counts[p.code]
            if not show_all and n > COLLAPSE_AFTER:
                continue
            lines.append(f"  {SEVERITY_ZH[p.severity]}  {p.code}  {p.location()}".rstrip())
            lines.append(f"        {p.message}")
        for code, n in counts.items():
            if not show_all and n > COLLAPSE_AFTER:
                lines.append(f"  …… 另有 {n - COLLAPSE_AFTER} 条 {code}（加 --all 显示全部）")
    lines.append(f"共 {errors} 个错误，{warnings} 个警告。")
    return "\n".join(lines)


def project_arg(path: str | Path) -> Project:
    """The project a command was given; UsageError when the folder is not an evalkit project."""
    project = open_project(path)
    if not project.exists:
        raise UsageError(f"{project.root} 不是 evalkit 项目（没有 evalkit.toml）：请先运行 evalkit init。")
    return project


def unit_arg(project: Project, unit_id: str) -> Unit:
    """The unit a command was given, from the project's unit list; UsageError (with a suggestion) when it is not there."""
    units = project.units
    unit = units.get(unit_id) if units else None
    if unit is None:
        close = did_you_mean(unit_id, [u.id for u in units.units]) if units else ""
        raise UsageError(f"单位「{unit_id}」不在单位名单中{close or '。'}请使用单位编号，如 c1-01。")
    return unit


def new_output(path: str | Path, force: bool) -> Path:
    """The file a command is to write; UsageError when it exists and ``--force`` was not given."""
    output = Path(path)
    if output.exists() and not force:
        raise UsageError(f"{output} 已存在：为避免覆盖，请换一个文件名，或加 --force。")
    return output
