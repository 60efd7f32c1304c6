"""Who records and where: the assessor, the units they were sent to, and the rules at entry.

This is the one place that says who the assessor is (:func:`page_assessor`): today the page's
``?assessor=`` or, failing that, the name the assessor chose once on this device (kept by the page
script in the browser's localStorage and handed to the kernel); a team login replaces it here.

:class:`Team` answers, from the project's assessor list (``assessors.xlsx``) and its latest
双随机 assignment (``draws/assign-*.json``): the assessors to choose from 「王磊（a01）」, the units an
assessor was sent to (shown first; another unit needs a reason), whether a unit is one of the
assessor's 关联单位 (refused: conflict of interest), and whether a date lies outside the 评估期
(a warning beside the field).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from evalkit.project import Project
from evalkit.sampling import Assessor, latest_assignment

DEVICE_NONE = "-"  # what the page script sends when this device remembers nobody
TEAM_ENV = "EVALKIT_TEAM"  # set by evalkit team for every user's server
USER_ENV = "JUPYTERHUB_USER"  # the login, set by JupyterHub when it starts the user's server
LEAD, REVIEWER, ASSESSOR = "组长", "复核员", "评估员"


def team_login() -> str | None:
    """The JupyterHub login of this kernel's user in team mode (``evalkit team``), else None.  It comes
    from the server's environment, which JupyterHub sets: never from the page."""
    if os.environ.get(TEAM_ENV) != "1":
        return None
    return os.environ.get(USER_ENV, "").strip().lower()


def page_assessor(params: dict[str, str], remembered: str = "") -> str:
    """The assessor of a page: ``?assessor=`` first, else the one remembered on this device."""
    given = (params.get("assessor") or "").strip()
    if given:
        return given
    remembered = (remembered or "").strip()
    return "" if remembered == DEVICE_NONE else remembered


@dataclass(frozen=True)
class Team:
    """The assessors, the assignment and the evaluation period of a project (see the module docstring)."""

    assessors: tuple[Assessor, ...] = ()
    pairs: tuple[tuple[str, str], ...] | None = None  # (unit, assessor id) of the assignment; None: no assignment
    period: tuple[dt.date, dt.date] | None = None
    unit_names: dict[str, str] = field(default_factory=dict)

    def by_account(self, account: str) -> Assessor | None:
        """The listed assessor whose 账号 is this login."""
        return next((a for a in self.assessors if account and a.account == account), None)

    def leads(self) -> list[str]:
        return [a.name or a.id for a in self.assessors if a.role == LEAD]

    def assessor(self, who: str) -> Assessor | None:
        """The listed assessor with this name or id."""
        return next((a for a in self.assessors if who and who in (a.name, a.id)), None)

    def label(self, who: str) -> str:
        """「王磊（a01）」 for a listed assessor (by name or id), else the name as recorded."""
        person = self.assessor(who)
        return (f"{person.name}（{person.id}）" if person.name else person.id) if person else who

    def reviewer_options(self) -> list[tuple[str, str]]:
        """The assessor options with the leads and reviewers first (who reviews records)."""
        rank = {LEAD: 0, REVIEWER: 1}
        ordered = sorted(self.assessors, key=lambda a: rank.get(a.role, 2))
        return [(f"{a.name}（{a.id}）" if a.name else a.id, a.name or a.id) for a in ordered]

    def assessor_options(self) -> list[tuple[str, str]]:
        """(「王磊（a01）」, 王磊) for each listed assessor: records keep the name."""
        return [(f"{a.name}（{a.id}）" if a.name else a.id, a.name or a.id) for a in self.assessors]

    def assigned(self, who: str) -> list[str] | None:
        """The units the assessor was sent to, in unit-list order; None without an assignment or a listed assessor."""
        person = self.assessor(who)
        if self.pairs is None or person is None:
            return None
        return [u for u, a in self.pairs if a == person.id]

    def off_assignment(self, who: str, unit: str) -> bool:
        """Whether ``unit`` is outside the units the assessor was sent to (False when there is no assignment)."""
        units = self.assigned(who)
        return bool(unit) and units is not None and unit not in units

    def conflict(self, who: str, unit: str) -> str | None:
        """The message refusing a unit that is one of the assessor's 关联单位, else None."""
        person = self.assessor(who)
        if person is None or not unit or unit not in person.linked:
            return None
        name = self.unit_names.get(unit, unit)
        return (f"您（{person.name or person.id}）与「{name}」有关联（评估员名单的关联单位），按回避规定不能评估该单位，"
                "请选择其他单位或请组长另派评估员")

    def date_warning(self, value: object) -> str | None:
        """A warning for a date outside the evaluation period, else None."""
        if self.period is None or not value:
            return None
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return None
        start, end = self.period
        if start <= day <= end:
            return None
        return f"{day.isoformat()} 不在评估期（{start.isoformat()} 至 {end.isoformat()}）内，请核对日期"


def team_of(project: Project) -> Team:
    """The project's team: assessor list, latest assignment, period (each missing piece simply absent)."""
    assignment = latest_assignment(project.root)
    names = {u.id: u.name for u in project.units.units} if project.units is not None else {}
    return Team(assessors=tuple(project.assessors or ()),
                pairs=assignment.pairs if assignment is not None else None,
                period=project.config.period, unit_names=names)
