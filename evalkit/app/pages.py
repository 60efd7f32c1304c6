"""The Voila pages: thin notebooks call these functions.

Each notebook has two cells: the first imports and opens the project (:func:`current_project`;
this runs while the kernel is preheated, and a page may prepare there what does not depend on
the address), the second reads the page's query string as ``voila.utils.get_query_string()`` does
(:mod:`evalkit.app.query`) and shows the page.  The project folder comes from ``EVALKIT_PROJECT`` (set by ``evalkit serve``).

Pages: ``form.ipynb`` (pick an instrument, fill it, resume a draft, read or correct a record),
``records.ipynb`` (an assessor's tasks: records sent back, drafts, submitted records), and
``review.ipynb`` (the lead evaluator's review).  Every page is built by :func:`safely`: a bad
link or anything unexpected is a Chinese page saying what to do, never Voila's English error.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as w

from evalkit.app.formlife import when_text
from evalkit.app.formparts import Signals
from evalkit.app.formview import FormView
from evalkit.app.html import esc, full
from evalkit.app.links import link, title_of, unit_label
from evalkit.app.people import ASSESSOR, LEAD, REVIEWER, page_assessor, team_login, team_of
from evalkit.app.query import query_string
from evalkit.app.record import record_html
from evalkit.forms import iter_fields
from evalkit.project import Project, open_project

PROJECT_ENV = "EVALKIT_PROJECT"
ID = re.compile(r"[0-9a-f]{32}")
log = logging.getLogger("evalkit.pages")


def project_root() -> Path:
    return Path(os.environ.get(PROJECT_ENV) or Path.cwd()).resolve()


def query_params() -> dict[str, str]:
    """The page's query parameters (works with preheated kernels)."""
    try:
        # evalkit serve's guarded query channel (evalkit.app.voilad); Voila's own elsewhere
        query = query_string(os.environ.get("EVALKIT_QUERY_URL") or None) or ""
    except Exception:  # not running under Voila
        query = os.environ.get("QUERY_STRING", "")
    return {k: v[-1] for k, v in parse_qs(query).items()}


def current_project(root: Path | None = None) -> Project:
    """The page's project (``EVALKIT_PROJECT``), with what every page needs read now.

    The notebooks call this in their first cell, which runs while the kernel is preheated: the
    settings, framework, unit and assessor lists and instruments are then ready when the page is
    asked for.  Records are never cached here: the pages read the live store.
    """
    project = open_project(root or project_root())
    project.instruments  # noqa: B018 - read now, while the kernel is preheated
    project.assessors  # noqa: B018
    return project


FINGERPRINT_DIRS = ("raw", "draws", "ledger", "selfassess", "instruments", "fieldwork")


def fingerprint(project: Project) -> tuple:
    """A cheap key of the project's inputs (names, sizes and times of the files and of every record's
    folder), so a page prepared in a preheated kernel knows whether it is still up to date."""
    root = Path(project.root)
    seen = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.is_file():
            stat = entry.stat()
            seen.append((entry.name, stat.st_size, stat.st_mtime_ns))
    for name in FINGERPRINT_DIRS:
        folder = root / name
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                stat = entry.stat()
                seen.append((name, entry.name, stat.st_size, stat.st_mtime_ns))
    return tuple(seen)


def _page(*children) -> w.VBox:
    """A page: its children after a first, empty slot (where the page's style sheet used to be; the
    stylesheet is now the template's, and the slot keeps the children where the pages expect them)."""
    box = w.VBox([w.HTML("", layout=w.Layout(display="none")), *children], layout=full())
    box.add_class("ek-form")
    return box


def problem_page(title: str, detail: str = "", links: tuple[tuple[str, str], ...] = ()) -> w.Widget:
    """A page that says, in Chinese, what is wrong and where to go instead."""
    items = "".join(f"<li><a href='{esc(href)}'>{esc(text)}</a></li>" for text, href in links)
    return _page(w.HTML(f"<h3 class='ek-error'>{esc(title)}</h3>" + (f"<p>{esc(detail)}</p>" if detail else "")
                        + (f"<ul class='ek-picker-list'>{items}</ul>" if items else ""), layout=full()))


# who may open which page in team mode (evalkit team); a page not listed is open to every role
PAGE_ROLES = {"review_page": ("记录审核", (LEAD, REVIEWER)), "sampling_page": ("抽样与进度", (LEAD,)),
              "scoring_page": ("计分与排名", (LEAD,)), "ledger_page": ("任务台账", (LEAD,))}
LOGIN = "_login"  # the parameter through which the gate hands the login's name to a page


def gate(page: str, project: Project, params: dict[str, str]) -> tuple[dict[str, str], w.Widget | None]:
    """Team mode: the page's parameters as the login allows them (the assessor and reviewer are the login's
    own name), or a Chinese refusal page; checked before the page reads anything.  Outside team mode the
    parameters are returned as they are."""
    params = {k: v for k, v in params.items() if k != LOGIN}
    account = team_login()
    if account is None:
        return params, None
    team = team_of(project)
    person = team.by_account(account)
    if person is None or not person.role:
        leads = "、".join(team.leads()) or "组长"
        return params, problem_page(f"账号「{account}」还没有角色", f"请联系{leads}：在项目的评估员名单（assessors.xlsx）中，"
                                    f"在您的那一行填写「账号」为 {account}、「角色」为 评估员 / 组长 / 复核员。")
    name = person.name or person.id
    title, roles = PAGE_ROLES.get(page, ("", ()))
    home = (("填写表单", link("form.ipynb")), ("我的记录", link("records.ipynb")))
    if roles and person.role not in roles:
        return params, problem_page(f"「{title}」页面只供{'、'.join(roles)}使用", f"您（{name}）的角色是{person.role}。", home)
    own = {**params, LOGIN: name, "reviewer": name}
    if person.role == LEAD:
        return own | ({"assessor": params.get("assessor") or name} if page == "records_page" else {}), None
    own["assessor"] = name
    record, draft = params.get("record", "").strip(), params.get("draft", "").strip()
    viewing = params.get("view", "").strip()
    form = page in ("form_page", "_form_page")
    # a view-only link: a reviewer reads every record (as on the review page), an assessor only their own
    viewed = project.store.get(viewing) if form and ID.fullmatch(viewing) and person.role != REVIEWER else None
    if viewed is not None and viewed.assessor != name:
        return params, problem_page("这不是您的记录", f"{ASSESSOR}只能查看自己的记录（您是 {name}）。", home)
    view = project.store.get(record) if page in ("form_page", "_form_page") and ID.fullmatch(record) else None
    saved = project.drafts.load(draft) if page in ("form_page", "_form_page") and ID.fullmatch(draft) else None
    if (view is not None and view.assessor != name) or (saved is not None and saved.get("assessor") not in ("", name)):
        return params, problem_page("这不是您的记录或草稿", f"{ASSESSOR}只能打开自己的记录和草稿（您是 {name}）。", home)
    return own, None


def safely(build: Callable[[Project, dict[str, str]], w.Widget], project: Project, params: dict[str, str]) -> w.Widget:
    """The page, or a Chinese page when building it failed (the details go to the server log only); in team
    mode, only what the login may open (:func:`gate`)."""
    try:
        params, refused = gate(getattr(build, "__name__", ""), project, params)
        if refused is not None:
            return refused
        return build(project, params)
    except Exception:  # noqa: BLE001 - whatever went wrong, the assessor gets a page, not a traceback
        log.exception("page %s failed for %s", getattr(build, "__name__", build), params)
        return problem_page("页面打开时出错", "已填内容保存在草稿中，没有丢失。请返回后重新打开；若仍出错，请告知组长。",
                            (("回到表单列表", link("form.ipynb")), ("我的记录", link("records.ipynb"))))


def form_page(project: Project, params: dict[str, str]) -> w.Widget:
    return safely(_form_page, project, params)


def _form_page(project: Project, params: dict[str, str]) -> w.Widget:
    """The form for ``instrument`` (or a draft / a record to read or correct), a record read-only (``view``,
    the view-only link), else the instrument picker."""
    if params.get("view", "").strip():
        return view_page(project, params)
    record, draft = params.get("record", "").strip(), params.get("draft", "").strip()
    instrument_id = params.get("instrument", "")
    back = (("回到表单列表", link("form.ipynb")), ("我的记录", link("records.ipynb", assessor=params.get("assessor", ""))))
    if record:
        view = project.store.get(record) if ID.fullmatch(record) else None
        if view is None:
            return problem_page("找不到这条记录", f"链接中的记录编号「{record[:40]}」不存在或已损坏，请从「我的记录」重新打开。", back)
        instrument_id = view.instrument_id
    elif draft:
        saved = project.drafts.load(draft) if ID.fullmatch(draft) else None
        if saved is None:
            return problem_page("找不到这份草稿", "它可能已经提交（请在「我的记录」中查看），或链接不完整。", back)
        instrument_id = saved.get("instrument", "")
    instrument = project.instruments.get(instrument_id)
    if instrument is None:
        return picker_page(project, params, unknown=instrument_id)
    return FormPage(project, instrument, params).widget


class FormPage:
    """The form page: one form view at a time (the next record, or a resumed draft, replaces it in place)."""

    def __init__(self, project: Project, instrument, params: dict[str, str]):
        self.project, self.instrument, self.params = project, instrument, params
        self.team = team_of(project)
        self.widget = w.VBox([], layout=full())
        who = page_assessor(params)
        record, draft = params.get("record", ""), params.get("draft", "")
        offers = [] if (record or draft) else self._drafts(who, params.get("unit", ""))
        self.login = params.get(LOGIN, "")
        self.show(unit=params.get("unit", ""), assessor=who, draft_id=draft or None, record_id=record or None,
                  editing=params.get("edit") in ("1", "yes", "true"), offers=offers, who=who)

    def _drafts(self, assessor: str, unit: str) -> list[dict]:
        if not assessor:
            return []
        found = self.project.drafts.list(assessor=assessor, instrument=self.instrument.id)
        return [d for d in found if not d.get("record") and (not unit or d.get("unit") in ("", unit))]

    def show(self, **kwargs) -> FormView:
        view = FormView(self.instrument, store=self.project.store, drafts=self.project.drafts, units=self.project.units,
                        team=self.team, links=self._link, labels=lambda u: unit_label(self.project, u),
                        again=lambda: self.again(), resume=lambda d: self.show(draft_id=d, who=self.form.page_who),
                        **kwargs)
        self.widget.children, self.widget.form = (view.widget,), view  # .form: the view being filled
        self.form = view
        if self.login:
            view.lock_assessor(self.login)
        return view

    def again(self) -> None:
        """The next record of the same instrument, unit and assessor, in place (the phone team's 25 calls)."""
        unit, assessor = self.form._roles(self.form.root.raw())
        self.show(unit=unit, assessor=assessor, who=self.form.page_who)
        self.form.signals.address(f"instrument={self.instrument.id}&unit={unit}&assessor={assessor}")

    def _link(self, query: str) -> str:
        return link("form.ipynb", **{k: v[0] for k, v in parse_qs(query).items()})


def view_page(project: Project, params: dict[str, str]) -> w.Widget:
    """A record read-only (``?view=<id>``): its answers, photos and history, no button that changes anything.
    Who may read it is the login's business (:func:`gate`), never the link's."""
    record = params.get("view", "").strip()
    view = project.store.get(record) if ID.fullmatch(record) else None
    back = (("我的记录", link("records.ipynb", assessor=params.get("assessor", ""))), ("回到表单列表", link("form.ipynb")))
    if view is None:
        return problem_page("找不到这条记录", f"链接中的记录编号「{record[:40]}」不存在或已损坏，请从「我的记录」重新打开。", back)
    opens = (*back, ("在记录审核中打开（组长、复核员）", link("review.ipynb", record=record)))
    links = " · ".join(f"<a href='{esc(href)}'>{esc(text)}</a>" for text, href in opens)
    box = _page(w.HTML(f"<p class='ek-notice ek-view-only'>只读查看：这个页面不能修改或审核记录。{links}</p>"
                       + record_html(project, record), layout=full()))
    box.add_class("ek-wide")
    return box


def served_indicators(instrument) -> list[str]:
    """The framework codes an instrument gives evidence for (``evalkit::indicator`` columns, and the options of
    a ``role=indicator`` field for an instrument whose rows serve whichever indicator is chosen)."""
    codes = [c for _, f in iter_fields(instrument) for c in f.indicators if c != "*"]
    codes += [c.name for _, f in iter_fields(instrument) if f.role == "indicator" and f.list_name
              for c in instrument.choices.get(f.list_name, ())]
    return list(dict.fromkeys(codes))


def instruments_in_order(project: Project) -> list:
    """The instruments as people look for them: in the framework's order — the first indicator whose 评分依据
    names the instrument, in the order the framework names them there, else the first indicator it serves —
    then by Chinese title; the English id never orders."""
    indicators = project.framework.indicators if project.framework is not None else ()
    order = {ind.code: n for n, ind in enumerate(indicators)}
    named: dict[str, tuple[int, int]] = {}
    for n, ind in enumerate(indicators):
        for m, method in enumerate(getattr(ind, "methods", ()) or ()):
            named.setdefault(method, (n, m))

    def key(inst) -> tuple:
        served = min((order[c] for c in served_indicators(inst) if c in order), default=len(order))
        return named.get(inst.id, (served, len(order))), inst.title, inst.id
    return sorted(project.instruments.values(), key=key)


def _picker_item(project: Project, inst, unit: str, assessor: str) -> str:
    codes = served_indicators(inst)
    order = {ind.code: n for n, ind in enumerate(project.framework.indicators)} if project.framework is not None else {}
    codes = sorted(codes, key=lambda c: order.get(c, len(order)))
    shown = "、".join(codes[:4]) + ("等" if len(codes) > 4 else "")
    note = " · ".join(x for x in (inst.title_en, f"指标 {shown}" if shown else "") if x)
    href = link("form.ipynb", instrument=inst.id, unit=unit, assessor=assessor)
    return (f"<li><a href='{esc(href)}'>{esc(inst.title)}</a>" + (f" <span class='ek-hint'>{esc(note)}</span>" if note else "")
            + "</li>")


def picker_page(project: Project, params: dict[str, str], unknown: str = "") -> w.Widget:
    unit, assessor = params.get("unit", ""), page_assessor(params)
    items = "".join(_picker_item(project, i, unit, assessor) for i in instruments_in_order(project))
    warn = f"<p class='ek-error'>没有调查工具「{esc(unknown)}」，请从下面选择。</p>" if unknown else ""
    warn += load_errors(project)
    draft_items = draft_links(project, project.drafts.list(assessor=assessor or None))
    html = (f"<h3>选择调查工具</h3>{warn}<ul class='ek-picker-list'>{items}</ul>"
            + (f"<h4>未完成的草稿</h4><ul class='ek-picker-list'>{draft_items}</ul>" if draft_items else "")
            + f"<p><a href='{esc(link('records.ipynb', assessor=assessor))}'>我的记录</a></p>")
    signals = Signals()
    signals.remember(assessor)
    return _page(*signals.widgets, w.HTML(html, layout=full()))


def plain(message: str, root: Path) -> str:
    """A problem message without the project's absolute path (the files are named from the project folder)."""
    for prefix in {str(root), str(Path(root).resolve())}:
        message = message.replace(prefix.rstrip("/") + "/", "")
    return message


def load_errors(project: Project, limit: int = 10) -> str:
    """The project's load errors (a damaged instrument, unit list …) as a list naming each file."""
    errors = project.load_errors()
    if not errors:
        return ""
    items = "".join(f"<li>{esc(plain(p.message, project.root))}</li>" for p in errors[:limit])
    more = f"<li>…另有 {len(errors) - limit} 个问题，请组长运行 evalkit validate 查看</li>" if len(errors) > limit else ""
    return (f"<div class='ek-error'><p>项目文件有问题，相关的调查工具暂不能使用，请告知组长：</p>"
            f"<ul>{items}{more}</ul></div>")


def draft_links(project: Project, drafts: list[dict]) -> str:
    """List items linking to each draft (instrument, unit, last saved), for the picker and 我的记录."""
    return "".join(
        f"<li><a href='{esc(link('form.ipynb', draft=d['draft_id']))}'>{esc(title_of(project, d.get('instrument')))}"
        f" · {esc(unit_label(project, d.get('unit', '')) or '未选单位')}</a>"
        f" <span class='ek-hint'>{esc(when_saved(d.get('updated', '')))}</span></li>" for d in drafts)


def when_saved(stamp: str) -> str:
    return f"{when_text(stamp)} 保存" if stamp else ""
