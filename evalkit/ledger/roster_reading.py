"""Reading and checking a unit's liaison roster (联络信息表) as published in seed 000.

The form has two tables, each on its own sheet or both stacked in one sheet (blank rows
between them are fine):

* 表一 「“只跑一次”改革领导小组成员联络信息表」: 单位（公章）, then rows 组长 / 副组长 /
  联络员 with 姓名, 职务, 电话, 传真, 手机, 邮箱.  第二条（一）: 「领导小组成员至少有 3 人，
  包括组长、副组长和联络员各 1 人」 — each of the three roles is required.
* 表二 「“只跑一次”改革任务推进组成员联络信息表」: per 任务名称 the same rows.  第二条（二）:
  the group has a 组长 and 「设一名联络员」; its 副组长 is optional (「可由…担任」).  A 表二 left
  blank as published is no problem.

The role cell and the headers are read without spaces (the form writes 「组 长」, offices
「姓　名」); 「/」, 「无」, 「—」 and blanks mean "none" (:func:`evalkit.ledger.contacts.is_none`);
the numbers and addresses are checked by :mod:`evalkit.ledger.contacts`, and every message names
the column by the sheet's own header (「办公电话」, not 「电话」).  The 单位（公章） line is read
as :mod:`evalkit.ledger.unit_lines` reads it (the seal mark removed) and checked against the unit
list by id, name, 全称 or 别名.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.config import UnitList
from evalkit.io import tables
from evalkit.ledger.contacts import (
    email_hint,
    is_none,
    mobile_hint,
    phone_hint,
    valid_email,
    valid_mobile,
    valid_phone,
)
from evalkit.ledger.model import short_text
from evalkit.ledger.problems import (
    ROSTER_EMAIL_INVALID,
    ROSTER_LIAISON_MISSING,
    ROSTER_MOBILE_INVALID,
    ROSTER_MOBILE_MISSING,
    ROSTER_NAME_MISSING,
    ROSTER_NOTE_ROW,
    ROSTER_PHONE_INVALID,
    ROSTER_ROLE_MISSING,
    ROSTER_ROLE_UNKNOWN,
    ROSTER_TABLE_MISSING,
    ROSTER_TASK_NAME_MISSING,
    ROSTER_UNIT_MISMATCH,
)
from evalkit.ledger.roster_model import FORM_TITLE, LEADERSHIP, ROLES, TASK_GROUP, Group, Member, Roster
from evalkit.ledger.table_rows import first_text, footer_kind
from evalkit.ledger.unit_lines import unit_check, written_unit
from evalkit.problems import Problem, did_you_mean, problem

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

_TASK_LABEL = re.compile(r"^任务名称[:：]?")


def read_roster(path: Path, unit: str = "", unit_name: str = "", units: UnitList | None = None
                ) -> tuple[Roster | None, list[Problem]]:
    """Read and check a roster workbook; None when it cannot be read or has no 表一.

    ``units``: the unit list the 单位（公章） line is checked against (else ``unit`` / ``unit_name``)."""
    file = str(path)
    wb, problems = tables.open_workbook(Path(path))
    if wb is None:
        return None, problems
    reader = _Reader(file, unit, unit_name, problems, units)
    for ws in wb.worksheets:
        reader.start_sheet(ws.title)
        for r, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            reader.read_row(r, cells)
        reader.close()
    groups = reader.groups
    leadership = [g for g in groups if g.kind == LEADERSHIP]
    if not leadership:
        problems.append(problem(ROSTER_TABLE_MISSING, file=file))
        return None, problems
    for g in groups:
        for m in g.members:
            problems += _check_member(m, file, g, reader.headers.get((g.sheet, g.header_row), {}))
    return Roster(unit, reader.written_unit, tuple(groups), file), problems


def _role(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)


def _is_header(texts: list[str]) -> bool:
    squeezed = {tables.header_key(t) for t in texts}
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


@dataclass
class _Reader:
    """Reading a workbook's sheets row by row: a 表一 / 表二 line opens a section, 单位 and 任务名称
    lines and a header row close the group before them, member rows fill the open group."""

    file: str
    unit: str
    unit_name: str
    problems: list[Problem]
    units: UnitList | None = None
    groups: list[Group] = field(default_factory=list)
    headers: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)   # (sheet, row) → key → header
    written_unit: str = ""
    sheet: str = ""                          # the sheet being read, and its open group:
    section: str = LEADERSHIP
    task: str = ""
    task_row: int = 0
    header: tables.Columns | None = None
    header_row: int = 0
    header_cols: dict[str, str] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)

    def start_sheet(self, title: str) -> None:
        squeezed = _role(title)
        self.sheet = title
        self.section = TASK_GROUP if ("表二" in squeezed or "推进组" in squeezed) else LEADERSHIP
        self.task, self.task_row = "", 0
        self.header, self.header_row, self.header_cols, self.members = None, 0, {}, []

    def close(self) -> None:
        """End the open group (if it has a header) and check its required roles."""
        if self.header is not None:
            self.groups.append(Group(self.section, self.task, tuple(self.members), self.sheet, self.header_row))
            self.problems += _check_group(self.groups[-1], self.file, self.header_cols, self.task_row)
        self.members, self.header = [], None

    def read_row(self, r: int, cells) -> None:
        texts = [tables.text(c) for c in cells]
        if not any(texts):
            return
        if self._section_line(texts) or self._label_line(r, texts) or self._header_line(r, texts):
            return
        kind = footer_kind(texts)
        if kind is not None:
            self.problems.append(problem(ROSTER_NOTE_ROW, file=self.file, sheet=self.sheet, row=r,
                                         value=short_text(first_text(texts, plain=False), 30), why=kind))
            return
        if self.header is not None:
            self._member_line(r, cells)

    def _section_line(self, texts: list[str]) -> bool:
        """The 表一 / 表二 title (opening a section), the form's title or 附件."""
        joined = _role("".join(texts))
        if joined.startswith("表一") or "领导小组成员联络信息表" in joined:
            self.close()
            self.section, self.task, self.task_row = LEADERSHIP, "", 0
            return True
        if joined.startswith("表二") or "任务推进组成员联络信息表" in joined:
            self.close()
            self.section, self.task, self.task_row = TASK_GROUP, "", 0
            return True
        return joined == _role(FORM_TITLE) or joined == "附件"

    def _label_line(self, r: int, texts: list[str]) -> bool:
        """A 「单位（公章）：…」 line (the first one names the unit) or a 「任务名称 …」 line (a 推进组)."""
        value = written_unit(texts)
        if value is not None and not _is_header(texts):
            self.close()
            if value and not self.written_unit:
                self.written_unit = value
                same, detail = unit_check(value, self.unit, self.units, self.unit_name) if self.unit else (True, "")
                if not same:
                    self.problems.append(problem(ROSTER_UNIT_MISMATCH, file=self.file, sheet=self.sheet, row=r,
                                                 value=value, record=self.unit, name=self.unit_name or self.unit,
                                                 detail=detail))
            return True
        is_task, value = _after_label(texts, _TASK_LABEL)
        if is_task:
            self.close()
            self.section, self.task, self.task_row = TASK_GROUP, value, r
            return True
        return False

    def _header_line(self, r: int, texts: list[str]) -> bool:
        """A header row (小组职务, 姓名, …): opens a group unless a required column is missing."""
        if not _is_header(texts):
            return False
        self.close()
        table = tables.Table(file=self.file, sheet=self.sheet, header_row=r, headers=tuple(texts), rows=())
        header, found = tables.map_columns(table, COLUMNS, REQUIRED_COLUMNS, near=True)
        self.problems += found
        self.header_row = r
        self.header_cols = dict(header.header)
        self.headers[(self.sheet, r)] = self.header_cols
        self.header = None if any(p.code == "column-missing" for p in found) else header
        return True

    def _member_line(self, r: int, cells) -> None:
        header = self.header
        role_text = tables.text(header.get(cells, "role"))
        role = _role(role_text)
        data = {k: tables.text(header.get(cells, k)) for k in ("name", "title", "phone", "fax", "mobile", "email")}
        data = {k: "" if is_none(v) else v for k, v in data.items()}
        if role not in ROLES:
            where = {"file": self.file, "sheet": self.sheet, "row": r,
                     "column": self.header_cols.get("role", "小组职务")}
            self.problems.append(problem(ROSTER_ROLE_UNKNOWN, value=role_text or "（空）",
                                         hint=did_you_mean(role, ROLES) or "。", **where))
            return
        self.members.append(Member(role, sheet=self.sheet, row=r, **data))


def _table_name(group: Group) -> str:
    return "表一（领导小组）" if group.kind == LEADERSHIP else f"表二推进组「{group.task or '未写任务名称'}」"


def _check_group(group: Group, file: str, header_cols: dict[str, str], task_row: int) -> list[Problem]:
    """Required roles of one table: 表一 组长/副组长/联络员; a filled 推进组 组长/联络员."""
    filled = [m for m in group.members if any((m.name, m.title, m.phone, m.fax, m.mobile, m.email))]
    if group.kind == TASK_GROUP and not filled and not group.task:
        return []  # 表二 left blank as published
    problems = []
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
    return problems


def _check_member(m: Member, file: str, group: Group, header: dict[str, str]) -> list[Problem]:
    """The contact values of one member; ``header`` names each column as the sheet writes it."""
    found: list[Problem] = []
    base = {"file": file, "sheet": m.sheet, "row": m.row, "role": m.role, "name": m.name or "（无姓名）"}

    def col(key: str) -> str:
        return header.get(key, _zh[key])

    if not m.name and any((m.title, m.phone, m.fax, m.mobile, m.email)):
        found.append(problem(ROSTER_NAME_MISSING, column=col("name"), **base))
    for key in ("phone", "fax"):
        value = getattr(m, key)
        if value and not valid_phone(value):
            found.append(problem(ROSTER_PHONE_INVALID, column=col(key), value=value, hint=phone_hint(value), **base))
    if m.mobile and not valid_mobile(m.mobile):
        found.append(problem(ROSTER_MOBILE_INVALID, column=col("mobile"), value=m.mobile, hint=mobile_hint(m.mobile),
                             **base))
    if m.email and not valid_email(m.email):
        found.append(problem(ROSTER_EMAIL_INVALID, column=col("email"), value=m.email, hint=email_hint(m.email),
                             **base))
    if m.role == "联络员" and m.name and not m.mobile and group.liaison is m:
        found.append(problem(ROSTER_MOBILE_MISSING, column=col("mobile"), **base))
    return found
