"""The model of a liaison roster (联络信息表, seed 000: 吉政办函〔2018〕37号 附件): its members,
its groups (表一 the 领导小组, 表二 one 推进组 per task), the roster of a unit, the liaison
answering for a line of a progress report, and the words of the published form.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("组长", "副组长", "联络员")
LEADERSHIP = "领导小组"
TASK_GROUP = "任务推进组"
FORM_TITLE = "“只跑一次”改革联络信息表"
TABLE_ONE = "表一：“只跑一次”改革领导小组成员联络信息表"
TABLE_TWO = "表二：“只跑一次”改革任务推进组成员联络信息表"
HEADERS = ("小组职务", "姓名", "职务", "电话", "传真", "手机", "邮箱")
ROLE_LABELS = {"组长": "组 长", "副组长": "副组长", "联络员": "联络员"}


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
