"""The model of the task ledger (台账): a unit's tasks, their state entries, the ledger of every
imported unit with the overdue rule, the framework's task leaves, the words that take a task out
(不涉及 and its synonyms), and how a task is named in messages.

Overdue: deadline < as-of and not done (已完成/已销账) on or before the deadline — a task done
late is still overdue once.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

STATUSES = ("未开始", "推进中", "已完成", "已销账")
DONE_STATUSES = ("已完成", "已销账")

SOURCE_TABLE = "表格"
SOURCE_LEAD = "评估组指定"
SOURCE_FRAMEWORK = "框架"


@dataclass(frozen=True)
class Task:
    """One task of one unit's 任务分解表."""

    unit: str
    task_no: int
    code: str                      # framework indicator code of the task leaf, e.g. "1.1.1"
    area: str                      # 一级指标 name
    group: str                     # 二级指标 name
    title: str                     # 三级指标 text (from the framework)
    measures: str                  # 工作措施 the unit wrote
    deadline: datetime.date | None
    deadline_text: str             # as written in the table (or by the lead evaluator)
    deadline_source: str           # "表格" | "评估组指定" | "框架" (cell left empty)
    applicable: bool               # False when 备注 says 不涉及 (or 不适用, 无此项 …)
    points: float                  # points for this unit (0 if not applicable)
    note: str = ""                 # 备注 as written
    row: int | None = None         # row in the imported workbook
    deadline_note: str = ""        # how the deadline was read, when it is not a plain date

    @property
    def area_code(self) -> str:
        return self.code.split(".")[0]

    @property
    def group_code(self) -> str:
        return self.code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class TaskState:
    """One state entry (the latest one counts)."""

    unit: str
    task_no: int
    status: str
    completed: datetime.date | None
    materials: tuple[str, ...]
    who: str
    note: str
    at: str
    id: str = ""


@dataclass(frozen=True)
class Ledger:
    """Tasks of every imported unit and the latest state of each."""

    tasks: tuple[Task, ...]
    states: tuple[TaskState, ...] = ()        # latest entry per (unit, task_no)
    history: tuple[TaskState, ...] = ()       # every entry, oldest first
    as_of: datetime.date | None = None
    units: tuple[str, ...] = ()               # units with an imported table

    def unit_tasks(self, unit: str) -> list[Task]:
        return sorted((t for t in self.tasks if t.unit == unit), key=lambda t: t.task_no)

    def task(self, unit: str, task_no: int) -> Task | None:
        return next((t for t in self.tasks if t.unit == unit and t.task_no == task_no), None)

    def state(self, unit: str, task_no: int) -> TaskState:
        """The latest state entry, or 未开始 when nothing was recorded."""
        for s in self.states:
            if s.unit == unit and s.task_no == task_no:
                return s
        return TaskState(unit, task_no, "未开始", None, (), "", "", "")

    def done_by(self, task: Task, day: datetime.date) -> bool:
        """Done (已完成/已销账) with a completion date on or before ``day``."""
        s = self.state(task.unit, task.task_no)
        return s.status in DONE_STATUSES and s.completed is not None and s.completed <= day

    def is_overdue(self, task: Task, as_of: datetime.date) -> bool:
        return (task.applicable and task.deadline is not None and task.deadline < as_of
                and not self.done_by(task, task.deadline))

    def overdue(self, as_of: datetime.date) -> list[Task]:
        """Applicable tasks whose deadline < as_of and that were not done on or before the deadline."""
        return [t for t in sorted(self.tasks, key=lambda t: (t.unit, t.task_no)) if self.is_overdue(t, as_of)]


@dataclass(frozen=True)
class FrameworkTask:
    """A task leaf of the framework."""

    task_no: int
    code: str
    area_code: str
    area: str
    group_code: str
    group: str
    title: str
    deadline_text: str


def framework_tasks(fw) -> dict[int, FrameworkTask]:
    """序号 → the framework's task leaf (only leaves with a 序号)."""
    out: dict[int, FrameworkTask] = {}
    for ind in fw.leaves():
        if ind.task_no is None:
            continue
        group = fw.get(ind.parent_code) if ind.parent_code else None
        area = fw.get(ind.code.split(".")[0])
        out[ind.task_no] = FrameworkTask(
            ind.task_no, ind.code, area.code if area else "", area.name if area else "",
            group.code if group else "", group.name if group else "", ind.name, ind.deadline)
    return dict(sorted(out.items()))


# ------------------------------------------------------------------ 不涉及 and its synonyms

NOT_APPLICABLE_WORDS = ("本单位无此职能", "无此项职能", "无此职能", "无该项职能", "无相关职能", "无此项工作", "无此项",
                        "不涉及", "不适用", "不承担此项")


def not_applicable_word(text: str, *, whole: bool = False) -> str:
    """The word in ``text`` that takes a task out (不涉及, 不适用, 无此项, 本单位无此职能 …), or "".

    ``whole``: only when the cell says nothing else (for a 工作措施 or 完成时限 cell, where a
    longer text such as 「不涉及审批的事项…」 is a measure, not a 不涉及)."""
    squeezed = re.sub(r"[\s。.，,；;、!！]", "", str(text or ""))
    for word in NOT_APPLICABLE_WORDS:
        if whole and re.fullmatch(r"(?:本单位|我单位|该项|此项)?" + word + r"(?:此项|该项|本项)?", squeezed):
            return word
        if not whole and word in squeezed:
            return word
    return ""


# ------------------------------------------------------------------ a task in messages

def norm_text(text: str) -> str:
    """The text without markup and white space, for comparing titles as written."""
    text = re.sub(r"<[^>]+>", "", str(text))
    return re.sub(r"\s+", "", text)


def short_text(text: str, n: int = 30) -> str:
    """The normalised text cut to ``n`` characters (with … when cut)."""
    text = norm_text(text)
    return text if len(text) <= n else text[:n] + "…"


def deadline_words(task: Task) -> str:
    """「完成时限 2018-08-31（表格：2018年3月—8月；时间段取结束日期 8月31日）」, or the text as written
    when it has no date; how the date was read (:attr:`Task.deadline_note`) is always said."""
    note = f"；{task.deadline_note}" if task.deadline_note else ""
    if task.deadline is None:
        return f"完成时限「{task.deadline_text}」" + (f"（{task.deadline_note}）" if task.deadline_note else "")
    written = ("" if task.deadline_text in ("", task.deadline.isoformat())
               else f"{task.deadline_source}：{task.deadline_text}")
    inside = (written + note).removeprefix("；")
    return f"完成时限 {task.deadline.isoformat()}" + (f"（{inside}）" if inside else "")
