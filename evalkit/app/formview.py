"""The form controller: widgets from :mod:`evalkit.app.fields`, everything they show from the form engine
(:func:`evalkit.forms.evaluate_form`), drafts on every change, records on a clean submit.

On every change the view collects what the widgets hold, asks the engine, and applies
the answer: fields, groups and repeats shown or hidden, the message beside each field
(a missing required answer only after a submit attempt), the calculated values.

States shown in the status line (always visible at the top of the form):
「● 尚未保存」, 「✓ 草稿已自动保存 HH:MM:SS（尚未提交）」, 「✗ 有 N 处需要修改，尚未提交」,
「✓ 已提交，记录编号 …」.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections.abc import Callable, Iterator

import ipywidgets as w

from evalkit.app.fields import FORM_CSS, FieldWidget, Level, RepeatWidget, esc, full, new_draft_id
from evalkit.forms import FieldIssue, FormState, default_value, evaluate_form, is_empty


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


class FormView:
    """One instrument being filled (new record, resumed draft, or correction of a record)."""

    def __init__(self, instrument, *, store, drafts, units=None, unit: str = "", assessor: str = "",
                 draft_id: str | None = None, record_id: str | None = None, today: dt.date | None = None,
                 links: Callable[[str], str] | None = None, again: Callable[[], None] | None = None):
        self.instrument, self.store, self.drafts = instrument, store, drafts
        self.units = list(units.units) if units is not None else []
        self.today = today
        self.record_id = record_id
        self.draft_id = draft_id or new_draft_id()
        self.links = links or (lambda query: f"?{query}")
        self.again = again  # start the next record of the same kind on this page (no new page, no new kernel)
        self.started = now_iso()
        self.loading = True
        self.submitted: str | None = None
        self.status = w.HTML("", layout=full())
        self.result = w.HTML("", layout=full())
        self.root = Level(instrument.fields, self._make_field, self._make_repeat)
        self.why = w.Text(placeholder="修改原因（必填），如：核对原始记录后更正跑动次数", layout=full())
        self.why_message = w.HTML("", layout=full())
        self.why_message.add_class("ek-error")
        self.why_box = w.VBox([w.HTML("<span class='ek-label'>修改原因 <span class='ek-error'>*</span></span>"),
                               self.why, self.why_message], layout=full())
        self.why_box.add_class("ek-field")
        self.why_box.add_class("ek-f-_why")
        self.why_box.layout.display = None if record_id else "none"
        self.submit_button = w.Button(description="修改并保存" if record_id else "提交", button_style="primary",
                                      layout=w.Layout(width="160px", height="40px"))
        self.submit_button.on_click(lambda _: self.submit())
        title = w.HTML(f"<h3>{esc(instrument.title)}</h3>" + (
            f"<div class='ek-hint'>{esc(instrument.title_en)}</div>" if instrument.title_en else ""))
        self.again_button = w.Button(description="在本页再填一份", layout=w.Layout(width="160px", height="40px",
                                                                                 display="none"))
        self.again_button.add_class("ek-again")
        self.again_button.on_click(lambda _: self.again and self.again())
        self.widget = w.VBox([w.HTML(FORM_CSS), self.status, title, self.root.box, self.why_box,
                              self.submit_button, self.result, self.again_button], layout=full())
        self.widget.add_class("ek-form")
        self._load(unit, assessor)
        self.loading = False
        self.refresh()
        self._set_status("● 尚未保存：填写后会自动保存草稿", "dirty")

    # ------------------------------------------------------------------ building
    def _make_field(self, field) -> FieldWidget:
        choices = self.instrument.choices.get(field.list_name, ()) if field.list_name else ()
        return FieldWidget(field, self._changed, choices=choices, units=self.units if field.role == "unit" else None,
                           upload=self._upload)

    def _make_repeat(self, field) -> RepeatWidget:
        return RepeatWidget(field, self._new_instance, self._changed)

    def _new_instance(self, fields) -> Level:
        """One repeat instance; one the assessor adds starts with the instrument's defaults
        (instances rebuilt from a draft or record, while loading, keep what was saved)."""
        level = Level(fields, self._make_field, self._make_repeat)
        if not self.loading:
            self.loading = True
            try:
                self._defaults(level)
            finally:
                self.loading = False
        return level

    def _upload(self, data: bytes, name: str, media_type: str, limit_mb: float) -> dict:
        return self.store.save_attachment(data, original_name=name, media_type=media_type,
                                          max_bytes=int(limit_mb * 1024 * 1024))

    def _load(self, unit: str, assessor: str) -> None:
        if self.record_id:
            view = self.store.get(self.record_id)
            if view is not None:
                self.root.set_raw(view.answers)
                return
        draft = self.drafts.load(self.draft_id) if self.draft_id else None
        if draft:
            self.started = draft.get("started", self.started)
            self.record_id = draft.get("record") or self.record_id
            self.root.set_raw(draft.get("answers", {}))
            return
        self._defaults(self.root)
        for fw in self.root.inputs:
            if fw.field.role == "unit" and unit:
                fw.set_raw(unit)
            if fw.field.role == "assessor" and assessor:
                fw.set_raw(assessor)

    def _defaults(self, level: Level) -> None:
        for fw in level.inputs:
            value = default_value(fw.field, self.today)
            if value is not None:
                fw.set_raw(value)

    # ------------------------------------------------------------------ rules
    def refresh(self, show_required: bool = False) -> tuple[dict, list[FieldIssue]]:
        """Ask the form engine about what the widgets hold and show its answer; returns (answers, issues)."""
        errors = dict(_upload_errors(self.root, ""))
        state = evaluate_form(self.instrument, self.root.raw(), today=self.today, errors=errors)
        self._show(self.root, "", state, show_required)
        return state.answers, list(state.issues)

    def _show(self, level: Level, prefix: str, state: FormState, show_required: bool) -> None:
        """Apply the engine's answer to one level's widgets (a hidden repeat's instances are left as they are)."""
        for group, box in level.groups:
            box.layout.display = "none" if prefix + group.name in state.hidden else None
        for field, item in level.items:
            path = prefix + field.name
            visible = path not in state.hidden
            item.show(visible)
            if isinstance(item, RepeatWidget):
                if visible:
                    for n, instance in enumerate(item.instances, start=1):
                        self._show(instance, f"{path}[{n}].", state, show_required)
            elif item.kind == "calculate":
                value = state.calculated.get(path)
                item.input.value = "" if is_empty(value) else f"<span class='ek-hint'>自动计算：</span>{esc(value)}"
            else:
                issue = state.by_path.get(path) if visible else None
                item.say(issue.message if issue and (issue.code != "required" or show_required) else None)

    # ------------------------------------------------------------------ saving
    def _changed(self) -> None:
        if self.loading:
            return
        self.refresh()
        if self.submitted:
            return
        self.save_draft()

    def save_draft(self) -> None:
        unit, assessor = self._roles(self.root.raw())
        try:
            self.drafts.save(self.draft_id, {
                "draft_id": self.draft_id, "instrument": self.instrument.id, "version": self.instrument.version,
                "record": self.record_id, "unit": unit, "assessor": assessor, "started": self.started,
                "updated": now_iso(), "answers": self.root.raw(),
            })
        except OSError as exc:  # disk full, read-only folder …: say so, keep the answers on screen
            self._set_status(f"✗ 草稿未能保存：{disk_trouble(exc)}。页面上的内容仍在，请不要关闭页面，并联系组长。",
                             "bad")
            return
        self._set_status(f"✓ 草稿已自动保存 {dt.datetime.now().strftime('%H:%M:%S')}（尚未提交）", "dirty")

    def _roles(self, answers: dict) -> tuple[str, str]:
        unit = assessor = ""
        for fw in self.root.inputs:
            if fw.field.role == "unit":
                unit = str(answers.get(fw.field.name) or "")
            if fw.field.role == "assessor":
                assessor = str(answers.get(fw.field.name) or "")
        return unit, assessor

    def submit(self) -> str | None:
        """Validate everything; write the record (or revision) only when nothing is wrong."""
        if self.submitted:
            return self.submitted
        answers, issues = self.refresh(show_required=True)
        why = self.why.value.strip()
        missing_why = bool(self.record_id and not why)
        self.why_message.value = "⚠ 请填写修改原因" if missing_why else ""
        if missing_why:
            issues.append(FieldIssue("_why", "_why", "required", "请填写修改原因"))
        if issues:
            self._set_status(f"✗ 有 {len(issues)} 处需要修改，尚未提交（见红色提示）", "bad")
            return None
        unit, assessor = self._roles(answers)
        attachments = [a for a in self._attachments(self.root) if a]
        try:
            if self.record_id:
                rev = self.store.edit(self.record_id, answers=answers, who=assessor, why=why, attachments=attachments)
            else:
                rev = self.store.submit(
                    instrument_id=self.instrument.id, instrument_version=self.instrument.version,
                    instrument_sha256=self.instrument.sha256, unit=unit, assessor=assessor, answers=answers,
                    started=self.started, ended=now_iso(), attachments=attachments)
        except OSError as exc:  # nothing was committed (write_new is all or nothing); the draft stays
            self._set_status(f"✗ 提交失败，记录没有保存：{disk_trouble(exc)}。草稿仍保留，问题解决后请再点「提交」。",
                             "bad")
            return None
        except ValueError as exc:  # the store refused the record (e.g. an unsafe unit id)
            self._set_status(f"✗ 提交失败，记录没有保存：{exc}", "bad")
            return None
        try:
            self.drafts.discard(self.draft_id)
        except OSError:
            pass  # the record is saved; a leftover draft is listed and can be discarded later
        self.submitted = rev.instance_id
        self.submit_button.disabled = True
        self._set_status(f"✓ 已提交，记录编号 {rev.instance_id[:8]}", "saved")
        self._show_links(rev.instance_id, unit, assessor)
        return rev.instance_id

    def _attachments(self, level: Level) -> list:
        found = [fw.attachment for fw in level.inputs if fw.kind == "image"]
        for rw in level.repeats:
            for inst in rw.instances:
                found += self._attachments(inst)
        return found

    def _show_links(self, instance_id: str, unit: str, assessor: str) -> None:
        again = self.links(f"instrument={self.instrument.id}&unit={unit}&assessor={assessor}")
        fix = self.links(f"record={instance_id}")
        self.result.value = (f"<p>记录已保存到项目的 raw/ 文件夹。 <a href='{esc(again)}'>再填一份</a> · "
                             f"<a href='{esc(fix)}'>更正这条记录</a></p>")
        if self.again is not None and not self.record_id:
            self.again_button.layout.display = None

    def _set_status(self, text: str, state: str) -> None:
        self.status.value = f"<div class='ek-status {state}'>{esc(text)}</div>"


def _upload_errors(level: Level, prefix: str) -> Iterator[tuple[str, str]]:
    """(path, message) of every photo the widgets refused themselves (e.g. too large)."""
    for fw in level.inputs:
        if fw.upload_error:
            yield prefix + fw.field.name, fw.upload_error
    for rw in level.repeats:
        for n, instance in enumerate(rw.instances, start=1):
            yield from _upload_errors(instance, f"{prefix}{rw.field.name}[{n}].")


def disk_trouble(exc: OSError) -> str:
    """An OSError in words an assessor can act on (never a traceback)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘空间已满"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "项目文件夹不可写入"
    if exc.errno == errno.EIO:
        return "磁盘读写出错"
    return f"无法写入文件（{exc.strerror or type(exc).__name__}）"
