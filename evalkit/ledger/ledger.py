"""The task ledger (台账) of Jilin City's method (吉市办发〔2018〕15号): tasks, states, overdue events.

Each assessed unit fills the 《吉林市加快推进“只跑一次”改革任务分解表》 (seed 002 layout:
序号, 一级指标, 二级指标, 三级指标, 工作措施, 完成时限, 备注, merged 一级/二级 cells).
The project keeps (see docs/ledger.md)::

    ledger/tasks/<unit>.xlsx           the unit's imported table (validated copy)
    ledger/tasks/history/<unit>/…      earlier imports replaced with --replace
    ledger/status/<unit>/<time>-<id>.json   append-only state entries (evalkit.io.durable.write_new)
    ledger/materials/<sha256><ext>     closing materials stored as files (by hash)
    ledger/时限认定.xlsx               the lead evaluator's deadlines (单位, 序号, 完成时限, 说明)
    ledger/牵头单位.xlsx               lead departments (推进组 / 事项, 牵头单位)

Rows are mapped to the framework's tasks by 序号; the framework (jilin-city-2018,
``分值方式 = 按单位``) supplies code, 一级/二级 names and the 三级指标 text.  Deadlines are
read by :mod:`evalkit.ledger.deadlines`; the lead evaluator's value wins (source 评估组指定).
The unit's 100 points are spread over its applicable tasks (``[ledger] points`` in
evalkit.toml: ``equal`` or ``area`` with ``[ledger.area_weights]``), rounded by the
largest-remainder method at 0.01 so they add up to exactly 100.

Overdue: deadline < as-of and not done (已完成/已销账) on or before the deadline — a task
done late is still overdue once.  Each overdue task is one −5 ``overdue_task`` event.
Lead departments: a group (二级指标) whose tasks are all done on time by every unit
carrying them gives its lead +3 (``lead_group_done``); as soon as one of them is overdue,
−3 (``lead_group_failed``); otherwise no event yet.  The same for a single task
(事项 by 序号): +2 / −2.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

from evalkit.io import tables
from evalkit.ledger.deadlines import EMPTY, EXACT, FROM_TEXT, INVALID, UNREADABLE, Deadline, parse_deadline
from evalkit.scoring import Event
from evalkit.problems import ERROR, INFO, WARNING, Problem, did_you_mean, problem, register

STATUSES = ("未开始", "推进中", "已完成", "已销账")
DONE_STATUSES = ("已完成", "已销账")
STATUS_ALIASES = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成", "closed": "已销账",
                  "完成": "已完成", "销账": "已销账", "进行中": "推进中", "": "未开始"}

SOURCE_TABLE = "表格"
SOURCE_LEAD = "评估组指定"
SOURCE_FRAMEWORK = "框架"

LEDGER_DIR = "ledger"
TASKS_DIR = "ledger/tasks"
STATUS_DIR = "ledger/status"
MATERIALS_DIR = "ledger/materials"
DEADLINES_FILE = "ledger/时限认定.xlsx"
LEADS_FILE = "ledger/牵头单位.xlsx"
SHEET = "任务分解表"
SHEET_NAMES = (SHEET, "任务分解", "tasks")
TITLE = "吉林市加快推进“只跑一次”改革任务分解表"
STATUS_FORMAT = "evalkit-ledger-status-1"

COLUMNS: dict[str, tuple[str, ...]] = {
    "task_no": ("序号", "任务序号"),
    "area": ("一级指标",),
    "group": ("二级指标",),
    "title": ("三级指标",),
    "measures": ("工作措施", "具体措施"),
    "deadline": ("完成时限", "时限"),
    "note": ("备注",),
    "status": ("完成情况", "状态", "进展状态"),
    "completed": ("完成日期", "实际完成日期"),
    "materials": ("销账材料", "佐证材料", "材料"),
}
REQUIRED = ("task_no", "area", "group", "title", "measures", "deadline", "note")
TEMPLATE_HEADERS = ("序号", "一级指标", "二级指标", "三级指标", "工作措施", "完成时限", "备注")

_where_cols = {k: v[0] for k, v in COLUMNS.items()}

LEDGER_NOT_PER_UNIT = register(
    "ledger-framework-not-per-unit", ERROR,
    "项目框架 {file} 的分值方式不是「按单位」，或没有带序号的任务：台账只用于吉林市考核办法（jilin-city-2018）框架。")
LEDGER_UNIT_UNKNOWN = register(
    "ledger-unit-unknown", ERROR, "单位「{record}」不在单位名单中{hint}请使用单位名单中的单位编号。")
LEDGER_TASK_NO_INVALID = register(
    "ledger-task-no-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」的值「{value}」不是任务序号：应为 1–{last} 的整数。"
    "若整行错位，请检查各列是否与表头对齐。")
LEDGER_TASK_UNKNOWN = register(
    "ledger-task-unknown", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 不在任务分解表中（共 {last} 项）：请改正序号。")
LEDGER_TASK_DUPLICATE = register(
    "ledger-task-duplicate", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 与第 {first} 行重复：每项任务只能填写一行，请删除或改正其中一行。")
LEDGER_TASK_MISSING = register(
    "ledger-task-missing", ERROR,
    "{file} 工作表「{sheet}」缺少序号 {value} 的任务：请用 evalkit ledger template 生成的表填写全部任务，"
    "不涉及的任务在「备注」栏注明「不涉及」。")
LEDGER_ROW_SHIFTED = register(
    "ledger-row-shifted", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 的三级指标内容出现在「{column}」列，而不在「三级指标」列："
    "这一行的单元格错位了，请把各单元格移回对应的列。")
LEDGER_TITLE_DIFFERS = register(
    "ledger-title-differs", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行：序号 {value} 的三级指标「{found}」与框架不一致{hint}"
    "已按序号对应框架任务「{expected}」；若序号填错，请改正序号。")
LEDGER_DEADLINE_INVALID = register(
    "ledger-deadline-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：完成时限「{value}」不是有效日期（{detail}）：请改正，如 2018年6月30日。")
LEDGER_DEADLINE_UNREADABLE = register(
    "ledger-deadline-unreadable", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：单位 {record} 序号 {value} 的完成时限「{text}」读不出日期（{detail}）："
    "该任务暂不判断逾期。请评估组在 ledger/时限认定.xlsx 中写明该任务的完成时限（单位、序号、完成时限、说明）。")
LEDGER_DEADLINE_FROM_TEXT = register(
    "ledger-deadline-from-text", INFO,
    "{file} 工作表「{sheet}」第 {row} 行：单位 {record} 序号 {value} 的完成时限「{text}」按 {date} 计（{detail}）；"
    "如不妥，请在 ledger/时限认定.xlsx 中另行认定。")
LEDGER_DEADLINE_EMPTY = register(
    "ledger-deadline-empty", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：序号 {value} 没有填写完成时限：已按框架中的时限「{text}」计，请补填。")
LEDGER_DONE_NO_DATE = register(
    "ledger-done-no-date", ERROR,
    "{place}：单位 {record} 序号 {value} 标为「{status}」却没有完成日期：请填写完成日期，或改为「推进中」。")
LEDGER_STATUS_UNKNOWN = register(
    "ledger-status-unknown", ERROR,
    "{place}：完成情况「{status}」无法识别{hint}可用：未开始、推进中、已完成、已销账。")
LEDGER_DATE_INVALID = register(
    "ledger-date-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：完成日期「{value}」不是日期：请写成 2018-05-30 或 2018年5月30日。")
LEDGER_DATE_AFTER_AS_OF = register(
    "ledger-date-after-as-of", ERROR,
    "{place}：单位 {record} 序号 {value} 的完成日期 {date} 晚于评估截止日期 {as_of}："
    "截止日期之后的完成情况不能登记，请核对日期。")
LEDGER_CLOSE_NO_MATERIAL = register(
    "ledger-close-no-material", ERROR,
    "{place}：单位 {record} 序号 {value} 标为「已销账」却没有销账材料：请附上结项总结、实施方案、"
    "印发文件文号或会议纪要等材料。")
LEDGER_DATE_NOT_DONE = register(
    "ledger-date-not-done", ERROR,
    "{place}：单位 {record} 序号 {value} 状态为「{status}」却填写了完成日期 {date}："
    "完成日期只用于「已完成」或「已销账」，请改正状态或删去日期。")
LEDGER_NOT_APPLICABLE = register(
    "ledger-task-not-applicable", ERROR,
    "单位 {record} 的序号 {value} 在其任务分解表中标为「不涉及」：不能登记完成情况。如该任务实际涉及，请改正任务分解表后重新导入。")
LEDGER_UNIT_NOT_IMPORTED = register(
    "ledger-unit-not-imported", WARNING,
    "单位 {record} 还没有导入任务分解表：请运行 evalkit ledger import 项目 文件 --unit {record}。该单位的台账指标暂不计分。")
LEDGER_IMPORT_EXISTS = register(
    "ledger-import-exists", ERROR,
    "单位 {record} 已导入过任务分解表（{file}）：如要替换，请加 --replace（原表保存在 ledger/tasks/history/ 中）。")
LEDGER_AS_OF_MISSING = register(
    "ledger-as-of-missing", WARNING,
    "evalkit.toml 的 [evaluation] 没有设置 as_of（评估截止日期）：不判断逾期，也不检查完成日期是否晚于截止日期。"
    "请填写，如 as_of = \"2018-11-20\"。")
LEDGER_AS_OF_INVALID = register(
    "ledger-as-of-invalid", ERROR, "evalkit.toml 中 as_of「{value}」不是日期：请写成 2018-11-20。")
LEDGER_CONFIG_INVALID = register(
    "ledger-config-invalid", ERROR, "evalkit.toml 的 [ledger] 设置「{field}」无效：{detail}")
LEDGER_AREA_WEIGHT_MISSING = register(
    "ledger-area-weight-missing", ERROR,
    "evalkit.toml 的 [ledger.area_weights] 没有一级指标 {indicator}（{name}）的权重，而单位 {record} 有该领域的任务："
    "请补上权重；本次按「每项任务等分」计算该单位的分值。")
LEDGER_OVERRIDE_INVALID = register(
    "ledger-override-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{detail}")
LEDGER_OVERRIDE_UNUSED = register(
    "ledger-override-unused", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行：单位 {record} 没有导入任务分解表，这条时限认定未使用。")
LEDGER_STATE_DAMAGED = register(
    "ledger-state-damaged", ERROR, "台账状态文件 {file} 无法读取（{detail}）：请从备份恢复，不要手工修改。")
LEDGER_LEAD_INVALID = register(
    "ledger-lead-invalid", ERROR, "{file} 工作表「{sheet}」第 {row} 行「{column}」：{detail}")
LEDGER_LEAD_NO_CARRIER = register(
    "ledger-lead-no-carrier", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行：{what} 没有任何单位在任务分解表中承担：不计牵头加减分。")
LEDGER_UNIT_MISMATCH = register(
    "ledger-unit-mismatch", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行写的填报单位是「{value}」，而导入的单位是 {record}：请确认没有拿错表。")
LEDGER_MATERIAL_MISSING = register(
    "ledger-material-missing", ERROR, "销账材料文件 {file} 不存在或不是文件：请检查路径。")


# ------------------------------------------------------------------ model

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
    applicable: bool               # False when 备注 says 不涉及
    points: float                  # points for this unit (0 if not applicable)
    note: str = ""                 # 备注 as written
    row: int | None = None         # row in the imported workbook

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


@dataclass(frozen=True)
class TableRow:
    """One read row of a unit's table."""

    task_no: int
    row: int
    title: str
    measures: str
    deadline: Deadline
    note: str
    applicable: bool
    status: str = ""
    completed: datetime.date | None = None
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerSettings:
    """``[ledger]`` of evalkit.toml and the as-of date of ``[evaluation]``."""

    points: str = "equal"
    area_weights: Mapping[str, float] = field(default_factory=dict)
    as_of: datetime.date | None = None
    total: float = 100.0


# ------------------------------------------------------------------ framework tasks

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


def _norm(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", str(text))
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ settings

def read_settings(root: Path) -> tuple[LedgerSettings, list[Problem]]:
    """``[ledger]`` (points, area_weights) and ``as_of`` from ``[evaluation]``."""
    path = Path(root) / "evalkit.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return LedgerSettings(), []  # evalkit validate reports the broken file
    problems: list[Problem] = []
    as_of_text = str(data.get("evaluation", {}).get("as_of", "") or "").strip()
    as_of = None
    if as_of_text:
        try:
            as_of = datetime.date.fromisoformat(as_of_text)
        except ValueError:
            problems.append(problem(LEDGER_AS_OF_INVALID, value=as_of_text, file=str(path), field="as_of"))
    section = data.get("ledger", {})
    mode = str(section.get("points", "equal"))
    if mode not in ("equal", "area"):
        problems.append(problem(LEDGER_CONFIG_INVALID, field="points", file=str(path),
                                detail=f"「{mode}」应为 \"equal\"（每项任务等分）或 \"area\"（按一级指标权重）。"))
        mode = "equal"
    weights: dict[str, float] = {}
    for key, value in dict(section.get("area_weights", {})).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(problem(LEDGER_CONFIG_INVALID, field=f"area_weights.{key}", file=str(path),
                                    detail=f"权重「{value}」应为不小于 0 的数字。"))
        else:
            weights[str(key)] = float(value)
    if mode == "area" and not weights:
        problems.append(problem(LEDGER_CONFIG_INVALID, field="area_weights", file=str(path),
                                detail="points = \"area\" 需要 [ledger.area_weights]，如 \"1\" = 10。"))
    return LedgerSettings(mode, weights, as_of), problems


# ------------------------------------------------------------------ points

def largest_remainder(weights: Mapping[int, float], total: float = 100.0) -> dict[int, float]:
    """Split ``total`` in proportion to ``weights`` in 0.01 steps so the parts add up to exactly ``total``.

    Each part is first rounded down to 0.01; the cents left over go one each to the parts with
    the largest remainders (ties: the smaller key first) — the largest-remainder (Hamilton) method.
    """
    cents = round(total * 100)
    mass = sum(weights.values())
    if not weights or mass <= 0:
        return {k: 0.0 for k in weights}
    exact = {k: cents * w / mass for k, w in weights.items()}
    floor = {k: int(v) for k, v in exact.items()}
    left = cents - sum(floor.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - floor[k]), k))[:left]:
        floor[k] += 1
    return {k: floor[k] / 100 for k in weights}


def allocate_points(fw_tasks: Mapping[int, FrameworkTask], applicable: Sequence[int], settings: LedgerSettings,
                    unit: str = "", names: Mapping[str, str] | None = None) -> tuple[dict[int, float], list[Problem]]:
    """Points per applicable 序号 (others 0): equal, or by area weight then equal within the area."""
    applicable = sorted(applicable)
    problems: list[Problem] = []
    weights: dict[int, float] = {n: 1.0 for n in applicable}
    if settings.points == "area" and applicable:
        areas: dict[str, list[int]] = {}
        for n in applicable:
            areas.setdefault(fw_tasks[n].area_code, []).append(n)
        missing = [a for a in areas if a not in settings.area_weights]
        for a in missing:
            problems.append(problem(LEDGER_AREA_WEIGHT_MISSING, indicator=a, name=fw_tasks[areas[a][0]].area,
                                    record=unit))
        if not missing and sum(settings.area_weights[a] for a in areas) > 0:
            # two steps, each by largest remainder at 0.01: the total over the areas, then each area's share
            # over its tasks — so both every area and the unit add up exactly
            area_points = largest_remainder({i: settings.area_weights[a] for i, a in enumerate(areas)}, settings.total)
            points: dict[int, float] = {}
            for i, ns in enumerate(areas.values()):
                points.update(largest_remainder({n: 1.0 for n in ns}, area_points[i]))
            return {n: points.get(n, 0.0) for n in fw_tasks}, problems
    points = largest_remainder(weights, settings.total)
    return {n: points.get(n, 0.0) for n in fw_tasks}, problems


# ------------------------------------------------------------------ reading a unit's table

def _find_table_sheet(wb, file: str):
    ws, problems = tables.find_sheet(wb, file, SHEET_NAMES)
    if ws is not None:
        return ws, []
    for candidate in wb.worksheets:
        for row in candidate.iter_rows(min_row=1, max_row=10, values_only=True):
            cells = {tables.text(c) for c in row}
            if "序号" in cells and "三级指标" in cells:
                return candidate, []
    return None, problems


def _parse_date_cell(value: object) -> datetime.date | None | str:
    """A completion date cell: date, None (empty) or the text when unreadable."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = tables.text(value)
    if not text:
        return None
    found = parse_deadline(text)
    return found.date if found.kind == EXACT and found.date else text


def normalize_status(text: str) -> str | None:
    text = str(text or "").strip()
    if text in STATUSES:
        return text
    return STATUS_ALIASES.get(text.lower(), STATUS_ALIASES.get(text))


def split_materials(text: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in re.split(r"[；;\n]", str(text or "")) if m.strip())


def read_task_table(path: Path, fw_tasks: Mapping[int, FrameworkTask], unit: str, *,
                    default_year: int | None = None, as_of: datetime.date | None = None, check_states: bool = True,
                    unit_name: str = "") -> tuple[list[TableRow] | None, list[Problem]]:
    """Read and check one unit's 任务分解表; None when it cannot be read at all.

    ``check_states=False`` skips the completion columns (an imported table's states are
    already state entries)."""
    file = str(path)
    wb, problems = tables.open_workbook(Path(path))
    if wb is None:
        return None, problems
    ws, problems = _find_table_sheet(wb, file)
    if ws is None:
        return None, problems
    table = tables.sheet_table(ws, file, header_hint=("序号", "三级指标", "完成时限"))
    cols, problems = tables.map_columns(table, COLUMNS, REQUIRED)
    problems = [p for p in problems if p.code != "column-unknown"] + \
        [replace(p, severity=INFO) for p in problems if p.code == "column-unknown"]
    if any(p.code == "column-missing" for p in problems):
        return None, problems
    sheet = ws.title
    last = max(fw_tasks) if fw_tasks else 0
    for r, cells in enumerate(ws.iter_rows(max_row=table.header_row - 1, values_only=True), start=1):
        for cell in cells:
            named = re.search(r"填报单位[:：]\s*(.*?)\s*(?:[（(]\s*([^（）()]+?)\s*[）)])?\s*$", tables.text(cell))
            written = {x for x in (named.group(1), named.group(2)) if x} if named else set()
            if written and not written & {unit, unit_name}:
                problems.append(problem(LEDGER_UNIT_MISMATCH, file=file, sheet=sheet, row=r, record=unit,
                                        value=named.group(2) or named.group(1)))
    titles = {_norm(t.title): n for n, t in fw_tasks.items()}
    rows: list[TableRow] = []
    first_row: dict[int, int] = {}

    def at(key: str, row: int) -> dict:
        return {"file": file, "sheet": sheet, "row": row, "column": cols.header.get(key, _where_cols[key])}

    for row, cells in table.rows:
        raw_no = tables.clean(cols.get(cells, "task_no"))
        if raw_no in COLUMNS["task_no"]:
            continue  # the header repeated (a table printed across pages)
        if raw_no == "" and not any(tables.text(cols.get(cells, k)) for k in ("title", "measures", "deadline")):
            continue  # a blank or continuation line of a merged cell
        if isinstance(raw_no, bool) or not (isinstance(raw_no, int) or (isinstance(raw_no, str) and raw_no.isdigit())):
            problems.append(problem(LEDGER_TASK_NO_INVALID, value=tables.text(raw_no), last=last, **at("task_no", row)))
            continue
        task_no = int(raw_no)
        if task_no not in fw_tasks:
            problems.append(problem(LEDGER_TASK_UNKNOWN, value=task_no, last=last, **at("task_no", row)))
            continue
        if task_no in first_row:
            problems.append(problem(LEDGER_TASK_DUPLICATE, value=task_no, first=first_row[task_no],
                                    **at("task_no", row)))
            continue
        first_row[task_no] = row
        expected = fw_tasks[task_no]
        title = tables.text(cols.get(cells, "title"))
        if _norm(title) != _norm(expected.title):
            elsewhere = [k for k in ("area", "group", "measures", "deadline", "note")
                         if _norm(tables.text(cols.get(cells, k))) == _norm(expected.title)]
            if elsewhere:
                problems.append(problem(LEDGER_ROW_SHIFTED, value=task_no, **at(elsewhere[0], row)))
                continue
            other = titles.get(_norm(title))
            hint = (f"：该内容是序号 {other} 的三级指标。" if other else
                    did_you_mean(title, [t.title for t in fw_tasks.values()]) or "。") if title else "。"
            problems.append(problem(LEDGER_TITLE_DIFFERS, value=task_no, found=title[:40] or "（空）",
                                    expected=expected.title[:40],
                                    hint=hint, **at("title", row)))
        deadline_cell = cols.get(cells, "deadline")
        deadline = parse_deadline(deadline_cell, default_year)
        if deadline.kind == INVALID:
            problems.append(problem(LEDGER_DEADLINE_INVALID, value=deadline.text, detail=deadline.detail,
                                    **at("deadline", row)))
        elif deadline.kind == EMPTY:
            problems.append(problem(LEDGER_DEADLINE_EMPTY, value=task_no, text=expected.deadline_text,
                                    **at("deadline", row)))
        note = tables.text(cols.get(cells, "note"))
        status_text = tables.text(cols.get(cells, "status")) if check_states else ""
        status = normalize_status(status_text) if status_text else ""
        if status is None:
            where = at("status", row)
            problems.append(problem(LEDGER_STATUS_UNKNOWN, status=status_text, place=_place(where),
                                    hint=did_you_mean(status_text, STATUSES) or "。", **where))
            status = ""
        completed = _parse_date_cell(cols.get(cells, "completed")) if check_states else None
        if isinstance(completed, str):
            problems.append(problem(LEDGER_DATE_INVALID, value=completed, **at("completed", row)))
            completed = None
        materials = split_materials(tables.text(cols.get(cells, "materials")))
        if status:
            where = {**at("completed" if "completed" in cols.index else "status", row), "record": unit}
            problems += state_problems(status, completed, materials, as_of, task_no, where)
        rows.append(TableRow(task_no, row, title, tables.text(cols.get(cells, "measures")), deadline, note,
                             "不涉及" not in note, status, completed, materials))
    for task_no in fw_tasks:
        if task_no not in first_row:
            problems.append(problem(LEDGER_TASK_MISSING, file=file, sheet=sheet, value=task_no))
    return rows, problems


def _place(where: dict) -> str:
    return f"{where['file']} 工作表「{where['sheet']}」第 {where['row']} 行「{where['column']}」"


def state_problems(status: str, completed: datetime.date | None, materials: Sequence[str],
                   as_of: datetime.date | None, task_no: int, where: dict) -> list[Problem]:
    """The rules for one state: done needs a date, 已销账 a material, no date after as-of."""
    place = _place(where) if where.get("sheet") else "登记完成情况"
    where = {**where, "place": place}
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


# ------------------------------------------------------------------ lead evaluator's deadlines

@dataclass(frozen=True)
class Override:
    unit: str          # unit id, or "*" for every unit
    task_no: int
    deadline: datetime.date
    text: str
    note: str
    row: int


def read_overrides(root: Path, fw_tasks: Mapping[int, FrameworkTask], unit_ids: set[str] | None,
                   default_year: int | None = None) -> tuple[dict[tuple[str, int], Override], list[Problem]]:
    """``ledger/时限认定.xlsx``: 单位 (编号, or 全部/* for every unit), 序号, 完成时限, 说明."""
    path = Path(root) / DEADLINES_FILE
    if not path.exists():
        return {}, []
    file = str(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return {}, problems
    ws = wb.worksheets[0]
    table = tables.sheet_table(ws, file, header_hint=("序号", "单位"))
    spec = {"unit": ("单位", "单位编号"), "task_no": ("序号",), "deadline": ("完成时限", "时限"), "note": ("说明", "理由")}
    cols, problems = tables.map_columns(table, spec, ("unit", "task_no", "deadline"))
    if any(p.is_error for p in problems):
        return {}, problems
    out: dict[tuple[str, int], Override] = {}
    for row, cells in table.rows:
        def bad(key: str, detail: str) -> Problem:
            return problem(LEDGER_OVERRIDE_INVALID, file=file, sheet=ws.title, row=row,
                           column=cols.header.get(key, spec[key][0]), detail=detail)
        unit = tables.text(cols.get(cells, "unit"))
        unit = "*" if unit in ("全部", "*", "所有单位") else unit
        if unit != "*" and unit_ids is not None and unit not in unit_ids:
            problems.append(bad("unit", f"单位「{unit}」不在单位名单中{did_you_mean(unit, unit_ids) or '。'}"
                                        "请填写单位编号，或填「全部」。"))
            continue
        raw_no = tables.text(cols.get(cells, "task_no"))
        if not raw_no.isdigit() or int(raw_no) not in fw_tasks:
            problems.append(bad("task_no", f"序号「{raw_no}」不在任务分解表中：请填写 1–{max(fw_tasks, default=0)} 的序号。"))
            continue
        value = cols.get(cells, "deadline")
        parsed = parse_deadline(value, default_year)
        if parsed.date is None:
            problems.append(bad("deadline", f"完成时限「{tables.text(value)}」不是明确的日期：请写成 2018-06-30。"))
            continue
        key = (unit, int(raw_no))
        if key in out:
            problems.append(bad("task_no", f"单位「{unit}」序号 {raw_no} 已在第 {out[key].row} 行认定过：请只保留一行。"))
            continue
        out[key] = Override(unit, int(raw_no), parsed.date, tables.text(value),
                            tables.text(cols.get(cells, "note")), row)
    return out, problems


# ------------------------------------------------------------------ building tasks

def build_tasks(unit: str, rows: Sequence[TableRow], fw_tasks: Mapping[int, FrameworkTask],
                overrides: Mapping[tuple[str, int], Override], settings: LedgerSettings, file: str = "",
                sheet: str = SHEET) -> tuple[list[Task], list[Problem]]:
    """The unit's tasks with deadlines (lead evaluator's value wins) and points."""
    by_no = {r.task_no: r for r in rows}
    points, problems = allocate_points(fw_tasks, [n for n, r in by_no.items() if r.applicable], settings, unit)
    tasks = []
    for n, ft in fw_tasks.items():
        r = by_no.get(n)
        if r is None:
            continue
        chosen = overrides.get((unit, n)) or overrides.get(("*", n))
        where = {"file": file, "sheet": sheet, "row": r.row, "column": "完成时限", "record": unit, "value": n}
        if chosen is not None:
            date, text, source = chosen.deadline, chosen.text, SOURCE_LEAD
        elif r.deadline.kind == EMPTY:
            fallback = parse_deadline(ft.deadline_text, settings.as_of.year if settings.as_of else None)
            date, text, source = fallback.date, ft.deadline_text, SOURCE_FRAMEWORK
        else:
            date, text, source = r.deadline.date, r.deadline.text, SOURCE_TABLE
            if r.applicable and r.deadline.kind == UNREADABLE:
                problems.append(problem(LEDGER_DEADLINE_UNREADABLE, text=text, detail=r.deadline.detail, **where))
            elif r.applicable and r.deadline.kind == FROM_TEXT:
                problems.append(problem(LEDGER_DEADLINE_FROM_TEXT, text=text, date=date.isoformat(),
                                        detail=r.deadline.detail, **where))
        tasks.append(Task(unit=unit, task_no=n, code=ft.code, area=ft.area, group=ft.group, title=ft.title,
                          measures=r.measures, deadline=date, deadline_text=text, deadline_source=source,
                          applicable=r.applicable, points=points[n] if r.applicable else 0.0, note=r.note, row=r.row))
    return tasks, problems


# ------------------------------------------------------------------ the project ledger

def _load_project_basics(root: Path):
    from evalkit.framework import POINTS_PER_UNIT, read_framework
    from evalkit.config import load_config
    from evalkit.config import read_units

    config, problems = load_config(Path(root))
    fw, found = read_framework(config.framework_path)
    problems += [p for p in found if p.is_error]
    units, found = read_units(config.units_path)
    problems += [p for p in found if p.is_error]
    fw_tasks = framework_tasks(fw) if fw is not None else {}
    if fw is not None and (fw.points_mode != POINTS_PER_UNIT or not fw_tasks):
        problems.append(problem(LEDGER_NOT_PER_UNIT, file=str(config.framework_path)))
        fw_tasks = {}
    return fw, units, fw_tasks, problems


def load_ledger(root: Path) -> tuple[Ledger, list[Problem]]:
    """Every imported unit's tasks (with points and deadlines) and the latest state of each task."""
    root = Path(root)
    fw, units, fw_tasks, problems = _load_project_basics(root)
    settings, found = read_settings(root)
    problems += found
    unit_ids = {u.id for u in units.units} if units else None
    year = settings.as_of.year if settings.as_of else None
    overrides, found = read_overrides(root, fw_tasks, unit_ids, year)
    problems += found
    tasks: list[Task] = []
    imported: list[str] = []
    if fw_tasks:
        for path in sorted((root / TASKS_DIR).glob("*.xlsx")):
            unit = path.stem
            if path.name.startswith("~$"):
                continue
            name = units.get(unit).name if units and units.get(unit) else ""
            rows, found = read_task_table(path, fw_tasks, unit, default_year=year, as_of=settings.as_of,
                                          check_states=False, unit_name=name)
            problems += found
            if rows is None or any(p.is_error for p in found):
                continue
            built, found = build_tasks(unit, rows, fw_tasks, overrides, settings, str(path))
            problems += found
            tasks += built
            imported.append(unit)
    for (unit, _), o in overrides.items():
        if unit != "*" and unit not in imported:
            problems.append(problem(LEDGER_OVERRIDE_UNUSED, file=str(root / DEADLINES_FILE), sheet="", row=o.row,
                                    record=unit))
    history, found = _read_states(root, imported)
    problems += found
    latest: dict[tuple[str, int], TaskState] = {}
    for s in history:
        latest[(s.unit, s.task_no)] = s
    return Ledger(tuple(tasks), tuple(latest.values()), tuple(history), settings.as_of, tuple(imported)), problems


def _read_states(root: Path, units: Sequence[str]) -> tuple[list[TaskState], list[Problem]]:
    from evalkit.io.durable import loads

    states, problems = [], []
    for unit in units:
        for path in sorted((root / STATUS_DIR / unit).glob("*.json")):
            try:
                d = loads(path.read_bytes())
                completed = datetime.date.fromisoformat(d["completed"]) if d.get("completed") else None
                states.append(TaskState(d["unit"], int(d["task_no"]), d["status"], completed,
                                        tuple(d.get("materials", ())), d.get("who", ""), d.get("note", ""),
                                        d.get("at", ""), path.stem))
                if d["status"] not in STATUSES or d["unit"] != unit:
                    raise ValueError("状态或单位不符")
            except (ValueError, KeyError, TypeError, OSError) as exc:
                problems.append(problem(LEDGER_STATE_DAMAGED, file=str(path), detail=type(exc).__name__))
    return states, problems


# ------------------------------------------------------------------ recording states

def _status_document(unit: str, task_no: int, status: str, completed: datetime.date | None,
                     materials: Sequence[str], who: str, note: str, at: str) -> dict:
    return {"format": STATUS_FORMAT, "unit": unit, "task_no": task_no, "status": status,
            "completed": completed.isoformat() if completed else None, "materials": list(materials),
            "who": who, "note": note, "at": at}


def _check_state(ledger: Ledger, unit: str, task_no: int, status: str, completed, materials, where: dict
                 ) -> list[Problem]:
    task = ledger.task(unit, task_no)
    if unit not in ledger.units:
        return [problem(LEDGER_UNIT_NOT_IMPORTED, record=unit, severity=ERROR)]
    if task is None:
        return [problem(LEDGER_TASK_UNKNOWN, value=task_no, last=max((t.task_no for t in ledger.unit_tasks(unit)),
                                                                      default=0), record=unit, **where)]
    if not task.applicable:
        return [problem(LEDGER_NOT_APPLICABLE, record=unit, value=task_no)]
    if status not in STATUSES:
        return [problem(LEDGER_STATUS_UNKNOWN, status=status, hint=did_you_mean(status, STATUSES) or "。",
                        record=unit, place="登记完成情况", **where)]
    return state_problems(status, completed, materials, ledger.as_of, task_no, {**where, "record": unit})


def record_status(root: Path, unit: str, task_no: int, *, status: str, completed: datetime.date | None,
                  materials: Sequence[str], who: str, note: str = "", now: datetime.datetime | None = None
                  ) -> tuple[TaskState | None, list[Problem]]:
    """Append one state entry (``ledger/status/<unit>/<time>-<id>.json``); problems and nothing written on error."""
    from evalkit.io.durable import dumps, new_id, now_or, write_new

    root = Path(root)
    ledger, problems = load_ledger(root)
    status = normalize_status(status) or status
    materials = tuple(str(m).strip() for m in materials if str(m).strip())
    found = _check_state(ledger, unit, task_no, status, completed, materials,
                         {"file": "", "sheet": "", "field": "status"})
    if any(p.is_error for p in found):
        return None, found
    stamp = now_or(now)
    entry_id = f"{stamp.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%S%fZ}-{new_id()}"
    doc = _status_document(unit, task_no, status, completed, materials, who, note, stamp.isoformat())
    write_new(root / STATUS_DIR / unit / f"{entry_id}.json", dumps(doc))
    return TaskState(unit, task_no, status, completed, materials, who, note, stamp.isoformat(), entry_id), found


def store_material(root: Path, path: Path) -> tuple[str | None, list[Problem]]:
    """Keep a closing material file by its hash (``ledger/materials/<sha256><ext>``); returns its reference."""
    from evalkit.io.durable import write_new

    path = Path(path)
    if not path.is_file():
        return None, [problem(LEDGER_MATERIAL_MISSING, file=str(path))]
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    ext = path.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,8}", path.suffix.lower()) else ""
    target = Path(root) / MATERIALS_DIR / f"{digest}{ext}"
    if not target.exists():
        write_new(target, data)
    return f"文件「{path.name}」 sha256:{digest}", []


# ------------------------------------------------------------------ importing a table

def import_table(root: Path, source: Path, unit: str, *, replace_existing: bool = False,
                 who: str = "", now: datetime.datetime | None = None) -> tuple[Path | None, list[Problem]]:
    """Validate a unit's table and copy it to ``ledger/tasks/<unit>.xlsx``; nothing written on any error.

    Completion columns in the table (完成情况, 完成日期, 销账材料) become state entries.
    An earlier import is kept in ``ledger/tasks/history/<unit>/<sha256>.xlsx`` when replaced.
    """
    from evalkit.io.durable import dumps, ensure_dir, new_id, now_or, write_new, write_temp
    from evalkit.config import is_safe_id

    root = Path(root)
    fw, units, fw_tasks, problems = _load_project_basics(root)
    if fw is None or units is None or not fw_tasks:
        return None, problems
    settings, found = read_settings(root)
    problems += found
    ids = [u.id for u in units.units]
    if unit not in ids or not is_safe_id(unit):
        names = {u.name: u.id for u in units.units}
        hint = f"：「{unit}」是单位 {names[unit]} 的名称。" if unit in names else did_you_mean(unit, ids) or "。"
        return None, problems + [problem(LEDGER_UNIT_UNKNOWN, record=unit, hint=hint)]
    year = settings.as_of.year if settings.as_of else None
    rows, found = read_task_table(Path(source), fw_tasks, unit, default_year=year, as_of=settings.as_of,
                                  unit_name=units.get(unit).name)
    problems += found
    target = root / TASKS_DIR / f"{unit}.xlsx"
    if target.exists() and not replace_existing:
        problems.append(problem(LEDGER_IMPORT_EXISTS, record=unit, file=str(target)))
    if rows is None or any(p.is_error for p in problems):
        return None, problems
    overrides, _ = read_overrides(root, fw_tasks, set(ids), year)
    _, found = build_tasks(unit, rows, fw_tasks, overrides, settings, str(source))
    problems += found
    data = Path(source).read_bytes()
    if target.exists():
        old = target.read_bytes()
        keep = root / TASKS_DIR / "history" / unit / f"{hashlib.sha256(old).hexdigest()}.xlsx"
        if not keep.exists():
            write_new(keep, old)
    ensure_dir(target.parent)
    tmp = write_temp(target.parent, target.name, data)
    os.replace(tmp, target)
    stamp = now_or(now)
    for r in rows:
        if r.status:
            entry_id = f"{stamp.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%S%fZ}-{new_id()}"
            doc = _status_document(unit, r.task_no, r.status, r.completed, r.materials,
                                   who or f"导入：{Path(source).name}", f"随任务分解表第 {r.row} 行导入", stamp.isoformat())
            write_new(root / STATUS_DIR / unit / f"{entry_id}.json", dumps(doc))
    return target, problems


# ------------------------------------------------------------------ template

def write_template(fw, path: Path, unit_id: str = "", unit_name: str = "") -> Path:
    """The blank 任务分解表 for a unit (seed 002 layout): merged 一级/二级 cells, 工作措施 empty,
    完成时限 prefilled as written in the framework."""
    from openpyxl.styles import Alignment, Border, Font, Side

    from evalkit.io.xlsx import FONT_NAME, HEADER_FILL, display_width, new_workbook, put, save

    tasks = list(framework_tasks(fw).values())
    wb = new_workbook()
    ws = wb.create_sheet(SHEET)
    put(ws, 1, 1, TITLE, bold=True).font = Font(name=FONT_NAME, bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_HEADERS))
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    put(ws, 2, 1, f"填报单位：{unit_name}（{unit_id}）" if unit_id else "填报单位：")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(TEMPLATE_HEADERS))
    header_row = 3
    thin = Side(style="thin", color="888888")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, h in enumerate(TEMPLATE_HEADERS, start=1):
        cell = put(ws, header_row, c, h, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
    first = header_row + 1
    for i, t in enumerate(tasks):
        r = first + i
        for c, value in enumerate((t.task_no, t.area, t.group, t.title, "", t.deadline_text, ""), start=1):
            cell = put(ws, r, c, value)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = border
        lines = max(-(-display_width(t.title) // 56), -(-display_width(t.deadline_text) // 20), 1)
        ws.row_dimensions[r].height = 15 * lines + 3
    for col, key in ((2, "area_code"), (3, "group_code")):
        start = 0
        for i in range(1, len(tasks) + 1):
            if i == len(tasks) or getattr(tasks[i], key) != getattr(tasks[start], key):
                if i - 1 > start:
                    ws.merge_cells(start_row=first + start, start_column=col, end_row=first + i - 1, end_column=col)
                start = i
    for letter, width in zip("ABCDEFG", (6, 16, 22, 60, 40, 22, 12)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(first, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return save(wb, path)


# ------------------------------------------------------------------ events

def _deadline_words(task: Task) -> str:
    if task.deadline is None:
        return f"完成时限「{task.deadline_text}」"
    written = "" if task.deadline_text in ("", task.deadline.isoformat()) else f"（{task.deadline_source}：{task.deadline_text}）"
    return f"完成时限 {task.deadline.isoformat()}{written}"


def overdue_events(ledger: Ledger, as_of: datetime.date) -> list[Event]:
    """One −5 ``overdue_task`` event per overdue task, the task and deadline in its evidence."""
    events = []
    for t in ledger.overdue(as_of):
        s = ledger.state(t.unit, t.task_no)
        done = (f"{s.completed.isoformat()} 完成（逾期）" if s.status in DONE_STATUSES and s.completed
                else f"截至 {as_of.isoformat()} 状态「{s.status}」")
        evidence = f"台账 序号 {t.task_no}（指标 {t.code}）「{_short(t.title)}」：{_deadline_words(t)}，{done}"
        events.append(Event(id=f"overdue-{t.unit}-{t.task_no}", unit=t.unit, kind="overdue_task", evidence=evidence,
                            note=f"序号 {t.task_no}；完成时限 {t.deadline.isoformat()}", task=str(t.task_no)))
    return events


def _short(text: str, n: int = 30) -> str:
    text = _norm(text)
    return text if len(text) <= n else text[:n] + "…"


@dataclass(frozen=True)
class Lead:
    """A lead department: ``group`` (二级指标 code) or ``task_no`` (a single reform item)."""

    unit: str
    group: str = ""
    task_no: int | None = None
    row: int = 0


def read_leads(root: Path, fw, units) -> tuple[list[Lead], list[Problem]]:
    """``ledger/牵头单位.xlsx``: 推进组 (二级指标编码或名称) or 事项 (序号), 牵头单位 (编号或名称)."""
    path = Path(root) / LEADS_FILE
    if not path.exists() or fw is None:
        return [], []
    file = str(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return [], problems
    ws = wb.worksheets[0]
    table = tables.sheet_table(ws, file, header_hint=("牵头单位",))
    spec = {"group": ("推进组", "二级指标"), "item": ("事项", "序号"), "unit": ("牵头单位",)}
    cols, problems = tables.map_columns(table, spec, ("unit",))
    if any(p.is_error for p in problems):
        return [], problems
    fw_tasks = framework_tasks(fw)
    groups = {t.group_code: t.group for t in fw_tasks.values()}
    by_name = {_norm(name): code for code, name in groups.items()}
    unit_ids = {u.id: u.id for u in units.units} if units else {}
    unit_ids.update({u.name: u.id for u in units.units} if units else {})
    leads = []
    for row, cells in table.rows:
        def bad(key: str, detail: str) -> Problem:
            return problem(LEDGER_LEAD_INVALID, file=file, sheet=ws.title, row=row,
                           column=cols.header.get(key, spec[key][0]), detail=detail)
        unit_text = tables.text(cols.get(cells, "unit"))
        unit = unit_ids.get(unit_text)
        if unit is None:
            problems.append(bad("unit", f"牵头单位「{unit_text}」不在单位名单中{did_you_mean(unit_text, unit_ids) or '。'}"))
            continue
        group_text, item_text = tables.text(cols.get(cells, "group")), tables.text(cols.get(cells, "item"))
        if bool(group_text) == bool(item_text):
            problems.append(bad("group", "每行只填「推进组」（二级指标编码，如 2.3）或「事项」（任务序号）其中之一。"))
            continue
        if group_text:
            code = group_text if group_text in groups else by_name.get(_norm(group_text))
            if code is None:
                problems.append(bad("group", f"推进组「{group_text}」不是框架中的二级指标"
                                             f"{did_you_mean(group_text, list(groups) + list(groups.values())) or '。'}"))
                continue
            leads.append(Lead(unit, group=code, row=row))
        else:
            if not item_text.isdigit() or int(item_text) not in fw_tasks:
                problems.append(bad("item", f"事项「{item_text}」不是任务序号：请填写 1–{max(fw_tasks, default=0)}。"))
                continue
            leads.append(Lead(unit, task_no=int(item_text), row=row))
    return leads, problems


def lead_events(ledger: Ledger, leads: Sequence[Lead], as_of: datetime.date, file: str = ""
                ) -> tuple[list[Event], list[Problem]]:
    """±3 per group, ±2 per single item: done when every carrying unit finished on time, failed once one is overdue."""
    events, problems = [], []
    for lead in leads:
        carried = [t for t in ledger.tasks if t.applicable and
                   (t.group_code == lead.group if lead.group else t.task_no == lead.task_no)]
        what = f"推进组 {lead.group}" if lead.group else f"事项 序号 {lead.task_no}"
        if not carried:
            problems.append(problem(LEDGER_LEAD_NO_CARRIER, file=file, sheet="", row=lead.row, what=what))
            continue
        late = [t for t in carried if ledger.is_overdue(t, as_of)]
        on_time = all(t.deadline is not None and ledger.done_by(t, min(t.deadline, as_of)) for t in carried)
        kind_base = "lead_group" if lead.group else "lead_item"
        if late:
            kind = f"{kind_base}_failed"
            detail = "；".join(f"{t.unit} 序号 {t.task_no} {_deadline_words(t)} 未按时完成" for t in late[:5])
        elif on_time:
            kind = f"{kind_base}_done"
            detail = f"{len(carried)} 项任务均在时限内完成"
        else:
            continue
        name = carried[0].group if lead.group else _short(carried[0].title)
        events.append(Event(id=f"lead-{lead.unit}-{'group-' + lead.group if lead.group else 'item-' + str(lead.task_no)}",
                            unit=lead.unit, kind=kind, evidence=f"牵头{what}「{name}」：{detail}",
                            task=lead.group or str(lead.task_no)))
    return events, problems


# ------------------------------------------------------------------ scoring

def unit_framework(fw, ledger: Ledger, unit: str):
    """The framework as it applies to ``unit``: task leaves get the unit's points, tasks not applicable
    (and groups / areas left empty) drop out, parents get the sum of their children."""
    tasks = {t.code: t for t in ledger.unit_tasks(unit)}
    if not tasks:
        return fw
    drop = {code for code, t in tasks.items() if not t.applicable}
    inds = [i for i in fw.indicators if i.code not in drop]
    codes = {i.code for i in inds}
    while True:  # parents whose children all dropped
        parents = {i.parent_code for i in inds if i.parent_code}
        empty = {i.code for i in inds if i.code not in parents and fw.children(i.code) and
                 all(c.code not in codes for c in fw.children(i.code))}
        if not empty:
            break
        inds = [i for i in inds if i.code not in empty]
        codes -= empty
    points = {code: t.points for code, t in tasks.items() if code in codes}
    for ind in sorted(inds, key=lambda i: -i.level):
        kids = [k for k in inds if k.parent_code == ind.code]
        if ind.code in points or not kids:
            continue
        values = [points.get(k.code, k.points) for k in kids]
        if all(v is not None for v in values):
            points[ind.code] = round(sum(values), 2)
    new = tuple(replace(i, points=points.get(i.code, i.points)) for i in inds)
    return replace(fw, indicators=new)


def ledger_leaf(ind, task: Task | None, state: TaskState, as_of: datetime.date | None):
    """A task leaf's score for one unit: full points when done/closed on or before as-of."""
    from evalkit.scoring import LeafScore

    base = dict(unit=state.unit, indicator=ind.code, name=ind.name, rule=ind.rule, kind="ledger")
    if task is None:
        return LeafScore(points=ind.points or 0.0, score=None, status="ledger_missing",
                         figures="该单位未导入任务分解表（或该任务不在表中），不计分", **base)
    done = state.status in DONE_STATUSES and state.completed is not None and (as_of is None or state.completed <= as_of)
    parts = [f"台账 序号 {task.task_no}，状态「{state.status}」"]
    if state.completed:
        parts.append(f"完成日期 {state.completed.isoformat()}")
    parts.append(_deadline_words(task))
    if state.materials:
        parts.append("材料：" + "；".join(state.materials))
    if as_of is not None:
        parts.append(f"截止日期 {as_of.isoformat()}")
    figures = "，".join(parts) + f"：得 {task.points if done else 0:g}/{task.points:g} 分"
    return LeafScore(points=task.points, score=task.points if done else 0.0, status="scored", figures=figures, n=1,
                     fraction=1.0 if done else 0.0, records=state.materials, **base)


def scoring_inputs(root: Path, fw, units) -> tuple[Ledger | None, list[Event], list[Problem]]:
    """What :func:`evalkit.scoring.score.score_project` needs for a per-unit framework: the ledger,
    the overdue and lead events, and the problems (units without a table, unreadable deadlines …)."""
    from evalkit.framework import POINTS_PER_UNIT

    if fw is None or fw.points_mode != POINTS_PER_UNIT:
        return None, [], []
    ledger, problems = load_ledger(root)
    problems = [p for p in problems if p.code != "ledger-deadline-from-text"]
    for u in units.units if units else ():
        if u.id not in ledger.units:
            problems.append(problem(LEDGER_UNIT_NOT_IMPORTED, record=u.id))
    if ledger.as_of is None:
        problems.append(problem(LEDGER_AS_OF_MISSING, file=str(Path(root) / "evalkit.toml")))
        return ledger, [], problems
    events = overdue_events(ledger, ledger.as_of)
    leads, found = read_leads(root, fw, units)
    problems += found
    more, found = lead_events(ledger, leads, ledger.as_of, str(Path(root) / LEADS_FILE))
    return ledger, events + more, problems + found
