"""The project's liaison rosters: importing a unit's roster (validated, then kept as
``ledger/roster/<unit>.xlsx``, never overwritten silently: ``replace_existing`` keeps the earlier
one in ``ledger/roster/history/<unit>/<sha256>.xlsx``), loading every imported roster, and the
liaison answering for a task (the 推进组 naming it, else the 领导小组's 联络员).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
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
        named = units.find(unit)
        hint = f"：「{unit}」是单位 {named.id}（{named.name}）的名称。" if named else did_you_mean(unit, ids) or "。"
        return None, problems + [problem(ROSTER_UNIT_UNKNOWN, record=unit, hint=hint)]
    roster, found = read_roster(Path(source), unit, units.get(unit).name, units)
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
    return re.sub(r"[\s\u3000“”\"'《》、，。,.]", "", unicodedata.normalize("NFKC", str(text)))


_NUMS = r"(\d+(?:\s*(?:[、,，及和与/]|[-~—–至到])\s*\d+)*)"
_NUMBERED = re.compile(r"(?:序号|任务)\s*[:：]?\s*" + _NUMS + r"|第\s*" + _NUMS + r"\s*[项号]")


def task_numbers(task_name: str) -> set[int] | None:
    """The 序号 a 任务名称 names, wherever in the text: 「12」, 「序号12」, 「任务12」, 「第12项」,
    「推行“标准地+承诺制”模式（序号23）」, 「序号31、32」, 「序号 40—44」; None when it names none."""
    text = unicodedata.normalize("NFKC", str(task_name or "")).strip()
    bare = re.fullmatch(r"(\d+)\s*[.、]?", text)
    if bare:
        return {int(bare.group(1))}
    found: set[int] = set()
    for m in _NUMBERED.finditer(text):
        for part in re.split(r"\s*[、,，及和与/]\s*", m.group(1) or m.group(2)):
            ends = [int(x) for x in re.split(r"\s*[-~—–至到]\s*", part) if x]
            if len(ends) == 2 and ends[0] <= ends[1] <= ends[0] + 100:
                found.update(range(ends[0], ends[1] + 1))
            else:
                found.update(ends)
    return found or None


def task_matches(task_name: str, task: Task) -> bool:
    """Whether a 推进组's 任务名称 names ``task`` (a :class:`evalkit.ledger.Task`).

    By 序号 when the name holds one anywhere (:func:`task_numbers`: then only those tasks), else by
    text: equal to the task's 三级指标 or its 二级指标 (the group), or — six characters or more —
    contained in the 三级指标.
    """
    numbers = task_numbers(task_name)
    if numbers is not None:
        return task.task_no in numbers
    name = _norm(task_name)
    if not name:
        return False
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
