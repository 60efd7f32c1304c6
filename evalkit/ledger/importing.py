"""Importing a unit's 任务分解表 into the project: validated, then copied to
``ledger/tasks/<unit>.xlsx`` (an earlier import kept in ``ledger/tasks/history/<unit>/``), its
completion columns (完成情况, 完成日期, 销账材料) written as state entries.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from evalkit.config import ProjectConfig, UnitList, is_safe_id
from evalkit.framework import Framework
from evalkit.io import durable
from evalkit.ledger.loading import build_tasks, framework_tasks_of
from evalkit.ledger.overrides import read_overrides
from evalkit.ledger.paths import TASKS_DIR
from evalkit.ledger.problems import LEDGER_IMPORT_EXISTS, LEDGER_UNIT_UNKNOWN
from evalkit.ledger.settings import ledger_settings
from evalkit.ledger.states import write_state
from evalkit.ledger.task_table import read_task_table
from evalkit.problems import Problem, did_you_mean, problem


def import_table(root: Path, config: ProjectConfig, fw: Framework | None, units: UnitList | None, source: Path,
                 unit: str, *, replace_existing: bool = False, who: str = "", now: datetime.datetime | None = None,
                 project_problems: Sequence[Problem] = ()) -> tuple[Path | None, list[Problem]]:
    """Validate a unit's table and copy it to ``ledger/tasks/<unit>.xlsx``; nothing written on any error.

    ``root`` is the project folder; ``config``, ``fw`` and ``units`` its settings, framework and
    unit list as already read (nothing is imported without a framework and a unit list).
    ``project_problems`` are what the caller found reading them: they come first among the
    problems, and an error among them means nothing is imported either.
    Completion columns in the table (完成情况, 完成日期, 销账材料) become state entries.
    An earlier import is kept in ``ledger/tasks/history/<unit>/<sha256>.xlsx`` when replaced.
    """
    root = Path(root)
    fw_tasks, found = framework_tasks_of(fw, config.framework_path)
    problems = [*project_problems, *found]
    if fw is None or units is None or not fw_tasks:
        return None, problems
    settings = ledger_settings(config, fw)
    ids = [u.id for u in units.units]
    if unit not in ids or not is_safe_id(unit):
        named = units.find(unit)
        hint = f"：「{unit}」是单位 {named.id}（{named.name}）的名称。" if named else did_you_mean(unit, ids) or "。"
        return None, problems + [problem(LEDGER_UNIT_UNKNOWN, record=unit, hint=hint)]
    rows, found = read_task_table(Path(source), fw_tasks, unit, default_year=settings.year,
                                  year_source=settings.year_source, as_of=settings.as_of,
                                  unit_name=units.get(unit).name, units=units)
    problems += found
    target = root / TASKS_DIR / f"{unit}.xlsx"
    if target.exists() and not replace_existing:
        problems.append(problem(LEDGER_IMPORT_EXISTS, record=unit, file=str(target)))
    if rows is None or any(p.is_error for p in problems):
        return None, problems
    overrides, _ = read_overrides(root, fw_tasks, units, settings.year)
    _, found = build_tasks(unit, rows, fw_tasks, overrides, settings, str(source))
    problems += found
    _copy_keeping_history(root, Path(source).read_bytes(), target, unit)
    stamp = durable.now_or(now)
    for r in rows:
        if r.status:
            write_state(root, unit, r.task_no, r.status, r.completed, r.materials,
                        who or f"导入：{Path(source).name}", f"随任务分解表第 {r.row} 行导入", stamp)
    return target, problems


def _copy_keeping_history(root: Path, data: bytes, target: Path, unit: str) -> None:
    """Write ``data`` to ``target``; a table already there is kept under ``history/<unit>/<sha256>.xlsx``."""
    if target.exists():
        old = target.read_bytes()
        keep = root / TASKS_DIR / "history" / unit / f"{hashlib.sha256(old).hexdigest()}.xlsx"
        if not keep.exists():
            durable.write_new(keep, old)
    durable.ensure_dir(target.parent)
    tmp = durable.write_temp(target.parent, target.name, data)
    os.replace(tmp, target)
