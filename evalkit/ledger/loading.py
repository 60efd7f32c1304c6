"""Loading the project's ledger: the framework's tasks, every imported unit's table made into tasks
(the deadline chosen — the lead evaluator's value wins, an empty cell falls back to the framework —
with a note saying how it was read, and the unit's points allocated), and the latest state entry
of each task.

Only the files under ``ledger/`` are read here: the settings, the framework and the unit list
come from the caller, as the project has read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from evalkit.config import ProjectConfig, UnitList
from evalkit.framework import POINTS_PER_UNIT, Framework
from evalkit.ledger.deadlines import EMPTY, UNREADABLE, Deadline, parse_deadline
from evalkit.ledger.model import (
    SOURCE_FRAMEWORK,
    SOURCE_LEAD,
    SOURCE_TABLE,
    FrameworkTask,
    Ledger,
    Task,
    TaskState,
    framework_tasks,
)
from evalkit.ledger.overrides import Override, read_overrides
from evalkit.ledger.paths import DEADLINES_FILE, TASKS_DIR
from evalkit.ledger.points import allocate_points
from evalkit.ledger.problems import (
    LEDGER_DEADLINE_FROM_TEXT,
    LEDGER_DEADLINE_UNREADABLE,
    LEDGER_DEADLINE_YEAR_ASSUMED,
    LEDGER_NOT_PER_UNIT,
    LEDGER_OVERRIDE_UNUSED,
)
from evalkit.ledger.settings import LedgerSettings, ledger_settings
from evalkit.ledger.states import read_states
from evalkit.ledger.task_table import SHEET, TableRow, read_task_table
from evalkit.problems import Problem, problem


def framework_tasks_of(fw: Framework | None, framework_file: Path | str
                       ) -> tuple[dict[int, FrameworkTask], list[Problem]]:
    """The framework's tasks by 序号, empty with a problem unless the framework is per unit and has
    numbered tasks (``framework_file`` names it in the problem); empty without one when ``fw`` is None."""
    if fw is None:
        return {}, []
    fw_tasks = framework_tasks(fw)
    if fw.points_mode != POINTS_PER_UNIT or not fw_tasks:
        return {}, [problem(LEDGER_NOT_PER_UNIT, file=str(framework_file))]
    return fw_tasks, []


def build_tasks(unit: str, rows: Sequence[TableRow], fw_tasks: Mapping[int, FrameworkTask],
                overrides: Mapping[tuple[str, int], Override], settings: LedgerSettings, file: str = "",
                sheet: str = SHEET) -> tuple[list[Task], list[Problem]]:
    """The unit's tasks with deadlines (lead evaluator's value wins), how each deadline was read, and points."""
    by_no = {r.task_no: r for r in rows}
    points, problems = allocate_points(fw_tasks, [n for n, r in by_no.items() if r.applicable], settings, unit)
    tasks = []
    for n, ft in fw_tasks.items():
        r = by_no.get(n)
        if r is None:
            continue
        chosen = overrides.get((unit, n)) or overrides.get(("*", n))
        where = {"file": file, "sheet": r.sheet or sheet, "row": r.row, "column": "完成时限", "record": unit, "value": n}
        if chosen is not None:
            date, text, source = chosen.deadline, chosen.text, SOURCE_LEAD
            note = f"评估组在 {DEADLINES_FILE} 第 {chosen.row} 行认定" + (f"：{chosen.note}" if chosen.note else "")
        elif r.deadline.kind == EMPTY:
            fallback = parse_deadline(ft.deadline_text, settings.year, settings.year_source)
            date, text, source = fallback.date, ft.deadline_text, SOURCE_FRAMEWORK
            note = "表中未填完成时限，按框架中的时限" + (f"；{fallback.detail}" if fallback.detail else "")
        else:
            date, text, source, note = r.deadline.date, r.deadline.text, SOURCE_TABLE, r.deadline.detail
            if r.deadline.kind == UNREADABLE:
                note += f"：暂不判断逾期（评估组可在 {DEADLINES_FILE} 中认定）"
            if r.applicable:
                problems += _deadline_problems(r.deadline, where)
        tasks.append(Task(unit=unit, task_no=n, code=ft.code, area=ft.area, group=ft.group, title=ft.title,
                          measures=r.measures, deadline=date, deadline_text=text, deadline_source=source,
                          applicable=r.applicable, points=points[n] if r.applicable else 0.0, note=r.note, row=r.row,
                          deadline_note=note))
    return tasks, problems


def _deadline_problems(deadline: Deadline, where: dict) -> list[Problem]:
    """How a table's deadline was read, as a problem: unreadable (warning), year assumed (warning),
    read by a rule from text, a period or a range (info)."""
    if deadline.kind == UNREADABLE:
        return [problem(LEDGER_DEADLINE_UNREADABLE, text=deadline.text, detail=deadline.detail, **where)]
    if deadline.date is None or not deadline.detail:
        return []
    code = LEDGER_DEADLINE_YEAR_ASSUMED if deadline.year_assumed else LEDGER_DEADLINE_FROM_TEXT
    return [problem(code, text=deadline.text, date=deadline.date.isoformat(), detail=deadline.detail, **where)]


def load_ledger(root: Path, config: ProjectConfig, fw: Framework | None, units: UnitList | None
                ) -> tuple[Ledger, list[Problem]]:
    """Every imported unit's tasks (with points and deadlines) and the latest state of each task.

    ``root`` is the project folder holding ``ledger/``; ``config``, ``fw`` and ``units`` are the
    project's settings, framework and unit list as already read (see :class:`evalkit.project.Project`).
    """
    root = Path(root)
    fw_tasks, problems = framework_tasks_of(fw, config.framework_path)
    settings = ledger_settings(config, fw)
    overrides, found = read_overrides(root, fw_tasks, units, settings.year)
    problems += found
    tasks: list[Task] = []
    imported: list[str] = []
    if fw_tasks:
        for path in sorted((root / TASKS_DIR).glob("*.xlsx")):
            unit = path.stem
            if path.name.startswith("~$"):
                continue
            name = units.get(unit).name if units and units.get(unit) else ""
            rows, found = read_task_table(path, fw_tasks, unit, default_year=settings.year,
                                          year_source=settings.year_source, as_of=settings.as_of,
                                          check_states=False, unit_name=name, units=units)
            problems += found
            if rows is None or any(p.is_error for p in found):
                continue
            built, found = build_tasks(unit, rows, fw_tasks, overrides, settings, str(path))
            problems += found
            tasks += built
            imported.append(unit)
    for (unit, _), o in overrides.items():
        if unit != "*" and unit not in imported:
            problems.append(problem(LEDGER_OVERRIDE_UNUSED, file=str(root / DEADLINES_FILE), sheet=o.sheet, row=o.row,
                                    record=unit))
    history, found = read_states(root, imported)
    problems += found
    latest: dict[tuple[str, int], TaskState] = {}
    for s in history:
        latest[(s.unit, s.task_no)] = s
    return Ledger(tuple(tasks), tuple(latest.values()), tuple(history), settings.as_of, tuple(imported)), problems
