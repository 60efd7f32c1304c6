"""Validation of a project folder or of one input file, whichever it is given.

:func:`validate_path` validates a framework, a unit list, an instrument or a whole project; the
problems come grouped by file.  A project is validated through its :class:`~evalkit.project.Project`,
so every input is read once and the same inputs are scored and checked afterwards.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.config import CONFIG, read_units
from evalkit.forms import validate_instrument
from evalkit.framework import is_government_table, read_framework
from evalkit.interop import receipt_problems
from evalkit.io import tables
from evalkit.problems import Problem, problem
from evalkit.project.problems import PROJECT_FILE_MISSING, UNKNOWN_INPUT
from evalkit.project.project import ASSESSORS, Project
from evalkit.scoring import validate_rules
from evalkit.selfassess import load_selfassessments
from evalkit.store import check_records


def sniff(path: Path) -> str:
    """'framework', 'units', 'instrument', 'government', 'unreadable' or 'unknown' for a file."""
    if path.suffix.lower() in (".md", ".markdown", ".csv"):
        return "framework"
    wb, _ = tables.open_workbook(path, data_only=True)
    if wb is None:
        return "unreadable"
    names = {ws.title.strip().lower() for ws in wb.worksheets}
    if names & {"指标", "indicators"}:
        return "framework"
    if names & {"单位", "units"}:
        return "units"
    if "survey" in names:
        return "instrument"
    if is_government_table(wb, str(path)):
        return "government"
    return "unknown"


def validate_file(path: Path, framework_codes: set[str] | None = None) -> list[Problem]:
    """Validate one input file of whichever kind it is."""
    kind = sniff(path)
    if kind == "framework":
        return read_framework(path)[1]
    if kind == "units":
        return read_units(path)[1]
    if kind == "instrument":
        return validate_instrument(path, framework_codes)
    if kind == "unreadable":
        return tables.open_workbook(path)[1]
    hint = "这像是政府发布格式的指标表，请先用 evalkit framework import 转换。" if kind == "government" else ""
    return [problem(UNKNOWN_INPUT, file=str(path), hint=hint)]


def validate_project(project: Project | Path, *, pack_tables: bool = True) -> dict[str, list[Problem]]:
    """Every problem of a project folder, grouped by file (the settings, the set-up files, the rules,
    the ledger and rosters, every record against its instrument, the self-assessments).

    ``pack_tables``: also check the tables each record pack carries against its revisions
    (:meth:`evalkit.store.Snapshot.table_problems`); ``evalkit rerun`` leaves that out, as it reads the
    revisions themselves and never the tables."""
    project = project if isinstance(project, Project) else Project(project)
    root, config = project.root, project.config
    results: dict[str, list[Problem]] = {}
    if project.config_problems:
        results[str(root / CONFIG)] = project.config_problems
    for what, key, path, found in (("框架", "framework", config.framework_path, project.framework_problems),
                                   ("单位名单", "units", config.units_path, project.units_problems)):
        missing = not path.exists()
        results[str(path)] = [problem(PROJECT_FILE_MISSING, what=what, key=key, file=str(path))] if missing else found
    for path, (_, found) in project.instrument_files.items():
        results[str(path)] = list(found)
    if project.framework is not None:
        results[str(config.framework_path)] += validate_rules(project.framework, project.instruments)
    if (root / ASSESSORS).exists():
        results[str(root / ASSESSORS)] = list(project.assessor_problems)
    if (root / "ledger").is_dir():
        results[str(root / "ledger")] = project.ledger_problems
    if (root / "ledger" / "roster").is_dir():
        results[str(root / "ledger" / "roster")] = list(project.rosters[1])
    if (root / "raw").is_dir():
        tables = project.record_snapshot.table_problems() if pack_tables else []
        results[str(root / "raw")] = project.record_problems + tables + check_records(
            project.records, root / "raw", project.instruments, project.units, known=project.known_answers,
            keep=project.checked_answers)
    if (root / "imports").is_dir():
        results[str(root / "imports")] = receipt_problems(root)
    if (root / "selfassess").is_dir():
        results[str(root / "selfassess")] = load_selfassessments(root, project.framework)[1]
    return results


def validate_path(path: Path) -> dict[str, list[Problem]]:
    """Validate a project folder or a single file; results grouped by file."""
    if path.is_dir():
        return validate_project(Project(path))
    return {str(path): validate_file(path)}
