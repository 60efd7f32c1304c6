"""The project's liaison rosters: importing a unit's roster (validated, then kept as
``ledger/roster/<unit>.xlsx``, never overwritten silently: ``replace_existing`` keeps the earlier
one in ``ledger/roster/history/<unit>/<sha256>.xlsx``), loading every imported roster, and the
liaison answering for a task (the 推进组 naming it, else the 领导小组's 联络员).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

from evalkit.config import UnitList, is_safe_id
from evalkit.io import durable
from evalkit.ledger.contacts import normal_mobile
from evalkit.ledger.model import Task
from evalkit.ledger.paths import ROSTER_DIR
from evalkit.ledger.problems import ROSTER_DAMAGED, ROSTER_EXISTS, ROSTER_UNIT_MISMATCH, ROSTER_UNIT_UNKNOWN
from evalkit.ledger.roster_model import LEADERSHIP, NO_LIAISON, Liaison, Roster
from evalkit.ledger.roster_reading import read_roster
from evalkit.problems import Problem, did_you_mean, problem


def roster_path(root: Path, unit: str) -> Path:
    """Where the unit's imported roster is kept."""
    return Path(root) / ROSTER_DIR / f"{unit}.xlsx"


def import_roster(root: Path, units: UnitList | None, source: Path, unit: str, *, replace_existing: bool = False,
                  project_problems: Sequence[Problem] = ()) -> tuple[Path | None, list[Problem]]:
    """Validate a unit's roster and copy it to ``ledger/roster/<unit>.xlsx``; nothing written on any error.

    ``units`` is the project's unit list as already read (nothing is imported without one);
    ``project_problems`` what the caller found reading the project: they come first among the
    problems, and an error among them means nothing is imported either.
    """
    root = Path(root)
    problems = list(project_problems)
    if units is None:
        return None, problems
    ids = [u.id for u in units.units]
    if unit not in ids or not is_safe_id(unit):
        names = {u.name: u.id for u in units.units}
        hint = f"：「{unit}」是单位 {names[unit]} 的名称。" if unit in names else did_you_mean(unit, ids) or "。"
        return None, problems + [problem(ROSTER_UNIT_UNKNOWN, record=unit, hint=hint)]
    roster, found = read_roster(Path(source), unit, units.get(unit).name)
    problems += found
    target = roster_path(root, unit)
    if target.exists() and not replace_existing:
        problems.append(problem(ROSTER_EXISTS, record=unit, file=str(target)))
    if roster is None or any(p.is_error for p in problems):
        return None, problems
    data = Path(source).read_bytes()
    if target.exists():
        old = target.read_bytes()
        keep = root / ROSTER_DIR / "history" / unit / f"{hashlib.sha256(old).hexdigest()}.xlsx"
        if not keep.exists():
            durable.write_new(keep, old)
        durable.ensure_dir(target.parent)
        tmp = durable.write_temp(target.parent, target.name, data)
        os.replace(tmp, target)
    else:
        durable.write_new(target, data)
    return target, problems


def load_rosters(root: Path) -> tuple[dict[str, Roster], list[Problem]]:
    """Every imported roster by unit id; a stored roster that no longer reads cleanly is a problem."""
    out: dict[str, Roster] = {}
    problems: list[Problem] = []
    folder = Path(root) / ROSTER_DIR
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
        if path.name.startswith(("~$", ".")):
            continue
        roster, found = read_roster(path, path.stem)
        errors = [p for p in found if p.is_error]
        if errors:
            problems.append(problem(ROSTER_DAMAGED, file=str(path),
                                    detail="；".join(f"{p.location()} {p.code}" for p in errors[:3]) + "。"))
        problems += [p for p in found if not p.is_error and p.code != ROSTER_UNIT_MISMATCH]
        if roster is not None:
            out[path.stem] = roster
    return out, problems


def _norm(text: str) -> str:
    return re.sub(r"[\s\u3000“”\"'《》、，。,.]", "", str(text))


def task_matches(task_name: str, task: Task) -> bool:
    """Whether a 推进组's 任务名称 names ``task`` (a :class:`evalkit.ledger.Task`).

    By 序号 (「12」「序号12」「任务12」「12.」), or by text: equal to the task's 三级指标 or
    its 二级指标 (the group), or — six characters or more — contained in the 三级指标.
    """
    name = _norm(task_name)
    if not name:
        return False
    m = re.fullmatch(r"(?:序号|任务|第)?(\d+)(?:项|号)?[.、]?", name)
    if m:
        return int(m.group(1)) == task.task_no
    m = re.match(r"(?:序号|任务)(\d+)", name)
    if m:
        return int(m.group(1)) == task.task_no
    title, group = _norm(task.title), _norm(task.group)
    return name in (title, group) or (len(name) >= 6 and name in title)


def liaison_for(roster: Roster | None, task: Task | None = None) -> Liaison:
    """The responsible liaison: the 推进组 naming the task if any, else the 领导小组's 联络员."""
    if roster is None:
        return NO_LIAISON
    if task is not None:
        for g in roster.task_groups:
            if g.liaison and task_matches(g.task, task):
                return Liaison(g.liaison.name, normal_mobile(g.liaison.mobile), f"推进组「{g.task}」")
    m = roster.liaison
    return Liaison(m.name, normal_mobile(m.mobile), LEADERSHIP) if m else NO_LIAISON
