"""Liaison rosters (联络信息表) of seed 000 (吉政办函〔2018〕37号 附件), one per unit.

The published form has two tables, each on its own sheet or both stacked in one sheet
(blank rows between them are fine):

* 表一 「“只跑一次”改革领导小组成员联络信息表」: 单位（公章）, then rows 组长 / 副组长 /
  联络员 with 姓名, 职务, 电话, 传真, 手机, 邮箱.  第二条（一）: 「领导小组成员至少有 3 人，
  包括组长、副组长和联络员各 1 人」 — each of the three roles is required.
* 表二 「“只跑一次”改革任务推进组成员联络信息表」: per 任务名称 the same rows.  第二条（二）:
  the group has a 组长 and 「设一名联络员」; its 副组长 is optional (「可由…担任」).  A 表二 left
  blank as published is no problem.

The role cell is read without spaces (the form writes 「组 长」).  Numbers are checked:
fixed lines 电话 / 传真 ``[区号 + 连接号] 7–8 位号码`` (0431—88904981, 0431-88904981,
（0431）88904981, 88904981; several numbers separated by 、，；/ and an extension 转 123
allowed), 手机 11 digits ``1[3-9]xxxxxxxxx`` (spaces or dashes between groups allowed, +86
prefix allowed), 邮箱 ``name@domain.tld`` in half-width characters.

A validated roster is kept as ``ledger/roster/<unit>.xlsx`` (never overwritten silently:
``replace_existing`` keeps the earlier one in ``ledger/roster/history/<unit>/<sha256>.xlsx``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from evalkit.io import tables
from evalkit.problems import ERROR, WARNING, Problem, did_you_mean, problem, register

ROSTER_DIR = "ledger/roster"
ROLES = ("组长", "副组长", "联络员")
LEADERSHIP = "领导小组"
TASK_GROUP = "任务推进组"
FORM_TITLE = "“只跑一次”改革联络信息表"
TABLE_ONE = "表一：“只跑一次”改革领导小组成员联络信息表"
TABLE_TWO = "表二：“只跑一次”改革任务推进组成员联络信息表"
HEADERS = ("小组职务", "姓名", "职务", "电话", "传真", "手机", "邮箱")
ROLE_LABELS = {"组长": "组 长", "副组长": "副组长", "联络员": "联络员"}

COLUMNS: dict[str, tuple[str, ...]] = {
    "role": ("小组职务", "小组职位", "组内职务"),
    "name": ("姓名",),
    "title": ("职务", "职务（职称）", "行政职务"),
    "phone": ("电话", "办公电话", "固定电话"),
    "fax": ("传真",),
    "mobile": ("手机", "手机号", "手机号码", "移动电话"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "e-mail", "email"),
}
REQUIRED_COLUMNS = ("role", "name", "phone", "fax", "mobile", "email")
_zh = {k: v[0] for k, v in COLUMNS.items()}

ROSTER_UNIT_UNKNOWN = register(
    "roster-unit-unknown", ERROR, "单位「{record}」不在单位名单中{hint}请使用单位名单中的单位编号（如 c1-01）。")
ROSTER_EXISTS = register(
    "roster-exists", ERROR,
    "单位 {record} 已导入过联络信息表（{file}）：如要替换，请加 --replace（原表保存在 ledger/roster/history/ 中）。")
ROSTER_TABLE_MISSING = register(
    "roster-table-missing", ERROR,
    "{file} 中找不到表一「领导小组成员联络信息表」（表头应有「小组职务」「姓名」「职务」「电话」「传真」「手机」「邮箱」）："
    "请用 evalkit ledger template-roster 生成的表填写。")
ROSTER_ROLE_MISSING = register(
    "roster-role-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{table}没有填写{role}（姓名）：{why}请补填。")
ROSTER_LIAISON_MISSING = register(
    "roster-liaison-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{table}没有联络员（姓名）：每个小组必须设一名联络员"
    "（吉政办函〔2018〕37号 第二条），请补填联络员的姓名和联系方式。")
ROSTER_NAME_MISSING = register(
    "roster-name-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role}一行填了联系方式却没有姓名：请补填姓名。")
ROSTER_ROLE_UNKNOWN = register(
    "roster-role-unknown", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：小组职务「{value}」无法识别{hint}只能是组长、副组长或联络员。")
ROSTER_PHONE_INVALID = register(
    "roster-phone-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role} {name} 的{column}「{value}」不是固定电话号码{hint}"
    "应写成 0431-88904981 或 88904981（区号可省略）。")
ROSTER_MOBILE_INVALID = register(
    "roster-mobile-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role} {name} 的手机「{value}」不是 11 位手机号{hint}"
    "应为 1 开头、第二位 3–9 的 11 位数字，如 13904312345。")
ROSTER_EMAIL_INVALID = register(
    "roster-email-invalid", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：{role} {name} 的邮箱「{value}」不是电子邮件地址{hint}"
    "应写成 name@example.gov.cn（半角字符）。")
ROSTER_MOBILE_MISSING = register(
    "roster-mobile-missing", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行「{column}」：联络员 {name} 没有填写手机：进度报告中将无法列出其手机，请补填。")
ROSTER_TASK_NAME_MISSING = register(
    "roster-task-name-missing", ERROR,
    "{file} 工作表「{sheet}」第 {row} 行：表二的推进组填了成员却没有「任务名称」：请在该组上方的「任务名称」一行写明任务"
    "（如任务分解表的序号或三级指标）。")
ROSTER_UNIT_MISMATCH = register(
    "roster-unit-mismatch", WARNING,
    "{file} 工作表「{sheet}」第 {row} 行的单位是「{value}」，而导入的单位是 {record}（{name}）：请确认没有拿错表。")
ROSTER_DAMAGED = register(
    "roster-damaged", ERROR, "已导入的联络信息表 {file} 有错误：{detail}请重新导入正确的表（evalkit ledger roster … --replace）。")


@dataclass(frozen=True)
class Member:
    """One row of a roster table."""

    role: str            # 组长 | 副组长 | 联络员
    name: str
    title: str = ""
    phone: str = ""
    fax: str = ""
    mobile: str = ""
    email: str = ""
    sheet: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Group:
    """表一 (kind 领导小组, task "") or one 推进组 of 表二 (kind 任务推进组, task = 任务名称)."""

    kind: str
    task: str
    members: tuple[Member, ...]
    sheet: str = ""
    header_row: int = 0

    def first(self, role: str) -> Member | None:
        return next((m for m in self.members if m.role == role and m.name), None)

    @property
    def liaison(self) -> Member | None:
        return self.first("联络员")


@dataclass(frozen=True)
class Roster:
    """A unit's roster: 表一 and the 推进组 of 表二."""

    unit: str
    written_unit: str            # 单位（公章） as written
    groups: tuple[Group, ...]
    file: str = ""

    @property
    def leadership(self) -> Group | None:
        return next((g for g in self.groups if g.kind == LEADERSHIP), None)

    @property
    def task_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.kind == TASK_GROUP)

    @property
    def liaison(self) -> Member | None:
        """The 联络员 of the 领导小组."""
        lead = self.leadership
        return lead.liaison if lead else None


@dataclass(frozen=True)
class Liaison:
    """Who answers for a line of a progress report."""

    name: str = ""
    mobile: str = ""
    source: str = ""    # 领导小组 | 推进组「任务名称」 | "" (none reported)

    @property
    def text(self) -> str:
        if not self.name:
            return "未报联络员"
        return f"{self.name} {self.mobile}".strip()


NO_LIAISON = Liaison()


# ------------------------------------------------------------------ checks of single values

_DASHES = "—–－―‐-"
_PHONE = re.compile(r"(?:(?:0\d{2,3})[" + _DASHES + r"]?|[(（]0\d{2,3}[)）])?[2-9]\d{6,7}(?:(?:转|[" + _DASHES +
                    r"]|分机)\d{1,6})?")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*"
                    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,}")


def valid_phone(text: str) -> bool:
    """A fixed-line number (or several, separated by 、，,；;/)."""
    parts = [p.strip().replace(" ", "") for p in re.split(r"[、，,；;/]", text)]
    return bool(parts) and all(p and _PHONE.fullmatch(p) for p in parts)


def normal_mobile(text: str) -> str:
    digits = re.sub(r"[\s" + _DASHES + r"]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def valid_mobile(text: str) -> bool:
    return bool(_MOBILE.fullmatch(normal_mobile(text)))


def valid_email(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text.strip()))


def _phone_hint(text: str) -> str:
    if "＠" in text or "@" in text:
        return "（这像是邮箱，是否填错了列？）"
    digits = re.sub(r"\D", "", text)
    if valid_mobile(text):
        return "（这是手机号，请填在「手机」列）"
    if digits and not digits.startswith("0") and len(digits) in (10, 11):
        return "（区号开头的 0 可能被 Excel 当作数字去掉了：请把单元格设为文本格式后重填）"
    return "。"


def _mobile_hint(text: str) -> str:
    digits = re.sub(r"\D", "", normal_mobile(text))
    if valid_phone(text):
        return "（这像是固定电话，请填在「电话」列）"
    if digits and len(digits) != 11:
        return f"（有 {len(digits)} 位数字）。"
    return "。"


def _email_hint(text: str) -> str:
    if "＠" in text or "。" in text or "．" in text:
        return "（含全角字符「＠」「。」或「．」：请改用半角 @ 和 .）。"
    if "@" not in text:
        return "（缺少 @）。"
    return "。"


# ------------------------------------------------------------------ reading

def _role(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)


def _row_texts(cells) -> list[str]:
    return [tables.text(c) for c in cells]


def _is_header(texts: list[str]) -> bool:
    squeezed = {_role(t) for t in texts}
    return "姓名" in squeezed and bool(squeezed & set(COLUMNS["role"]))


def _after_label(texts: list[str], label: re.Pattern) -> tuple[bool, str]:
    """Whether a row is a 「单位（公章）：…」 / 「任务名称 …」 line (the label in its first filled cell),
    and the value written after the label (in the same cell or the next filled one)."""
    filled = [t for t in texts if t]
    if not filled:
        return False, ""
    squeezed = _role(filled[0])
    m = label.match(squeezed)
    if not m:
        return False, ""
    rest = re.sub(r"^[:：]+", "", squeezed[m.end():])
    if not rest and len(filled) > 1:
        rest = filled[1].strip()
    return True, rest


_UNIT_LABEL = re.compile(r"^(?:填报)?单位(?:[（(]公章[）)])?[:：]?")
_TASK_LABEL = re.compile(r"^任务名称[:：]?")


def read_roster(path: Path, unit: str = "", unit_name: str = "") -> tuple[Roster | None, list[Problem]]:
    """Read and check a roster workbook; None when it cannot be read or has no 表一."""
    file = str(path)
    wb, problems = tables.open_workbook(Path(path))
    if wb is None:
        return None, problems
    groups: list[Group] = []
    written_unit = ""
    for ws in wb.worksheets:
        title = _role(ws.title)
        section = TASK_GROUP if ("表二" in title or "推进组" in title) else LEADERSHIP
        task, task_row = "", 0
        header: tables.Columns | None = None
        header_row = 0
        members: list[Member] = []
        pending: list[tuple[int, Member]] = []   # rows with data in the current group

        def close() -> None:
            nonlocal members, header
            if header is not None:
                groups.append(Group(section, task, tuple(members), ws.title, header_row))
                _check_group(groups[-1], file, header_cols, problems, task_row)
            members, header = [], None

        header_cols: dict[str, str] = {}
        for r, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            texts = _row_texts(cells)
            if not any(texts):
                continue
            joined = _role("".join(texts))
            if joined.startswith("表一") or "领导小组成员联络信息表" in joined:
                close()
                section, task, task_row = LEADERSHIP, "", 0
                continue
            if joined.startswith("表二") or "任务推进组成员联络信息表" in joined:
                close()
                section, task, task_row = TASK_GROUP, "", 0
                continue
            if joined == _role(FORM_TITLE) or joined == "附件":
                continue
            is_unit, value = _after_label(texts, _UNIT_LABEL)
            if is_unit and not _is_header(texts):
                close()
                if value and not written_unit:
                    written_unit = value
                    if unit and value not in (unit, unit_name) and unit_name not in value:
                        problems.append(problem(ROSTER_UNIT_MISMATCH, file=file, sheet=ws.title, row=r, value=value,
                                                record=unit, name=unit_name))
                continue
            is_task, value = _after_label(texts, _TASK_LABEL)
            if is_task:
                close()
                section, task, task_row = TASK_GROUP, value, r
                continue
            if _is_header(texts):
                close()
                table = tables.Table(file=file, sheet=ws.title, header_row=r, headers=tuple(texts), rows=())
                header, found = tables.map_columns(table, COLUMNS, REQUIRED_COLUMNS)
                problems += found
                header_row = r
                header_cols = dict(header.header)
                if any(p.code == "column-missing" for p in found):
                    header = None
                continue
            if header is None:
                continue
            get = lambda key: tables.text(header.get(cells, key))  # noqa: E731
            role_text = get("role")
            role = _role(role_text)
            data = {k: get(k) for k in ("name", "title", "phone", "fax", "mobile", "email")}
            if role not in ROLES:
                where = {"file": file, "sheet": ws.title, "row": r, "column": header_cols.get("role", "小组职务")}
                problems.append(problem(ROSTER_ROLE_UNKNOWN, value=role_text or "（空）",
                                        hint=did_you_mean(role, ROLES) or "。", **where))
                continue
            members.append(Member(role, sheet=ws.title, row=r, **data))
        close()
    leadership = [g for g in groups if g.kind == LEADERSHIP]
    if not leadership:
        problems.append(problem(ROSTER_TABLE_MISSING, file=file))
        return None, problems
    for g in groups:
        for m in g.members:
            problems += _check_member(m, file, g)
    return Roster(unit, written_unit, tuple(groups), file), problems


def _table_name(group: Group) -> str:
    return "表一（领导小组）" if group.kind == LEADERSHIP else f"表二推进组「{group.task or '未写任务名称'}」"


def _check_group(group: Group, file: str, header_cols: dict[str, str], problems: list[Problem], task_row: int) -> None:
    """Required roles of one table: 表一 组长/副组长/联络员; a filled 推进组 组长/联络员."""
    filled = [m for m in group.members if any((m.name, m.title, m.phone, m.fax, m.mobile, m.email))]
    if group.kind == TASK_GROUP and not filled and not group.task:
        return  # 表二 left blank as published
    if group.kind == TASK_GROUP and not group.task:
        problems.append(problem(ROSTER_TASK_NAME_MISSING, file=file, sheet=group.sheet, row=group.header_row))
    required = ROLES if group.kind == LEADERSHIP else ("组长", "联络员")
    name_col = header_cols.get("name", "姓名")
    role_col = header_cols.get("role", "小组职务")
    for role in required:
        rows = [m for m in group.members if m.role == role]
        if any(m.name for m in rows):
            continue
        if any(any((m.title, m.phone, m.fax, m.mobile, m.email)) for m in rows):
            continue  # reported as roster-name-missing on its row
        at = {"file": file, "sheet": group.sheet, "row": rows[0].row if rows else group.header_row,
              "column": name_col if rows else role_col}
        table = _table_name(group)
        if role == "联络员":
            problems.append(problem(ROSTER_LIAISON_MISSING, table=table, **at))
        else:
            why = ("领导小组成员至少有 3 人，包括组长、副组长和联络员各 1 人（吉政办函〔2018〕37号 第二条（一））；"
                   if group.kind == LEADERSHIP else "推进组组长由分管负责人担任（第二条（二））；")
            problems.append(problem(ROSTER_ROLE_MISSING, table=table, role=role, why=why, **at))


def _check_member(m: Member, file: str, group: Group) -> list[Problem]:
    found: list[Problem] = []
    base = {"file": file, "sheet": m.sheet, "row": m.row, "role": m.role, "name": m.name or "（无姓名）"}
    if not m.name and any((m.title, m.phone, m.fax, m.mobile, m.email)):
        found.append(problem(ROSTER_NAME_MISSING, column=_zh["name"], **base))
    for key in ("phone", "fax"):
        value = getattr(m, key)
        if value and not valid_phone(value):
            found.append(problem(ROSTER_PHONE_INVALID, column=_zh[key], value=value, hint=_phone_hint(value), **base))
    if m.mobile and not valid_mobile(m.mobile):
        found.append(problem(ROSTER_MOBILE_INVALID, column=_zh["mobile"], value=m.mobile, hint=_mobile_hint(m.mobile),
                             **base))
    if m.email and not valid_email(m.email):
        found.append(problem(ROSTER_EMAIL_INVALID, column=_zh["email"], value=m.email, hint=_email_hint(m.email),
                             **base))
    if m.role == "联络员" and m.name and not m.mobile and group.liaison is m:
        found.append(problem(ROSTER_MOBILE_MISSING, column=_zh["mobile"], **base))
    return found


# ------------------------------------------------------------------ the project's rosters

def roster_path(root: Path, unit: str) -> Path:
    return Path(root) / ROSTER_DIR / f"{unit}.xlsx"


def import_roster(root: Path, source: Path, unit: str, *, replace_existing: bool = False
                  ) -> tuple[Path | None, list[Problem]]:
    """Validate a unit's roster and copy it to ``ledger/roster/<unit>.xlsx``; nothing written on any error."""
    from evalkit.io.durable import ensure_dir, write_new, write_temp
    from evalkit.config import load_config
    from evalkit.config import is_safe_id, read_units

    root = Path(root)
    config, problems = load_config(root)
    units, found = read_units(config.units_path)
    problems += [p for p in found if p.is_error]
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
            write_new(keep, old)
        ensure_dir(target.parent)
        tmp = write_temp(target.parent, target.name, data)
        os.replace(tmp, target)
    else:
        write_new(target, data)
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


def task_matches(task_name: str, task) -> bool:
    """Whether a 推进组's 任务名称 names ``task`` (a :class:`evalkit.ledger.ledger.Task`).

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


def liaison_for(roster: Roster | None, task=None) -> Liaison:
    """The responsible liaison: the 推进组 naming the task if any, else the 领导小组's 联络员."""
    if roster is None:
        return NO_LIAISON
    if task is not None:
        for g in roster.task_groups:
            if g.liaison and task_matches(g.task, task):
                return Liaison(g.liaison.name, normal_mobile(g.liaison.mobile), f"推进组「{g.task}」")
    m = roster.liaison
    return Liaison(m.name, normal_mobile(m.mobile), LEADERSHIP) if m else NO_LIAISON


# ------------------------------------------------------------------ the blank form

def write_roster_template(path: Path, unit_id: str = "", unit_name: str = "", task_groups: int = 1) -> Path:
    """The 附件 form as published: 表一 then 表二 stacked on one sheet 「联络信息表」."""
    from openpyxl.styles import Alignment, Border, Font, Side

    from evalkit.io.xlsx import FONT_NAME, HEADER_FILL, new_workbook, put

    wb = new_workbook()
    ws = wb.create_sheet("联络信息表")
    thin = Side(style="thin", color="888888")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    n = len(HEADERS)
    unit_text = f"单位（公章）：{unit_name}" if unit_name else "单位（公章）："
    r = 1

    def line(text: str, size: int = 11, bold: bool = False, center: bool = False) -> None:
        nonlocal r
        cell = put(ws, r, 1, text, bold=bold)
        cell.font = Font(name=FONT_NAME, bold=bold, size=size)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        if center:
            cell.alignment = Alignment(horizontal="center")
        r += 1

    def table() -> None:
        nonlocal r
        for c, h in enumerate(HEADERS, start=1):
            cell = put(ws, r, c, h, bold=True)
            cell.fill, cell.border = HEADER_FILL, border
            cell.alignment = Alignment(horizontal="center", vertical="center")
        r += 1
        for role in ROLES:
            for c in range(1, n + 1):
                cell = put(ws, r, c, ROLE_LABELS[role] if c == 1 else "", text=c > 1)
                cell.border = border
                cell.alignment = Alignment(horizontal="center" if c == 1 else "left", vertical="center")
            ws.row_dimensions[r].height = 24
            r += 1

    line("附件")
    line(FORM_TITLE, size=16, bold=True, center=True)
    r += 1
    line(TABLE_ONE, size=13, bold=True, center=True)
    line(unit_text)
    table()
    r += 1
    line(TABLE_TWO, size=13, bold=True, center=True)
    line(unit_text)
    for _ in range(max(1, task_groups)):
        put(ws, r, 1, "任务名称", bold=True).border = border
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=n)
        for c in range(2, n + 1):
            ws.cell(r, c).border = border
        r += 1
        table()
        r += 1
    for letter, width in zip("ABCDEFG", (12, 12, 18, 18, 18, 16, 26)):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if unit_id:
        wb.properties.subject = f"unit={unit_id}"
    return save_stable(wb, path)


def save_stable(wb, path: Path) -> Path:
    """Save so that the same content always gives the same bytes (:func:`evalkit.io.xlsx.save`)."""
    from evalkit.io import xlsx

    return xlsx.save(wb, path)
