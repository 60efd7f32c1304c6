"""Recording task states: a state entry for one task of one unit (checked against the ledger
first, nothing written on an error) and closing materials kept as files by their hash
(``ledger/materials/<sha256><ext>``).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from evalkit.config import ProjectConfig, UnitList
from evalkit.framework import Framework
from evalkit.io import durable
from evalkit.ledger.loading import load_ledger
from evalkit.ledger.model import STATUSES, Ledger, TaskState
from evalkit.ledger.paths import MATERIALS_DIR
from evalkit.ledger.problems import (
    LEDGER_MATERIAL_MISSING,
    LEDGER_NOT_APPLICABLE,
    LEDGER_STATUS_UNKNOWN,
    LEDGER_TASK_UNKNOWN,
    LEDGER_UNIT_NOT_IMPORTED,
)
from evalkit.ledger.states import normalize_status, state_problems, write_state
from evalkit.problems import ERROR, Problem, did_you_mean, problem


def record_status(root: Path, config: ProjectConfig, fw: Framework | None, units: UnitList | None, unit: str,
                  task_no: int, *, status: str, completed: datetime.date | None, materials: Sequence[str], who: str,
                  note: str = "", now: datetime.datetime | None = None) -> tuple[TaskState | None, list[Problem]]:
    """Append one state entry (``ledger/status/<unit>/<time>-<id>.json``); problems and nothing written on error.

    The entry is checked against the ledger as it stands in ``root`` now (loaded with the project's
    ``config``, ``fw`` and ``units``).
    """
    root = Path(root)
    ledger, _ = load_ledger(root, config, fw, units)
    status = normalize_status(status) or status
    materials = tuple(str(m).strip() for m in materials if str(m).strip())
    found = _check_state(ledger, unit, task_no, status, completed, materials,
                         {"file": "", "sheet": "", "field": "status"})
    if any(p.is_error for p in found):
        return None, found
    stamp = durable.now_or(now)
    entry_id = write_state(root, unit, task_no, status, completed, materials, who, note, stamp)
    return TaskState(unit, task_no, status, completed, materials, who, note, stamp.isoformat(), entry_id), found


def _check_state(ledger: Ledger, unit: str, task_no: int, status: str, completed, materials, where: dict
                 ) -> list[Problem]:
    task = ledger.task(unit, task_no)
    if unit not in ledger.units:
        return [problem(LEDGER_UNIT_NOT_IMPORTED, record=unit, severity=ERROR)]
    if task is None:
        last = max((t.task_no for t in ledger.unit_tasks(unit)), default=0)
        return [problem(LEDGER_TASK_UNKNOWN, value=task_no, last=last, record=unit,
                        place=f"登记完成情况（单位 {unit}）", **where)]
    if not task.applicable:
        return [problem(LEDGER_NOT_APPLICABLE, record=unit, value=task_no)]
    if status not in STATUSES:
        return [problem(LEDGER_STATUS_UNKNOWN, status=status, hint=did_you_mean(status, STATUSES) or "。",
                        record=unit, place="登记完成情况", **where)]
    return state_problems(status, completed, materials, ledger.as_of, task_no, {**where, "record": unit})


def store_material(root: Path, path: Path) -> tuple[str | None, list[Problem]]:
    """Keep a closing material file by its hash (``ledger/materials/<sha256><ext>``); returns its reference."""
    path = Path(path)
    if not path.is_file():
        return None, [problem(LEDGER_MATERIAL_MISSING, file=str(path))]
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    ext = path.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,8}", path.suffix.lower()) else ""
    target = Path(root) / MATERIALS_DIR / f"{digest}{ext}"
    if not target.exists():
        durable.write_new(target, data)
    return f"文件「{path.name}」 sha256:{digest}", []
