"""The Voila pages: thin notebooks call these functions.

Each notebook has two cells: the first imports and opens the project
(:func:`current_project`; this runs while the kernel is preheated), the second
reads the page's query string with ``voila.utils.get_query_string()`` and shows
the page.  The project folder comes from ``EVALKIT_PROJECT`` (set by ``evalkit serve``).

Pages: ``form.ipynb`` (pick an instrument, fill it, resume a draft, correct a
record), ``records.ipynb`` (an assessor's records and drafts), and
``review.ipynb`` (the lead evaluator's review).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, quote

import ipywidgets as w
from voila.utils import get_query_string

from evalkit.app.fields import FORM_CSS, esc, full
from evalkit.app.formview import FormView
from evalkit.project import Project, open_project

PROJECT_ENV = "EVALKIT_PROJECT"


def project_root() -> Path:
    return Path(os.environ.get(PROJECT_ENV) or Path.cwd()).resolve()


def query_params() -> dict[str, str]:
    """The page's query parameters (works with preheated kernels)."""
    try:
        query = get_query_string() or ""
    except Exception:  # not running under Voila
        query = os.environ.get("QUERY_STRING", "")
    return {k: v[-1] for k, v in parse_qs(query).items()}


def link(page: str, **params: str) -> str:
    """A link to another page, keeping the token when the server needs one."""
    token = os.environ.get("EVALKIT_TOKEN", "")
    if token:
        params = {**params, "token": token}
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v not in (None, ""))
    return f"/voila/render/{page}" + (f"?{query}" if query else "")


def current_project(root: Path | None = None) -> Project:
    """The page's project (``EVALKIT_PROJECT``), with what every page needs read now.

    The notebooks call this in their first cell, which runs while the kernel is preheated: the
    settings, framework, unit list and instruments (pyxform, ~0.1 s each) are then ready when the
    page is asked for.  Records are never cached here: the pages read the live store.
    """
    project = open_project(root or project_root())
    project.instruments  # noqa: B018 - read now, while the kernel is preheated
    return project


def _page(*children) -> w.VBox:
    box = w.VBox([w.HTML(FORM_CSS), *children], layout=full())
    box.add_class("ek-form")
    return box


def form_page(project: Project, params: dict[str, str]) -> w.Widget:
    """The form for ``instrument`` (or a draft / a record to correct), else the instrument picker."""
    record, draft = params.get("record", ""), params.get("draft", "")
    instrument_id = params.get("instrument", "")
    if record:
        view = project.store.get(record)
        if view is None:
            return _page(w.HTML(f"<p class='ek-error'>找不到记录 {esc(record)}。</p>"))
        instrument_id = view.instrument_id
    elif draft:
        saved = project.drafts.load(draft)
        if saved is None:
            return _page(w.HTML(f"<p class='ek-error'>找不到草稿 {esc(draft)}：它可能已经提交。</p>"))
        instrument_id = saved.get("instrument", "")
    instrument = project.instruments.get(instrument_id)
    if instrument is None:
        return picker_page(project, params, unknown=instrument_id)
    page = w.VBox([], layout=full())
    links = lambda query: link("form.ipynb", **{k: v[0] for k, v in parse_qs(query).items()})  # noqa: E731

    def again(previous: FormView | None = None) -> None:
        """The next record of the same instrument, unit and assessor, in place (the phone team's 25 calls)."""
        unit, assessor = previous._roles(previous.root.raw()) if previous else ("", "")
        view = FormView(instrument, store=project.store, drafts=project.drafts, units=project.units,
                        unit=unit, assessor=assessor, links=links)
        view.again = lambda: again(view)
        page.children, page.form = (view.widget,), view

    first = FormView(instrument, store=project.store, drafts=project.drafts, units=project.units,
                     unit=params.get("unit", ""), assessor=params.get("assessor", ""),
                     draft_id=draft or None, record_id=record or None, links=links)
    first.again = lambda: again(first)
    page.children, page.form = (first.widget,), first  # .form: the view being filled (tests, notebooks)
    return page


def picker_page(project: Project, params: dict[str, str], unknown: str = "") -> w.Widget:
    unit, assessor = params.get("unit", ""), params.get("assessor", "")
    items = "".join(
        f"<li><a href='{esc(link('form.ipynb', instrument=i.id, unit=unit, assessor=assessor))}'>"
        f"{esc(i.title)}</a> <span class='ek-hint'>{esc(i.title_en)} · {esc(i.id)} v{esc(i.version)}</span></li>"
        for i in project.instruments.values())
    warn = f"<p class='ek-error'>没有调查工具「{esc(unknown)}」，请从下面选择。</p>" if unknown else ""
    warn += load_errors(project)
    draft_items = draft_links(project, project.drafts.list(assessor=assessor or None))
    html = (f"<h3>选择调查工具</h3>{warn}<ul>{items}</ul>"
            + (f"<h4>未完成的草稿</h4><ul>{draft_items}</ul>" if draft_items else "")
            + f"<p><a href='{esc(link('records.ipynb', assessor=assessor))}'>我的记录</a></p>")
    return _page(w.HTML(html, layout=full()))


def load_errors(project: Project, limit: int = 10) -> str:
    """The project's load errors (a damaged instrument, unit list …) as a list naming each file."""
    errors = project.load_errors()
    if not errors:
        return ""
    items = "".join(f"<li>{esc(p.message)}</li>" for p in errors[:limit])
    more = f"<li>…另有 {len(errors) - limit} 个问题，请运行 evalkit validate 查看</li>" if len(errors) > limit else ""
    return (f"<div class='ek-error'><p>项目文件有问题，相关的调查工具暂不能使用，请告知组长：</p>"
            f"<ul>{items}{more}</ul></div>")


def draft_links(project: Project, drafts: list[dict]) -> str:
    """List items linking to each draft (instrument, unit, last saved), for the picker and 我的记录."""
    return "".join(
        f"<li><a href='{esc(link('form.ipynb', draft=d['draft_id']))}'>{esc(_title(project, d.get('instrument')))}"
        f" · {esc(unit_label(project, d.get('unit', '')) or '未选单位')}</a>"
        f" <span class='ek-hint'>更新于 {esc(d.get('updated', ''))}</span></li>" for d in drafts)


def unit_label(project: Project, unit_id: str) -> str:
    """「名称（编号）」 for a listed unit, else the id as stored."""
    unit = project.units.get(unit_id) if project.units is not None else None
    return f"{unit.name}（{unit.id}）" if unit else (unit_id or "")


def _title(project: Project, instrument_id: str | None) -> str:
    inst = project.instruments.get(instrument_id or "")
    return inst.title if inst else (instrument_id or "未知工具")
