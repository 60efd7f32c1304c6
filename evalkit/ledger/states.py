"""Task states (未开始 / 推进中 / 已完成 / 已销账) and their closing materials: reading a status or
materials cell, the rules one state must keep (a done task needs a completion date, 已销账 a
closing material, no date after the as-of date, no date on an open task), and the append-only
state entries ``ledger/status/<unit>/<time>-<id>.json`` (the latest one counts).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path

from evalkit.io import durable
from evalkit.ledger.model import DONE_STATUSES, STATUSES, TaskState
from evalkit.ledger.paths import STATUS_DIR
from evalkit.ledger.problems import (
    LEDGER_CLOSE_NO_MATERIAL,
    LEDGER_DATE_AFTER_AS_OF,
    LEDGER_DATE_NOT_DONE,
    LEDGER_DONE_NO_DATE,
    LEDGER_STATE_DAMAGED,
)
from evalkit.problems import Problem, problem

STATUS_ALIASES = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成", "closed": "已销账",
                  "完成": "已完成", "销账": "已销账", "进行中": "推进中", "": "未开始"}
STATUS_FORMAT = "evalkit-ledger-status-1"


def normalize_status(text: str) -> str | None:
    """One of :data:`STATUSES` for a status as written (or an alias), None when unknown."""
    text = str(text or "").strip()
    if text in STATUSES:
        return text
    return STATUS_ALIASES.get(text.lower(), STATUS_ALIASES.get(text))


def split_materials(text: str) -> tuple[str, ...]:
    """The closing materials of a cell, one per line or separated by ；/;."""
    return tuple(m.strip() for m in re.split(r"[；;\n]", str(text or "")) if m.strip())


def place(where: dict) -> str:
    """「file 工作表「sheet」第 row 行「column」」 for a message."""
    return f"{where['file']} 工作表「{where['sheet']}」第 {where['row']} 行「{where['column']}」"


def state_problems(status: str, completed: datetime.date | None, materials: Sequence[str],
                   as_of: datetime.date | None, task_no: int, where: dict) -> list[Problem]:
    """The rules for one state: done needs a date, 已销账 a material, no date after as-of."""
    where = {**where, "place": place(where) if where.get("sheet") else "登记完成情况"}
    found = []
    if status in DONE_STATUSES and completed is None:
        found.append(problem(LEDGER_DONE_NO_DATE, value=task_no, status=status, **where))
    if status not in DONE_STATUSES and completed is not None:
        found.append(problem(LEDGER_DATE_NOT_DONE, value=task_no, status=status, date=completed.isoformat(), **where))
    if status == "已销账" and not [m for m in materials if str(m).strip()]:
        found.append(problem(LEDGER_CLOSE_NO_MATERIAL, value=task_no, **where))
    if completed is not None and as_of is not None and completed > as_of:
        found.append(problem(LEDGER_DATE_AFTER_AS_OF, value=task_no, date=completed.isoformat(),
                             as_of=as_of.isoformat(), **where))
    return found


# ------------------------------------------------------------------ state entries

def status_document(unit: str, task_no: int, status: str, completed: datetime.date | None,
                    materials: Sequence[str], who: str, note: str, at: str) -> dict:
    """The JSON document of one state entry."""
    return {"format": STATUS_FORMAT, "unit": unit, "task_no": task_no, "status": status,
            "completed": completed.isoformat() if completed else None, "materials": list(materials),
            "who": who, "note": note, "at": at}


def write_state(root: Path, unit: str, task_no: int, status: str, completed: datetime.date | None,
                materials: Sequence[str], who: str, note: str, stamp: datetime.datetime) -> str:
    """Write one new state entry (never overwriting one); returns its id ``<UTC time>-<random id>``."""
    entry_id = f"{stamp.astimezone(datetime.UTC):%Y%m%dT%H%M%S%fZ}-{durable.new_id()}"
    doc = status_document(unit, task_no, status, completed, materials, who, note, stamp.isoformat())
    durable.write_new(Path(root) / STATUS_DIR / unit / f"{entry_id}.json", durable.dumps(doc))
    return entry_id


def read_states(root: Path, units: Sequence[str]) -> tuple[list[TaskState], list[Problem]]:
    """Every state entry of ``units``, oldest first per unit; a damaged entry is a problem."""
    states, problems = [], []
    for unit in units:
        for path in sorted((Path(root) / STATUS_DIR / unit).glob("*.json")):
            try:
                d = durable.loads(path.read_bytes())
                completed = datetime.date.fromisoformat(d["completed"]) if d.get("completed") else None
                states.append(TaskState(d["unit"], int(d["task_no"]), d["status"], completed,
                                        tuple(d.get("materials", ())), d.get("who", ""), d.get("note", ""),
                                        d.get("at", ""), path.stem))
                if d["status"] not in STATUSES or d["unit"] != unit:
                    raise ValueError("状态或单位不符")
            except (ValueError, KeyError, TypeError, OSError) as exc:
                problems.append(problem(LEDGER_STATE_DAMAGED, file=str(path), detail=type(exc).__name__))
    return states, problems
