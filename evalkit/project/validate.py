"""Validation of a project folder or of one input file, whichever it is given.

:func:`validate_path` validates a framework, a unit list, an instrument or a whole
project; the problems come grouped by file.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.config import CONFIG, load_config
from evalkit.io import tables
from evalkit.problems import ERROR, Problem, problem, register

PROJECT_FILE_MISSING = register(
    "project-file-missing", ERROR, "项目缺少{what}文件 {file}：请检查 evalkit.toml 中的「{key}」设置，或用 evalkit init 重新创建项目。")
UNKNOWN_INPUT = register(
    "input-kind-unknown", ERROR,
    "无法判断 {file} 是什么文件：框架工作簿应有「指标」工作表，单位名单应有「单位」工作表，调查工具应有「survey」工作表。{hint}")

def sniff(path: Path) -> str:
    """'framework', 'units', 'instrument', 'government' or 'unknown' for a file."""
    if path.suffix.lower() in (".md", ".markdown", ".csv"):
        return "framework"
    wb, found = tables.open_workbook(path, data_only=True)
    if wb is None:
        return "unreadable"
    names = {ws.title.strip().lower() for ws in wb.worksheets}
    if names & {"指标", "indicators"}:
        return "framework"
    if names & {"单位", "units"}:
        return "units"
    if "survey" in names:
        return "instrument"
    from evalkit.framework.govtable import _header

    if any(_header(ws, str(path)) for ws in wb.worksheets):
        return "government"
    return "unknown"


def validate_file(path: Path, framework_codes: set[str] | None = None) -> list[Problem]:
    """Validate one input file of whichever kind it is."""
    from evalkit.framework import read_framework
    from evalkit.config import read_units

    kind = sniff(path)
    if kind == "framework":
        return read_framework(path)[1]
    if kind == "units":
        return read_units(path)[1]
    if kind == "instrument":
        return _validate_instrument(path, framework_codes)
    if kind == "unreadable":
        return tables.open_workbook(path)[1]
    hint = "这像是政府发布格式的指标表，请先用 evalkit framework import 转换。" if kind == "government" else ""
    return [problem(UNKNOWN_INPUT, file=str(path), hint=hint)]


def _validate_instrument(path: Path, framework_codes: set[str] | None) -> list[Problem]:
    try:
        from evalkit.forms import validate_instrument
    except ImportError:  # pragma: no cover - instruments arrive with the forms issue
        return []
    return validate_instrument(path, framework_codes)


def validate_project(root: Path) -> dict[str, list[Problem]]:
    """Every problem of a project folder, grouped by file."""
    from evalkit.framework import read_framework
    from evalkit.config import read_units

    config, problems = load_config(root)
    results: dict[str, list[Problem]] = {}
    if problems:
        results[str(root / CONFIG)] = problems
    codes: set[str] | None = None
    units = fw = None
    for what, key, path in (("框架", "framework", config.framework_path), ("单位名单", "units", config.units_path)):
        if not path.exists():
            results[str(path)] = [problem(PROJECT_FILE_MISSING, what=what, key=key, file=str(path))]
            continue
        if key == "framework":
            fw, found = read_framework(path)
            codes = fw.codes() if fw else None
        else:
            units, found = read_units(path)
        results[str(path)] = found
    instruments = {}
    for path in sorted((root / "instruments").glob("*.xlsx")) if (root / "instruments").is_dir() else []:
        if not path.name.startswith("~$"):
            inst, results[str(path)] = _load_instrument(path, codes)
            if inst is not None:
                instruments[inst.id] = inst
    if fw is not None:
        from evalkit.scoring import validate_rules

        results[str(config.framework_path)] += validate_rules(fw, instruments)
    if (root / "ledger").is_dir():
        from evalkit.ledger import load_ledger

        results[str(root / "ledger")] = load_ledger(root)[1]
    if (root / "ledger" / "roster").is_dir():  # liaison rosters (evalkit.ledger.roster)
        from evalkit.ledger import load_rosters

        results[str(root / "ledger" / "roster")] = load_rosters(root)[1]
    if (root / "raw").is_dir():
        from evalkit.store import check_records

        results[str(root / "raw")] = check_records(root, instruments, units)
    if (root / "selfassess").is_dir():
        from evalkit.selfassess import load_selfassessments

        results[str(root / "selfassess")] = load_selfassessments(root, fw)[1]
    return results


def _load_instrument(path: Path, framework_codes: set[str] | None):
    from evalkit.forms import load_instrument

    return load_instrument(path, framework_codes)


def validate_path(path: Path) -> dict[str, list[Problem]]:
    """Validate a project folder or a single file; results grouped by file."""
    if path.is_dir():
        return validate_project(path)
    return {str(path): validate_file(path)}
