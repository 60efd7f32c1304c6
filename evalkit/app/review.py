"""The lead evaluator's review queue (``review.ipynb``).

The queue opens on the records waiting for review (已接收), newest first, with the count of every
state; one record at a time is shown with its answers, photos and history (the assessor's answers
to earlier queries included); 通过 / 存疑 / 退回 take a comment (required for 存疑 and 退回: the
store's rule) and 「下一条」 moves on to the next record of the queue.  Alt+1 / Alt+2 / Alt+3 decide
and Alt+N moves on (the page script clicks the buttons).  A record the consistency checks find to
be a duplicate can be voided here, with a reason, as a revision of the record (the answers stay in
the files); ``?record=<id>`` opens one record, as the links of the scoring page's problems do.
Everything shown comes from the record store and is HTML-escaped.
"""

from __future__ import annotations

import ipywidgets as w

from evalkit.app.busy import busy
from evalkit.app.choices import NamedChoice
from evalkit.app.formlife import when_text
from evalkit.app.html import esc, full
from evalkit.app.links import link, title_of
from evalkit.app.pages import ID, _page, instruments_in_order, unit_label
from evalkit.app.people import team_of
from evalkit.app.record import STATES, TABLE_CSS, record_html, record_summary, state_text
from evalkit.checks import duplicates
from evalkit.project import Project
from evalkit.store import ReviewRefused

ALL = ""
ORDERS = (("最新提交在前", "newest"), ("最早提交在前", "oldest"), ("按单位", "unit"))


class ReviewView:
    """The queue: state (with counts) and filters, one record, the decision, 「下一条」."""

    def __init__(self, project: Project, reviewer: str = "", record: str = "", locked: bool = False):
        self.project, self.store = project, project.store
        self._quiet = False
        self.ids: list[str] = []
        self.duplicate: dict[str, str] = {}
        views = self.store.records()
        team = team_of(project)
        named = lambda pairs: [("（全部）", ALL)] + sorted(pairs, key=lambda p: p[1])  # noqa: E731
        self.state = w.ToggleButtons(options=[*((zh, c) for c, zh in STATES.items()), ("全部", ALL)], value="received")
        self.unit = w.Dropdown(options=named({(unit_label(project, v.unit), v.unit) for v in views}), description="单位")
        used = {v.instrument_id for v in views}
        ordered = [i.id for i in instruments_in_order(project)] + sorted(used - set(project.instruments))
        self.instrument = w.Dropdown(options=[("（全部）", ALL)] + [(title_of(project, i), i) for i in ordered if i in used],
                                     description="调查工具")
        self.assessor = w.Dropdown(options=named({(team.label(v.assessor), v.assessor) for v in views if v.assessor}),
                                   description="评估员")
        self.order = w.Dropdown(options=ORDERS, value="newest", description="排序")
        self.listing = w.Select(options=[], rows=6, layout=full())
        self.position = w.HTML()
        self.previous = self._button("上一条", "previous", "", lambda: self.step(-1), "Alt+P")
        self.next = self._button("下一条", "next", "primary", lambda: self.step(1), "Alt+N")
        self.reviewer = NamedChoice(team.reviewer_options(), value=reviewer, strict=bool(team.assessors),
                                    description="审核人", layout=full(), disabled=locked)
        self.login = reviewer if locked else ""  # a team login reviews under its own name, whatever the page sends
        self.comment = w.Textarea(placeholder="审核意见（存疑或退回时必填：写明请评估员核实或修改什么）", layout=full())
        self.message = w.HTML(layout=full())
        self.detail = w.HTML(layout=full())
        self.void_note = w.HTML(layout=full())
        self.void_reason = w.Textarea(placeholder="作废原因（必填），如：与记录 ×××× 重复提交", layout=full())
        self.void_button = self._button("作废这条记录", "void", "danger", self.void, "")
        self.void_box = w.VBox([self.void_note, self.void_reason, self.void_button], layout=full())
        self.void_box.add_class("ek-review-void-box")
        self.decide_buttons = decide = [self._button(label, state, style, lambda s=state: self.decide(s), key)
                  for label, state, style, key in (("通过", "approved", "success", "Alt+1"),
                                                   ("存疑", "has_issues", "warning", "Alt+2"),
                                                   ("退回", "rejected", "danger", "Alt+3"))]
        for name in ("state", "unit", "instrument", "assessor", "order", "listing", "reviewer", "comment"):
            getattr(self, name).add_class(f"ek-review-{name}")
        for control in (self.state, self.unit, self.instrument, self.assessor, self.order):
            control.observe(lambda _, c=control: self._quiet or self.filtered(c), names="value")
        self.listing.observe(lambda _: self._quiet or self.picked(), names="value")
        row = lambda *c: w.HBox(list(c), layout=w.Layout(flex_flow="row wrap", align_items="center"))  # noqa: E731
        self.widget = _page(
            w.HTML(TABLE_CSS + "<h3>记录审核</h3>"), self.state,
            row(self.unit, self.instrument, self.assessor, self.order), self.listing,
            row(self.position, self.previous, self.next),
            self.reviewer, self.comment, row(*decide),
            w.HTML("<p class='ek-hint'>快捷键：Alt+1 通过 · Alt+2 存疑 · Alt+3 退回 · Alt+N 下一条。"
                   "存疑的记录回到评估员的「我的记录」，其答复记入下方的审核记录。</p>"),
            self.message, self.void_box, self.detail)
        self.widget.add_class("ek-wide")
        if record and ID.fullmatch(record) and self.store.get(record) is not None:
            self._quiet = True
            self.state.value = ALL
            self._quiet = False
        self.refresh(select=record)
        if record and self.listing.value != record:
            self.message.value = f"<p class='ek-error'>找不到记录「{esc(record[:40])}」：它可能已作废，或链接不完整。</p>"

    def _button(self, label: str, name: str, style: str, action, key: str) -> w.Button:
        button = w.Button(description=label, button_style=style, tooltip=f"{label}（{key}）" if key else label)
        button.add_class(f"ek-review-{name}")
        button.on_click(lambda _: action())
        return button

    # ------------------------------------------------------------------ the queue
    def selected_views(self, everything: list | None = None) -> list:
        """The queue: the records (``everything``, else read now) matching the state and the filters, in order."""
        wanted = {"state": self.state.value, "unit": self.unit.value, "instrument_id": self.instrument.value,
                  "assessor": self.assessor.value}
        views = [v for v in (self.store.records() if everything is None else everything)
                 if all(not value or getattr(v, key) == value for key, value in wanted.items())]
        if self.order.value == "unit":
            return sorted(views, key=lambda v: (v.unit, v.submitted), reverse=False)
        return sorted(views, key=lambda v: v.submitted, reverse=self.order.value == "newest")

    def _counts(self, everything: list) -> None:
        counts = {code: 0 for code in STATES}
        for v in everything:
            counts[v.state] = counts.get(v.state, 0) + 1
        options = [(f"{STATES[c]} {counts[c]}", c) for c in STATES] + [(f"全部 {len(everything)}", ALL)]
        value, self._quiet = self.state.value, True
        self.state.options, self.state.value = options, value
        self._quiet = False

    def refresh(self, select: str = "") -> None:
        """Counts, the queue and the record shown (``select``, else the first of the queue)."""
        everything = self.store.records()
        self._counts(everything)
        self.duplicate = {p.record: p.message for p in duplicates(everything) if p.record}
        views = self.selected_views(everything)
        self.ids = [v.instance_id for v in views]
        self._quiet = True
        self.listing.options = [(self._line(v), v.instance_id) for v in views]
        self.listing.value = select if select in self.ids else (self.ids[0] if self.ids else None)
        self._quiet = False
        self.show()

    def _line(self, v) -> str:
        flag = " ⚠冲突" if v.conflicts else ""
        summary = record_summary(self.project, v)
        return (f"{when_text(v.submitted)}  {unit_label(self.project, v.unit)}  {title_of(self.project, v.instrument_id)}"
                f"{'（' + summary + '）' if summary else ''}  {v.assessor}  [{state_text(v.state)}]{flag}  {v.instance_id[:8]}")

    def filtered(self, control: w.Widget) -> None:
        """A filter or the order changed: the queue is read again (the old message goes at once)."""
        with busy(self.message, "正在读取记录……", control, *self._actions()):
            self.refresh()

    def picked(self) -> None:
        """A record chosen in the list: shown (its photos and history are read from the store)."""
        with busy(self.message, "正在打开记录……", *self._actions()):
            self.show()

    def _actions(self) -> list[w.Button]:
        return [*self.decide_buttons, self.next, self.previous, self.void_button]

    def step(self, by: int) -> None:
        """「下一条」 / 「上一条」: the queue is read again (a record decided leaves the 已接收 queue) and the
        record after (before) the one shown is opened."""
        with busy(self.message, "正在读取下一条……" if by > 0 else "正在读取上一条……", *self._actions()):
            self._step(by)

    def _step(self, by: int) -> None:
        current, before = self.listing.value, list(self.ids)
        views = self.selected_views()
        ids = [v.instance_id for v in views]
        at = before.index(current) if current in before else -1
        ahead = before[at + 1:] if by > 0 else list(reversed(before[:max(at, 0)]))
        target = next((i for i in ahead if i in ids and i != current), None)
        if target is None and by > 0:
            target = next((i for i in ids if i not in before and i != current), None)
        self.comment.value = ""
        self.message.value = "" if target else "<p class='ek-hint'>这已是队列中的最后一条。</p>" if by > 0 \
            else "<p class='ek-hint'>这已是队列中的第一条。</p>"
        self.refresh(select=target or current or "")

    # ------------------------------------------------------------------ one record
    def show(self) -> None:
        record = self.listing.value
        n = len(self.ids)
        at = self.ids.index(record) + 1 if record in self.ids else 0
        self.position.value = f"<b class='ek-review-position'>第 {at} / {n} 条</b>" if n else \
            "<b class='ek-review-position'>队列中没有记录</b>"
        self.void_box.layout.display = "none"
        if not record:
            self.detail.value = "<p class='ek-hint'>这个筛选条件下没有记录。</p>"
            return
        viewing = link("form.ipynb", view=record)
        self.detail.value = (f"<p class='ek-hint'><a class='ek-view-link' href='{esc(viewing)}'>只读链接</a>"
                             "（可发给评估员或复核员：登录后按各自的权限只读查看）</p>" + record_html(self.project, record))
        found = self.duplicate.get(record)
        if found:
            self.void_note.value = f"<p class='ek-warn'><b>疑似重复：</b>{esc(found)}</p>"
            self.void_box.layout.display = "flex"

    def decide(self, state: str) -> None:
        """通过 / 存疑 / 退回 the record shown, with the comment (the buttons wait while the store writes)."""
        with busy(self.message, f"正在记录「{STATES[state]}」……", *self._actions()):
            self._decide(state)

    def _decide(self, state: str) -> None:
        record, who, comment = self.listing.value, self.login or self.reviewer.code, self.comment.value.strip()
        if not record:
            self.message.value = "<p class='ek-error'>请先选择一条记录。</p>"
            return
        try:
            self.store.review(record, state=state, who=who, comment=comment)
        except ReviewRefused as refused:
            self.message.value = "".join(f"<p class='ek-error'>{esc(p.message)}</p>" for p in refused.problems)
            return
        self.comment.value = ""
        self.message.value = (f"<p class='ek-review-done'>已将记录 {esc(record[:8])} 标为「{esc(STATES[state])}」。"
                              "按「下一条」继续。</p>")
        self._mark(record)

    def _mark(self, record: str) -> None:
        """The record shown stays (with its new state) until 「下一条」; the counts follow."""
        self._counts(self.store.records())
        view = self.store.get(record)
        self._quiet = True
        self.listing.options = [(self._line(view) if i == record and view else label, i) for label, i in self.listing.options]
        self.listing.value = record
        self._quiet = False
        self.show()

    def void(self) -> None:
        """Void the record shown (a 作废 revision with the reason; it no longer counts anywhere)."""
        with busy(self.message, "正在作废记录……", *self._actions()):
            self._void()

    def _void(self) -> None:
        record, who, why = self.listing.value, self.login or self.reviewer.code, self.void_reason.value.strip()
        if not record:
            return
        if not who or not why:
            self.message.value = ("<p class='ek-error'>作废记录必须填写"
                                  + ("审核人" if not who else "原因（如：与哪条记录重复）") + "。</p>")
            return
        try:
            self.store.delete(record, who=who, why=why)
        except ValueError as refused:
            self.message.value = f"<p class='ek-error'>{esc(refused)}</p>"
            return
        self.void_reason.value = ""
        self._step(1)
        self.message.value = f"<p class='ek-review-done'>已作废记录 {esc(record[:8])}：{esc(why)}</p>"


def review_page(project: Project, params: dict[str, str]) -> w.Widget:
    return ReviewView(project, reviewer=params.get("reviewer", ""), record=params.get("record", "").strip(),
                      locked=bool(params.get("_login"))).widget
