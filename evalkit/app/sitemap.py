"""Which pages a project has: ``evalkit serve`` lists only those, and a page that does not apply to
the project (the task ledger on a province-framework project) says so in one sentence and links the
pages that do.  No ipywidgets here: ``evalkit serve`` uses this before any page is built.
"""

from __future__ import annotations

import logging

from evalkit.ledger import framework_tasks_of
from evalkit.project import Project

PAGES = (("form.ipynb", "表单"), ("records.ipynb", "我的记录"), ("review.ipynb", "审核（组长）"),
         ("sampling.ipynb", "抽样与进度"), ("scoring.ipynb", "计分与排名"), ("ledger.ipynb", "任务台账"))
LEDGER_NOT_HERE = ("本项目按「{framework}」评估，没有任务台账（台账只用于按单位分解任务的吉林市考核办法项目），"
                   "请使用下面的页面。")
log = logging.getLogger("evalkit.sitemap")


def has_ledger(project: Project) -> bool:
    """Whether the project's framework gives each unit numbered tasks (Jilin City's method): only then
    is there a task ledger.  A framework that cannot be read counts as having one (the ledger page
    then shows what is wrong with it)."""
    framework = project.framework
    if framework is None:
        return True
    return bool(framework_tasks_of(framework, "")[0])


def pages_of(project: Project) -> list[tuple[str, str]]:
    """The (notebook, Chinese name) of every page the project has."""
    try:
        ledger = has_ledger(project)
    except Exception:  # noqa: BLE001 - listing the pages never stops the server
        log.exception("could not tell whether %s has a task ledger", project.root)
        ledger = True
    return [(nb, name) for nb, name in PAGES if ledger or nb != "ledger.ipynb"]
