"""The record pages: an assessor's tasks (「我的记录」) and the lead evaluator's review.

Everything shown comes from the record store and is HTML-escaped: a record
holding ``<script>`` shows as text.
"""

from __future__ import annotations

import ipywidgets as w

from evalkit.app.formlife import when_text
from evalkit.app.formparts import Signals
from evalkit.app.html import esc, full
from evalkit.app.pages import _page, _title, draft_links, link, safely, unit_label
from evalkit.app.people import page_assessor
from evalkit.forms import iter_fields
from evalkit.project import Project
from evalkit.store import ReviewRefused

STATES = {"received": "已接收", "has_issues": "有问题", "approved": "已通过", "rejected": "已退回"}
ALL = "（全部）"


def records_page(project: Project, params: dict[str, str]) -> w.Widget:
    return safely(lambda p, q: RecordsView(p, q).widget, project, params)


class RecordsView:
    """「我的记录」 as a task list: records sent back (退回, 有问题) first with the reviewer's comments,
    then unfinished drafts, then submitted records; each with the link that continues it.  The
    assessor is the page's (``?assessor=``, else the one this device remembers)."""

    def __init__(self, project: Project, params: dict[str, str]):
        self.project = project
        self.assessor = page_assessor(params)
        self.signals = Signals(self._device)
        self.body = w.HTML(layout=full())
        self.widget = _page(*self.signals.widgets, self.body)
        self.render()

    def _device(self, remembered: str) -> None:
        who = page_assessor({}, remembered)
        if who and not self.assessor:
            self.assessor = who
            self.render()

    def render(self) -> None:
        project, assessor = self.project, self.assessor
        views = project.store.records(assessor=assessor or None)
        returned = sorted((v for v in views if v.state in RETURNED), key=lambda v: v.updated, reverse=True)
        done = sorted((v for v in views if v.state not in RETURNED), key=lambda v: v.submitted, reverse=True)
        drafts = [d for d in project.drafts.list(assessor=assessor or None)]
        who = f"评估员 {esc(assessor)} 的" if assessor else "全部"
        parts = [f"<h3>{who}记录与待办</h3>",
                 f"<p class='ek-hint'>退回待改 {len(returned)} 条 · 未完成的草稿 {len(drafts)} 份 · "
                 f"已提交 {len(views)} 条</p>"]
        if returned:
            parts.append("<h4>退回待改</h4><ul class='ek-tasks'>" + "".join(self._item(v, True) for v in returned)
                         + "</ul>")
        parts.append(f"<h4>未完成的草稿（{len(drafts)} 份）</h4>"
                     + (f"<ul class='ek-tasks'>{draft_links(project, drafts)}</ul>" if drafts else "<p>没有未完成的草稿。</p>"))
        parts.append(f"<h4>{who}记录（{len(views)} 条）</h4>"
                     + (f"<ul class='ek-tasks'>{''.join(self._item(v, False) for v in done)}</ul>" if done else ""))
        parts.append(f"<p><a href='{esc(link('form.ipynb', assessor=assessor))}'>填写新记录</a></p>")
        self.body.value = "".join(parts)

    def _item(self, v, returned: bool) -> str:
        project = self.project
        action = ("去修改", link("form.ipynb", record=v.instance_id, edit="1")) if returned else \
            ("查看或更正", link("form.ipynb", record=v.instance_id))
        comment = f"<div class='ek-error'>审核意见：{esc(v.comment)}</div>" if v.comment else ""
        return (f"<li class='ek-rec-{esc(v.instance_id)}{' returned' if returned else ''}'>"
                f"<a href='{esc(action[1])}'>{esc(_title(project, v.instrument_id))} · {esc(unit_label(project, v.unit))}</a>"
                f" <span class='ek-hint'>{esc(when_text(v.submitted))} 提交 · {esc(STATES.get(v.state, v.state))}"
                f" · 修订 {v.revisions - 1} 次 · 记录 {esc(v.instance_id[:8])}</span>"
                f"{comment}<div><a href='{esc(action[1])}'>{esc(action[0])}</a></div></li>")


RETURNED = ("rejected", "has_issues")
TABLE_CSS = """<style>.ek-table {border-collapse: collapse; width: 100%; font-size: 14px;}
.ek-table td, .ek-table th {border: 1px solid #ccd; padding: 4px 6px; text-align: left; vertical-align: top;}
.ek-table th {background: #eef2f7;}</style>"""


class ReviewView:
    """Filter records, read one with its history, approve / flag / reject with a comment."""

    def __init__(self, project: Project, reviewer: str = ""):
        self.project = project
        self.store = project.store
        opts = lambda values: [ALL] + sorted(v for v in values if v)  # noqa: E731
        views = self.store.records()
        self.unit = w.Dropdown(options=opts({v.unit for v in views}), description="单位")
        self.instrument = w.Dropdown(options=opts({v.instrument_id for v in views}), description="调查工具")
        self.state = w.Dropdown(options=[ALL] + [zh for zh in STATES.values()], description="状态")
        self.assessor = w.Dropdown(options=opts({v.assessor for v in views}), description="评估员")
        self.listing = w.Select(options=[], rows=10, layout=full())
        self.detail = w.HTML(layout=full())
        self.reviewer = w.Text(value=reviewer, description="审核人", layout=full())
        self.comment = w.Textarea(placeholder="审核意见（标为有问题或退回时必填）", layout=full())
        self.message = w.HTML(layout=full())
        buttons = [self._button("通过", "approved", "success"), self._button("有问题", "has_issues", "warning"),
                   self._button("退回", "rejected", "danger")]
        for control in (self.unit, self.instrument, self.state, self.assessor):
            control.observe(lambda _: self.refresh(), names="value")
        self.listing.observe(lambda _: self.show(), names="value")
        filters = w.HBox([self.unit, self.instrument, self.state, self.assessor], layout=w.Layout(flex_flow="row wrap"))
        self.widget = _page(w.HTML("<h3>记录审核</h3>"), filters, self.listing, self.detail, self.reviewer,
                            self.comment, w.HBox(buttons), self.message)
        self.refresh()

    def _button(self, label: str, state: str, style: str) -> w.Button:
        button = w.Button(description=label, button_style=style)
        button.add_class(f"ek-review-{state}")
        button.on_click(lambda _: self.decide(state))
        return button

    def selected_views(self) -> list:
        state = {zh: code for code, zh in STATES.items()}.get(self.state.value)
        pick = lambda c: None if c.value == ALL else c.value  # noqa: E731
        return self.store.records(unit=pick(self.unit), instrument=pick(self.instrument), state=state,
                                  assessor=pick(self.assessor))

    def refresh(self) -> None:
        views = sorted(self.selected_views(), key=lambda v: v.submitted)
        self.listing.options = [(self._line(v), v.instance_id) for v in views]
        self.show()

    def _line(self, v) -> str:
        flag = " ⚠冲突" if v.conflicts else ""
        return (f"{v.submitted[:16]}  {unit_label(self.project, v.unit)}  {_title(self.project, v.instrument_id)}  "
                f"{v.assessor}  [{STATES.get(v.state, v.state)}]{flag}  {v.instance_id[:8]}")

    def show(self) -> None:
        record = self.listing.value
        if not record:
            self.detail.value = "<p class='ek-hint'>请选择一条记录。</p>"
            return
        self.detail.value = TABLE_CSS + record_html(self.project, record)

    def decide(self, state: str) -> None:
        record, who, comment = self.listing.value, self.reviewer.value.strip(), self.comment.value.strip()
        if not record:
            self.message.value = "<p class='ek-error'>请先选择一条记录。</p>"
            return
        try:
            self.store.review(record, state=state, who=who, comment=comment)
        except ReviewRefused as refused:
            self.message.value = "".join(f"<p class='ek-error'>{esc(p.message)}</p>" for p in refused.problems)
            return
        self.comment.value = ""
        self.message.value = f"<p>已将记录 {esc(record[:8])} 标为「{esc(STATES[state])}」。</p>"
        current = record
        self.refresh()
        if current in dict((v, k) for k, v in self.listing.options):
            self.listing.value = current


def record_html(project: Project, instance_id: str) -> str:
    """One record: its answers (labels from the instrument) and its revision history, escaped."""
    view = project.store.get(instance_id)
    if view is None:
        return "<p class='ek-error'>找不到这条记录。</p>"
    inst = project.instruments.get(view.instrument_id)
    labels: dict = {}
    choices: dict = {}
    if inst is not None:
        labels = {f.name: f.label for _, f in iter_fields(inst)}
        choices = {f.name: {c.name: c.label for c in inst.choices.get(f.list_name, ())}
                   for _, f in iter_fields(inst) if f.list_name}
    rows = "".join(f"<tr><th>{esc(labels.get(k, k))}</th><td>{_value_html(v, labels, choices.get(k, {}), choices)}</td></tr>"
                   for k, v in view.answers.items())
    history = "".join(
        f"<li>{esc(r.when[:19])} {esc(r.who)} · {esc(_kind(r))}"
        + (f"：{esc(r.why or r.comment)}" if (r.why or r.comment) else "") + "</li>"
        for r in project.store.history(instance_id))
    conflict = "<p class='ek-error'>这条记录有冲突的修订，请核对后再修改。</p>" if view.conflicts else ""
    return (f"<h4>记录 {esc(view.instance_id)} · {esc(_title(project, view.instrument_id))} · {esc(unit_label(project, view.unit))}"
            f" · 状态：{esc(STATES.get(view.state, view.state))}</h4>{conflict}"
            f"<table class='ek-table ek-record'>{rows}</table><h4>修订历史</h4><ol class='ek-history'>{history}</ol>")


def _kind(revision) -> str:
    if revision.kind == "review":
        return "审核：" + STATES.get(revision.state, revision.state)
    return {"submission": "提交", "edit": "修改", "delete": "删除"}.get(revision.kind, revision.kind)


def _value_html(value, labels: dict, names: dict | None = None, choices: dict | None = None) -> str:
    """An answer for reading: choice codes shown as their labels (code kept in brackets), escaped."""
    names, choices = names or {}, choices or {}
    label = lambda code: f"{names[code]}（{code}）" if code in names else str(code)  # noqa: E731
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "".join(f"<div><b>第 {n} 条</b><table class='ek-table'>"
                       + "".join(f"<tr><th>{esc(labels.get(k, k))}</th><td>{_value_html(x, labels, choices.get(k, {}))}</td></tr>"
                                 for k, x in item.items())
                       + "</table></div>" for n, item in enumerate(value, start=1))
    if isinstance(value, list):
        return esc("、".join(label(v) for v in value))
    if isinstance(value, str) and value in names:
        return esc(label(value))
    if isinstance(value, dict):
        return esc(value.get("original_name") or value.get("name") or "附件")
    return esc(value)


def review_page(project: Project, params: dict[str, str]) -> w.Widget:
    return ReviewView(project, reviewer=params.get("reviewer", "")).widget
