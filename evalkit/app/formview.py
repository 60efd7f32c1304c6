"""The form controller: widgets from :mod:`evalkit.app.fields` and :mod:`evalkit.app.repeats`,
everything they show from the form engine (:func:`evalkit.forms.evaluate_form`), drafts on every
change, records on a clean submit.

On every change the view collects what the widgets hold, asks the engine, and applies the answer:
fields, groups and repeats shown or hidden, the message beside each field (a missing required
answer only after a submit attempt), the calculated values, the number of entries of a repeat with
a ``repeat_count``; and the rules of who records where (:mod:`evalkit.app.people`): a unit that is
one of the assessor's 关联单位 is refused, a unit outside the assignment needs a reason, a date
outside the 评估期 is a warning.

The entry's life (each step also shown in the sticky status line at the top):

1. new: 「● 尚未保存」; a draft for the same instrument and assessor is offered (「继续未完成的草稿」);
2. the first change saves a draft and puts ``draft=…`` into the address, so a reload or a
   reconnect comes back to it: 「✓ 草稿已自动保存 HH:MM:SS（尚未提交）」 with what is left to fill;
3. 提交 with something wrong: 「✗ 有 N 处需要修改」, the page scrolls to the first message
   (「下一处 ↓」 goes on), on a paged form the page holding it is shown;
4. submitted: 「✓ 已提交，记录编号 …」, every field read-only, ``record=…`` in the address, with
   「修改此记录」 (a correction with a reason) and 「在本页再填一份」;
5. a correction shows a banner (record, unit, review state, the reviewer's comment) and ends with
   「✓ 已保存修改」.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as w

from evalkit.app.choices import SearchPicker
from evalkit.app.fields import FieldWidget, esc, full, new_draft_id
from evalkit.app.formlife import EntryLife, now_iso
from evalkit.app.formparts import Pager, Signals, StatusLine
from evalkit.app.people import DEVICE_NONE, Team
from evalkit.app.repeats import Level, RepeatWidget
from evalkit.forms import FieldIssue, FormState, default_value, evaluate_form, is_empty


class FormView(EntryLife):
    """One instrument being filled (new record, resumed draft, a record read or corrected)."""

    def __init__(self, instrument, *, store, drafts, units=None, unit: str = "", assessor: str = "",
                 draft_id: str | None = None, record_id: str | None = None, editing: bool = False,
                 today: dt.date | None = None, links: Callable[[str], str] | None = None,
                 again: Callable[[], None] | None = None, team: Team | None = None,
                 resume: Callable[[str], None] | None = None, offers: list[dict] | None = None,
                 labels: Callable[[str], str] | None = None, who: str = ""):
        self.instrument, self.store, self.drafts = instrument, store, drafts
        self.units = list(units.units) if units is not None else []
        self.team = team or Team()
        self.today = today
        self.record_id = record_id
        self.editing = bool(editing and record_id)
        self.draft_id = draft_id or new_draft_id()
        self.draft_saved = bool(draft_id)
        self.links = links or (lambda query: f"?{query}")
        self.labels = labels or (lambda unit: unit)
        self.again, self.resume = again, resume
        self.page_who = who  # who is at the device (the page's assessor): the author of a correction
        self.started = now_iso()
        self.loading = True
        self.submitted: str | None = None
        self.readonly = False
        self.state: FormState | None = None
        self.status = StatusLine()
        self.signals = Signals(self._device)
        self.banner = w.HTML("", layout=full())
        self.offer = w.VBox([], layout=w.Layout(width="100%", display="none"))
        self.result = w.HTML("", layout=full())
        self._unit_field = self._assessor_field = None
        self._build_extras()
        self.root = Level(instrument.fields, self._make_field, self._make_repeat)
        self.pager = Pager(self.root.top, self._turned) if Pager.wanted(self.root.top) else None
        title = w.HTML(f"<h3>{esc(instrument.title)}</h3>" + (
            f"<div class='ek-hint'>{esc(instrument.title_en)}</div>" if instrument.title_en else ""))
        pages = (([self.pager.progress], [self.pager.nav]) if self.pager else ([], []))
        self.widget = w.VBox([*self.signals.widgets, self.status.widget, self.banner, self.offer, title, *pages[0],
                              self.root.box, self.why_box, *pages[1], self.actions, self.result], layout=full())
        self.widget.add_class("ek-form")
        self._load(unit, assessor)
        self._offer(offers or [])
        self.loading = False
        self.refresh()
        self._opened()

    # ------------------------------------------------------------------ building
    def _make_field(self, field) -> FieldWidget:
        choices = self.instrument.choices.get(field.list_name, ()) if field.list_name else ()
        picker = None
        if field.role == "unit" and self.units:
            picker = SearchPicker([(f"{u.name}（{u.id}）", u.id) for u in self.units], self._changed,
                                  preferred_title="派给您的单位（双随机）")
        options = self.team.assessor_options() if field.role == "assessor" and self.team.assessors else None
        fw = FieldWidget(field, self._changed, choices=choices, picker=picker, upload=self._upload,
                         stored=self._stored, options=options)
        if field.role == "unit" and self._unit_field is None:
            self._unit_field = fw
            fw.box.children = (*fw.box.children, self.reason_box)  # the reason for another unit, right below it
        if field.role == "assessor" and self._assessor_field is None:
            self._assessor_field = fw
        return fw

    def _make_repeat(self, field) -> RepeatWidget:
        return RepeatWidget(field, self._new_instance, self._changed)

    def _new_instance(self, fields) -> Level:
        """One repeat entry; one the assessor adds starts with the instrument's defaults
        (entries rebuilt from a draft or record, while loading, keep what was saved)."""
        level = Level(fields, self._make_field, self._make_repeat)
        if not self.loading:
            self.loading = True
            try:
                self._defaults(level)
            finally:
                self.loading = False
        return level

    def _build_extras(self) -> None:
        self.reason = w.Text(placeholder="如：派员名单中的评估员生病，经组长同意代为评估", layout=full())
        self.reason.observe(lambda _: self._changed(), names="value")
        self.reason_message = w.HTML("", layout=full())
        self.reason_message.add_class("ek-msg")
        self.reason_box = w.VBox([w.HTML("<span class='ek-label'>评估派员名单以外单位的原因</span> "
                                         "<span class='ek-error'>*</span>"), self.reason, self.reason_message],
                                 layout=w.Layout(width="100%", display="none"))
        self.reason_box.add_class("ek-field")
        self.reason_box.add_class("ek-f-_reason")
        self.why = w.Text(placeholder="修改原因（必填），如：核对原始记录后更正跑动次数", layout=full())
        self.why_message = w.HTML("", layout=full())
        self.why_message.add_class("ek-msg")
        self.why_box = w.VBox([w.HTML("<span class='ek-label'>修改原因 <span class='ek-error'>*</span></span>"),
                               self.why, self.why_message], layout=full())
        self.why_box.add_class("ek-field")
        self.why_box.add_class("ek-f-_why")
        self.submit_button = w.Button(description="提交", button_style="primary",
                                      layout=w.Layout(width="auto", min_width="160px"))
        self.submit_button.add_class("ek-submit")
        self.submit_button.on_click(lambda _: self.submit())
        self.edit_button = w.Button(description="修改此记录", layout=w.Layout(width="auto", display="none"))
        self.edit_button.add_class("ek-edit")
        self.edit_button.on_click(lambda _: self.start_correction())
        self.again_button = w.Button(description="在本页再填一份", layout=w.Layout(width="auto", display="none"))
        self.again_button.add_class("ek-again")
        self.again_button.on_click(lambda _: self.again and self.again())
        self.actions = w.HBox([self.submit_button, self.edit_button, self.again_button], layout=full())
        self.actions.add_class("ek-actions")

    def _defaults(self, level: Level) -> None:
        for fw in level.inputs:
            value = default_value(fw.field, self.today)
            if value is not None:
                fw.set_raw(value)
        for rw in level.repeats:  # the least number of entries, ready to fill
            while len(rw.instances) < rw.field.fewest and not rw.fixed:
                rw.add(notify=False)

    def _upload(self, data: bytes, name: str, media_type: str, limit_mb: float) -> dict:
        return self.store.save_attachment(data, original_name=name, media_type=media_type,
                                          max_bytes=int(limit_mb * 1024 * 1024))

    def _stored(self, attachment: dict):
        """Where a saved photo is (for its preview), or None."""
        path = self.store.attachment_dir / str(attachment.get("name", ""))
        return path if path.is_file() else None

    # ------------------------------------------------------------------ rules
    def refresh(self, show_required: bool = False) -> tuple[dict, list[FieldIssue]]:
        """Ask the form engine about what the widgets hold and show its answer; returns (answers, issues)."""
        errors = dict(_upload_errors(self.root, ""))
        state = evaluate_form(self.instrument, self.root.raw(), today=self.today, errors=errors)
        if state.counts and self._fit_counts(self.root, "", state.counts):
            state = evaluate_form(self.instrument, self.root.raw(), today=self.today, errors=errors)
        self.state = state
        extra = self._entry_issues(state.answers, show_required)
        shown = {**{i.path: i for i in extra}, **state.by_path}
        self._show(self.root, "", state, shown, show_required)
        if self.pager:
            self.pager.render()
        issues = list(state.issues) + [i for i in extra if i.code != "pending"]
        self._left = (sum(i.code == "required" for i in issues), sum(i.code != "required" for i in issues))
        return state.answers, issues

    def _fit_counts(self, level: Level, prefix: str, counts: dict) -> bool:
        changed = False
        for rw in level.repeats:
            path = prefix + rw.field.name
            if path in counts and len(rw.instances) != counts[path]:
                self.loading, was = True, self.loading
                try:
                    rw.trim(counts[path])
                finally:
                    self.loading = was
                changed = True
            for n, inst in enumerate(rw.instances, start=1):
                changed |= self._fit_counts(inst, f"{path}[{n}].", counts)
        return changed

    def _entry_issues(self, answers: dict, show_required: bool) -> list[FieldIssue]:
        """The rules of who records where, and the correction's reason (as the engine's issues)."""
        unit, assessor = self._roles(answers)
        found = []
        conflict = self.team.conflict(assessor, unit)
        if conflict and self._unit_field is not None:
            found.append(FieldIssue(self._unit_field.field.name, self._unit_field.field.name, "conflict", conflict))
        off = self.team.off_assignment(assessor, unit) and not self.readonly
        self.reason_box.layout.display = None if off else "none"
        if off and not self.reason.value.strip():
            found.append(FieldIssue("_reason", "_reason", "required" if show_required else "pending",
                                    "请说明为什么评估派员名单以外的单位"))
        if self.record_id and not self.readonly and not self.why.value.strip():
            found.append(FieldIssue("_why", "_why", "required" if show_required else "pending", "请填写修改原因"))
        say = lambda issue: f"<span class='ek-error'>⚠ {esc(issue.message)}</span>" if issue else ""  # noqa: E731
        by_path = {i.path: i for i in found if i.code != "pending"}
        self.reason_message.value = say(by_path.get("_reason"))
        self.why_message.value = say(by_path.get("_why"))
        for box, path in ((self.reason_box, "_reason"), (self.why_box, "_why")):
            (box.add_class if path in by_path else box.remove_class)("ek-bad")
        return found

    def _show(self, level: Level, prefix: str, state: FormState, shown: dict, show_required: bool) -> None:
        """Apply the engine's answer to one level's widgets (a hidden repeat's entries are left as they are)."""
        top = {id(box) for _, box in level.top} if (self.pager and level is self.root) else set()
        for group, box in level.groups:
            self._display(box, prefix + group.name not in state.hidden, id(box) in top)
        for field, item in level.items:
            path = prefix + field.name
            visible = path not in state.hidden
            self._display(item.box, visible, id(item.box) in top)
            issue = shown.get(path) if visible else None
            message = issue.message if issue and (issue.code != "required" or show_required) else None
            if isinstance(item, RepeatWidget):
                item.say(message)
                if visible:
                    for n, instance in enumerate(item.instances, start=1):
                        self._show(instance, f"{path}[{n}].", state, shown, show_required)
            elif item.kind == "calculate":
                value = state.calculated.get(path)
                item.input.value = "" if is_empty(value) else f"<span class='ek-hint'>自动计算：</span>{esc(value)}"
            else:
                warning = self.team.date_warning(item.get_raw()) if item.kind == "date" and visible else None
                item.say(message, warning)

    @staticmethod
    def _display(box: w.Widget, visible: bool, paged: bool) -> None:
        if paged:
            box._ek_relevant = visible  # the pager shows it when its page is shown
        else:
            box.layout.display = None if visible else "none"

    def _roles(self, answers: dict) -> tuple[str, str]:
        unit = assessor = ""
        for fw in self.root.inputs:
            if fw.field.role == "unit":
                unit = str(answers.get(fw.field.name) or "")
            if fw.field.role == "assessor":
                assessor = str(answers.get(fw.field.name) or "")
        return unit, assessor

    def _device(self, remembered: str) -> None:
        """The assessor this device remembers, used when the form names none (see :mod:`evalkit.app.people`)."""
        fw = self._assessor_field
        if not remembered or remembered == DEVICE_NONE:
            return
        self.page_who = self.page_who or remembered
        if fw is None or self.readonly or fw.get_raw():
            return
        self.loading = True
        try:
            self._set_assessor(fw, remembered)
        finally:
            self.loading = False
        self.refresh()

    def _set_assessor(self, fw: FieldWidget, name: str) -> None:
        fw.set_raw(name)

    def _turned(self) -> None:
        self.signals.focus("top")


def _upload_errors(level: Level, prefix: str):
    """(path, message) of every photo the widgets refused themselves (e.g. too large)."""
    for fw in level.inputs:
        if fw.upload_error:
            yield prefix + fw.field.name, fw.upload_error
    for rw in level.repeats:
        for n, instance in enumerate(rw.instances, start=1):
            yield from _upload_errors(instance, f"{prefix}{rw.field.name}[{n}].")
