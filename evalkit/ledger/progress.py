"""Progress reports of the task ledger at the cadence of seed 000 (吉政办函〔2018〕37号 第三条):
日报告 (daily), 周调度 (weekly), 月统筹 (monthly), 双月汇总 (bimonthly).

A report is made for a date D (the report date; default the project's ``[evaluation] as_of``)
and the calendar period that contains D:

* daily      — the day D itself;
* weekly     — Monday to Sunday of the week containing D;
* monthly    — the 1st to the last day of D's month;
* bimonthly  — the two-month block containing D: Jan–Feb, Mar–Apr, May–Jun, Jul–Aug, Sep–Oct, Nov–Dec.

Facts are taken as they stand on D (the latest state entry of each task; a task counts as
done when its status is 已完成 / 已销账 with a completion date on or before D).  For each
applicable task of a unit (不涉及 tasks are left out):

* 本期到期 — the deadline falls inside the period (start ≤ deadline ≤ end, also days after D);
* 其中已完成 — of those, done by D;
* 本期完成 — the completion date falls inside the period and is on or before D;
* 累计完成 — done by D, whenever;
* 逾期未完成 — deadline before D and not done by D (whatever period the deadline was in);
* 逾期完成 — done by D, but after its deadline;
* 时限未定 — the deadline could not be read (see ``evalkit ledger status``).

How each deadline was read (a range's end, a period's last day, the evaluation year of a date
written without one) goes with the task line as its 时限说明.

Each line names the responsible liaison (name and mobile) from the unit's roster
(:func:`evalkit.ledger.rosters.liaison_for`); 「未报联络员」 when the unit has no roster or no 联络员.
The printable workbook is made by :mod:`evalkit.ledger.progress_workbook`.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.config import ProjectConfig, UnitList
from evalkit.framework import Framework, code_order
from evalkit.ledger.loading import load_ledger
from evalkit.ledger.model import DONE_STATUSES
from evalkit.ledger.problems import PROGRESS_CADENCE_UNKNOWN, PROGRESS_DATE_MISSING, PROGRESS_UNIT_UNKNOWN
from evalkit.ledger.roster_model import NO_LIAISON, Liaison
from evalkit.ledger.rosters import liaison_for, load_rosters
from evalkit.problems import Problem, did_you_mean, problem

CADENCES = {"daily": "日报告", "weekly": "周调度", "monthly": "月统筹", "bimonthly": "双月汇总"}
CADENCE_ALIASES = {**{v: k for k, v in CADENCES.items()}, "日": "daily", "周": "weekly", "月": "monthly",
                   "双月": "bimonthly"}
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Period:
    cadence: str
    start: datetime.date
    end: datetime.date
    day: datetime.date      # the report date D

    @property
    def name(self) -> str:
        return CADENCES[self.cadence]

    @property
    def label(self) -> str:
        """E.g. 「周调度：2018-11-19（周一）至 2018-11-25（周日）」."""
        def d(x: datetime.date) -> str:
            return f"{x.isoformat()}（周{WEEKDAYS[x.weekday()]}）"
        span = d(self.start) if self.start == self.end else f"{d(self.start)} 至 {d(self.end)}"
        return f"{self.name}：{span}"


def period_for(cadence: str, day: datetime.date) -> Period:
    """The calendar period of ``cadence`` that contains ``day`` (see the module docstring)."""
    if cadence == "daily":
        start = end = day
    elif cadence == "weekly":
        start = day - datetime.timedelta(days=day.weekday())
        end = start + datetime.timedelta(days=6)
    elif cadence == "monthly":
        start = day.replace(day=1)
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    elif cadence == "bimonthly":
        first = day.month - (day.month - 1) % 2
        start = datetime.date(day.year, first, 1)
        end = datetime.date(day.year, first + 1, calendar.monthrange(day.year, first + 1)[1])
    else:
        raise ValueError(cadence)
    return Period(cadence, start, end, day)


def normal_cadence(text: str) -> str | None:
    text = str(text or "").strip()
    return text if text in CADENCES else CADENCE_ALIASES.get(text)


@dataclass(frozen=True)
class TaskLine:
    unit: str
    unit_name: str
    task_no: int
    code: str
    area_code: str
    area: str
    group: str
    title: str
    deadline: datetime.date | None
    deadline_text: str
    status: str
    completed: datetime.date | None
    materials: tuple[str, ...]
    due: bool              # deadline in the period
    done: bool             # done by D
    done_in_period: bool
    overdue_open: bool
    done_late: bool
    days_overdue: int      # D − deadline for an open overdue task, else 0
    liaison: Liaison = NO_LIAISON
    deadline_note: str = ""   # how the deadline was read (a range's end, the year assumed …)

    @property
    def situation(self) -> str:
        parts = []
        if self.overdue_open:
            parts.append(f"逾期未完成（{self.days_overdue} 天）")
        if self.due:
            parts.append("本期到期" + ("，已完成" if self.done else ""))
        if self.done_in_period:
            parts.append("本期完成" + ("（逾期完成）" if self.done_late else ""))
        if self.deadline is None:
            parts.append("时限未定")
        return "；".join(parts)


@dataclass
class Counts:
    applicable: int = 0
    due: int = 0
    due_done: int = 0
    done_in_period: int = 0
    done: int = 0
    overdue_open: int = 0
    done_late: int = 0
    undated: int = 0

    def add(self, line: TaskLine) -> None:
        self.applicable += 1
        self.due += line.due
        self.due_done += line.due and line.done
        self.done_in_period += line.done_in_period
        self.done += line.done
        self.overdue_open += line.overdue_open
        self.done_late += line.done_late
        self.undated += line.deadline is None

    def values(self) -> tuple[int, ...]:
        return (self.applicable, self.due, self.due_done, self.done_in_period, self.done, self.overdue_open,
                self.done_late, self.undated)


COUNT_HEADERS = ("承担任务", "本期到期", "其中已完成", "本期完成", "累计完成", "逾期未完成", "逾期完成", "时限未定")


@dataclass(frozen=True)
class UnitLine:
    unit: str
    name: str
    imported: bool
    liaison: Liaison
    counts: Counts


@dataclass(frozen=True)
class AreaLine:
    unit: str               # "" for the total over the units
    name: str
    area_code: str
    area: str
    liaison: Liaison
    counts: Counts


@dataclass
class ProgressReport:
    period: Period
    as_of: datetime.date | None
    units: list[UnitLine] = field(default_factory=list)
    areas: list[AreaLine] = field(default_factory=list)
    lines: list[TaskLine] = field(default_factory=list)     # every applicable task of the units
    problems: list[Problem] = field(default_factory=list)

    def shown(self) -> list[TaskLine]:
        """The task lines worth a line in the report: due or done in the period, or overdue and open."""
        return [t for t in self.lines if t.due or t.done_in_period or t.overdue_open]

    def total(self) -> Counts:
        c = Counts()
        for t in self.lines:
            c.add(t)
        return c


def _line(ledger, task, unit_name: str, period: Period, roster) -> TaskLine:
    s = ledger.state(task.unit, task.task_no)
    day = period.day
    done = s.status in DONE_STATUSES and s.completed is not None and s.completed <= day
    dl = task.deadline
    due = dl is not None and period.start <= dl <= period.end
    done_in = done and period.start <= s.completed <= period.end
    overdue_open = dl is not None and dl < day and not done
    done_late = done and dl is not None and s.completed > dl
    return TaskLine(task.unit, unit_name, task.task_no, task.code, task.area_code, task.area, task.group, task.title,
                    dl, task.deadline_text, s.status, s.completed, s.materials,
                    due, done, done_in, overdue_open, done_late, (day - dl).days if overdue_open else 0,
                    liaison_for(roster, task), task.deadline_note)


def build_report(ledger, units, rosters, cadence: str, day: datetime.date,
                 only: Sequence[str] | None = None) -> ProgressReport:
    """The report for ``units`` (the unit list) from a loaded ledger and rosters."""
    period = period_for(cadence, day)
    report = ProgressReport(period, ledger.as_of)
    listed = [u.id for u in units.units] if units else list(ledger.units)
    ids = list(only) if only else listed + [u for u in ledger.units if u not in listed]
    names = {u.id: u.name for u in units.units} if units else {}
    area_names: dict[str, str] = {}
    for unit in ids:
        roster = rosters.get(unit)
        counts = Counts()
        per_area: dict[str, Counts] = {}
        for task in ledger.unit_tasks(unit):
            if not task.applicable:
                continue
            line = _line(ledger, task, names.get(unit, ""), period, roster)
            report.lines.append(line)
            counts.add(line)
            per_area.setdefault(task.area_code, Counts()).add(line)
            area_names[task.area_code] = task.area
        liaison = liaison_for(roster)
        report.units.append(UnitLine(unit, names.get(unit, ""), unit in ledger.units, liaison, counts))
        for code in sorted(per_area, key=code_order):
            report.areas.append(AreaLine(unit, names.get(unit, ""), code, area_names[code], liaison, per_area[code]))
    if len(ids) > 1:
        for code in sorted(area_names, key=code_order):
            total = Counts()
            for t in report.lines:
                if t.area_code == code:
                    total.add(t)
            report.areas.append(AreaLine("", "全部单位", code, area_names[code], NO_LIAISON, total))
    return report


def progress_report(root: Path, config: ProjectConfig, fw: Framework | None, units: UnitList | None, cadence: str,
                    day: datetime.date | None = None, unit: str | None = None
                    ) -> tuple[ProgressReport | None, list[Problem]]:
    """Load the ledger and rosters of the project at ``root`` (with its ``config``, ``fw`` and ``units``
    as already read) and build the report; None with problems when it cannot be made."""
    root = Path(root)
    key = normal_cadence(cadence)
    if key is None:
        return None, [problem(PROGRESS_CADENCE_UNKNOWN, value=cadence)]
    ledger, problems = load_ledger(root, config, fw, units)
    rosters, found = load_rosters(root)
    problems += found
    day = day or ledger.as_of
    if day is None:
        return None, problems + [problem(PROGRESS_DATE_MISSING)]
    only = None
    if unit:
        if unit not in ledger.units:
            return None, problems + [problem(PROGRESS_UNIT_UNKNOWN, record=unit,
                                             hint=did_you_mean(unit, ledger.units) or "。")]
        only = [unit]
    report = build_report(ledger, units, rosters, key, day, only)
    report.problems = problems
    return report, problems


def summary_text(report: ProgressReport) -> str:
    """A few lines for the command line."""
    p, total = report.period, report.total()
    lines = [f"{p.label}；报告日期 {p.day.isoformat()}",
             f"{sum(u.imported for u in report.units)} 个单位，承担任务 {total.applicable} 项：本期到期 {total.due} 项"
             f"（其中已完成 {total.due_done} 项），本期完成 {total.done_in_period} 项，累计完成 {total.done} 项，"
             f"逾期未完成 {total.overdue_open} 项，逾期完成 {total.done_late} 项，时限未定 {total.undated} 项。"]
    missing = [u.unit for u in report.units if not u.imported]
    if missing:
        lines.append(f"{len(missing)} 个单位尚未导入任务分解表：{_first_ten(missing)}。")
    no_liaison = [u.unit for u in report.units if u.imported and not u.liaison.name]
    if no_liaison:
        lines.append(f"{len(no_liaison)} 个单位未报联络员：{_first_ten(no_liaison)}。")
    for u in report.units:
        if u.imported and u.counts.overdue_open:
            lines.append(f"  {u.unit} {u.name}：逾期未完成 {u.counts.overdue_open} 项，联络员 {u.liaison.text}")
    return "\n".join(lines)


def _first_ten(units: Sequence[str]) -> str:
    """「c1-01、c1-02…」 with 「 等」 after the tenth."""
    return "、".join(units[:10]) + (" 等" if len(units) > 10 else "")
