"""「我的记录」 (``records.ipynb``): an assessor's tasks.

Records sent back (已退回) or queried (存疑) come first, highlighted, with the reviewer's comment;
a queried record can be answered right here (the answer is a revision that leaves the answers as
they were and puts the record back in the review queue, where the lead reads it in the record's
history and closes the query by a decision), or corrected in the form.  Then unfinished drafts,
then submitted records.  Without a name the page asks who is looking, instead of listing everyone's
records.  Everything shown is HTML-escaped.
"""

from __future__ import annotations

import ipywidgets as w

from evalkit.app.busy import busy
from evalkit.app.formlife import when_text
from evalkit.app.formparts import Signals
from evalkit.app.html import esc, full
from evalkit.app.links import title_of
from evalkit.app.pages import _page, draft_links, link, safely, unit_label
from evalkit.app.people import page_assessor, team_of
from evalkit.app.record import corrections, record_summary, state_text
from evalkit.project import Project

RETURNED = ("rejected", "has_issues")


def records_page(project: Project, params: dict[str, str]) -> w.Widget:
    return safely(lambda p, q: RecordsView(p, q).widget, project, params)


class RecordsView:
    """The assessor's task list; the assessor is the page's (``?assessor=``, else the one this device
    remembers)."""

    def __init__(self, project: Project, params: dict[str, str]):
        self.project = project
        self.assessor = page_assessor(params)
        self.signals = Signals(self._device)
        self.status = w.HTML(layout=full())
        self.status.add_class("ek-wait")
        self.head = w.HTML(layout=full())
        self.returned = w.VBox(layout=full())
        self.body = w.HTML(layout=full())
        self.widget = _page(*self.signals.widgets, self.status, self.head, self.returned, self.body)
        self.render()

    def _device(self, remembered: str) -> None:
        who = page_assessor({}, remembered)
        if who and not self.assessor:
            self.assessor = who
            with busy(self.status, f"正在读取 {who} 的记录……"):
                self.render()

    def render(self) -> None:
        project, assessor = self.project, self.assessor
        if not assessor:
            self._who()
            return
        views = project.store.records(assessor=assessor)
        returned = sorted((v for v in views if v.state in RETURNED), key=lambda v: v.updated, reverse=True)
        done = sorted((v for v in views if v.state not in RETURNED), key=lambda v: v.submitted, reverse=True)
        drafts = list(project.drafts.list(assessor=assessor))
        who = f"评估员 {esc(assessor)} 的"
        self.head.value = (f"<h3>{who}记录与待办</h3><p class='ek-hint'>退回或存疑待处理 {len(returned)} 条 · "
                           f"未完成的草稿 {len(drafts)} 份 · 已提交 {len(views)} 条</p>"
                           + ("<h4>退回或存疑，待处理</h4>" if returned else ""))
        self.returned.children = [self._returned(v) for v in returned]
        parts = [f"<h4>未完成的草稿（{len(drafts)} 份）</h4>"
                 + (f"<ul class='ek-tasks'>{draft_links(project, drafts)}</ul>" if drafts else "<p>没有未完成的草稿。</p>"),
                 f"<h4>{who}记录（{len(views)} 条）</h4>"
                 + (f"<ul class='ek-tasks'>{''.join(self._item(v, False) for v in done)}</ul>" if done else ""),
                 f"<p><a href='{esc(link('form.ipynb', assessor=assessor))}'>填写新记录</a></p>"]
        self.body.value = "".join(parts)

    def _who(self) -> None:
        """No name: ask who is looking (a link per assessor), never list everyone's records."""
        names = sorted({v.assessor for v in self.project.store.records() if v.assessor}
                       | {a.name for a in self.project.assessors or () if a.name})
        team = team_of(self.project)
        items = "".join(f"<li><a href='{esc(link('records.ipynb', assessor=n))}'>{esc(team.label(n))}</a></li>" for n in names)
        self.head.value = ("<h3>我的记录</h3><p>请选择您的姓名，查看您的记录、草稿和退回待改的记录：</p>"
                           f"<ul class='ek-picker-list ek-who'>{items}</ul>")
        self.returned.children, self.body.value = [], ""

    def _item(self, v, returned: bool) -> str:
        project = self.project
        action = ("去修改", link("form.ipynb", record=v.instance_id, edit="1")) if returned else \
            ("查看或更正", link("form.ipynb", record=v.instance_id))
        comment = f"<div class='ek-error'>审核意见：{esc(v.comment)}</div>" if v.comment else ""
        fixed = corrections(project, v.instance_id)
        summary = record_summary(project, v)
        viewing = link("form.ipynb", view=v.instance_id)
        return (f"<li class='ek-rec-{esc(v.instance_id)}{' returned' if returned else ''}'>"
                f"<a href='{esc(action[1])}'>{esc(title_of(project, v.instrument_id))} · {esc(unit_label(project, v.unit))}</a>"
                + (f" <span class='ek-summary'>{esc(summary)}</span>" if summary else "")
                + f" <span class='ek-hint'><span class='ek-when'>{esc(when_text(v.submitted))}</span> 提交 · "
                f"{esc(state_text(v.state))} · 修改 {fixed} 次 · 记录 {esc(v.instance_id[:8])}</span>"
                f"{comment}<div class='ek-actions'><a href='{esc(action[1])}'>{esc(action[0])}</a> · "
                f"<a class='ek-view-link' href='{esc(viewing)}' title='只读查看，可把链接发给组长或复核员'>只读链接</a></div></li>")

    def _returned(self, v) -> w.Widget:
        item = w.HTML(f"<ul class='ek-tasks'>{self._item(v, True)}</ul>", layout=full())
        if v.state != "has_issues":
            return item
        text = w.Textarea(placeholder="答复审核意见：说明核实的情况（回答不变）；需要改回答请点「去修改」", layout=full())
        button = w.Button(description="答复", button_style="primary")
        info = w.HTML()
        text.add_class("ek-reply-text")
        button.add_class("ek-reply")
        button.on_click(lambda _: self.answered(v.instance_id, text, info, button))
        box = w.VBox([item, text, w.HBox([button, info])], layout=full())
        box.add_class(f"ek-query-{v.instance_id}")
        return box

    def answered(self, record: str, text: w.Textarea, info: w.HTML, button: w.Button) -> None:
        with busy(info, "正在发送答复……", button, text):
            self.answer(record, text, info)

    def answer(self, record: str, text: w.Textarea, info: w.HTML) -> None:
        """The assessor's answer to a query: a revision with the answers unchanged and the answer as its
        reason; the record goes back to 已接收 for the lead to close."""
        reply = text.value.strip()
        if not reply:
            info.value = "<span class='ek-error'>请先写下答复。</span>"
            return
        view = self.project.store.get(record)
        if view is None or view.state != "has_issues":
            info.value = "<span class='ek-error'>这条记录已不再是存疑状态，请刷新页面。</span>"
            return
        try:
            self.project.store.edit(record, answers=view.answers, who=self.assessor, why=reply)
        except ValueError as refused:
            info.value = f"<span class='ek-error'>{esc(refused)}</span>"
            return
        self.render()
        self.head.value += f"<p class='ek-reply-sent'>已答复记录 {esc(record[:8])}，等待组长审核。</p>"
