"""The life of one entry, for :class:`evalkit.app.formview.FormView`: opened (new, a draft, a record),
saved as a draft on every change, submitted, read-only, corrected.  See the form view's docstring
for what the assessor sees at each step; this is how it is done.

Nothing here knows the widgets of single fields: it works with the view's root level, status
line, signals, banner and buttons.
"""

from __future__ import annotations

import datetime as dt
import errno

import ipywidgets as w

from evalkit.app.fields import new_draft_id
from evalkit.app.html import esc
from evalkit.sampling import record_off_assignment
from evalkit.store import STATES


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def when_text(stamp: str) -> str:
    """An ISO time as an assessor reads it: 「11月20日 14:32」 (local time)."""
    try:
        moment = dt.datetime.fromisoformat(str(stamp)).astimezone()
    except ValueError:
        return str(stamp)[:16]
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


class EntryLife:
    """Opening, drafts, submit, read-only and correction (mixed into the form view)."""

    # ------------------------------------------------------------------ opening
    def _load(self, unit: str, assessor: str) -> None:
        draft = self.drafts.load(self.draft_id) if self.draft_saved else None
        if draft:
            self.started = draft.get("started", self.started)
            self.record_id = draft.get("record") or self.record_id
            self.editing = bool(self.record_id)
            self.root.set_raw(draft.get("answers", {}))
            self.reason.value = str(draft.get("reason") or "")
            self.why.value = str(draft.get("why") or "")
            if self.pager and isinstance(draft.get("page"), int) and 0 <= draft["page"] < len(self.pager.pages):
                self.pager.current = draft["page"]
            return
        if self.record_id:
            view = self.store.get(self.record_id)
            if view is not None:
                self.root.set_raw(view.answers)
                return
        self._defaults(self.root)
        for fw in self.root.inputs:
            if fw.field.role == "unit" and unit:
                fw.set_raw(unit)
            if fw.field.role == "assessor" and assessor:
                self._set_assessor(fw, assessor)

    def _opened(self) -> None:
        """The status, banner, buttons and address of a view just opened."""
        if self.record_id and not self.editing:
            self._read_only(True)
            view = self.store.get(self.record_id)
            when = when_text(view.updated) if view else ""
            self._set_status(f"✓ 已提交的记录 {self.record_id[:8]}（{when} 保存），只能查看；要更正请点「修改此记录」",
                             "saved")
            self.signals.address(f"record={self.record_id}")
        elif self.draft_saved:
            self._report_saved(resumed=True)
            self.signals.address(f"draft={self.draft_id}")
        elif self.record_id:
            self._set_status("● 正在修改已提交的记录：改好后填写修改原因，点「保存修改」", "dirty")
            self.signals.address(f"record={self.record_id}&edit=1")
        else:
            self._set_status("● 尚未保存：填写后会自动保存草稿", "dirty", left=True)
        self._show_banner()
        self._buttons()
        _, assessor = self._roles(self.root.raw())
        self.signals.remember(assessor)

    def _offer(self, drafts: list[dict]) -> None:
        """「继续未完成的草稿」 for drafts of the same instrument and assessor (a new entry only)."""
        if self.record_id or self.draft_saved or not drafts or self.resume is None:
            return
        rows = [w.HTML("<b>您有未完成的草稿</b>：可以接着填，不必重新开始。")]
        for d in drafts[:3]:
            unit = self.labels(d.get("unit") or "") or "未选单位"
            button = w.Button(description=f"继续未完成的草稿：{unit}（{when_text(d.get('updated', ''))} 更新）",
                              button_style="warning", layout=w.Layout(width="auto", max_width="100%"))
            button.add_class("ek-resume")
            button.on_click(lambda _, draft=d["draft_id"]: self.resume(draft))
            rows.append(button)
        fresh = w.Button(description="不用了，重新填写", layout=w.Layout(width="auto"))
        fresh.on_click(lambda _: setattr(self.offer.layout, "display", "none"))
        rows.append(fresh)
        self.offer.children = rows
        self.offer.add_class("ek-banner")
        self.offer.add_class("offer")
        self.offer.layout.display = None

    # ------------------------------------------------------------------ drafts
    def _changed(self) -> None:
        if self.loading:
            return
        self.refresh()
        if self.readonly:
            return
        self.offer.layout.display = "none"
        self.save_draft()
        _, assessor = self._roles(self.root.raw())
        self.signals.remember(assessor)

    def save_draft(self) -> None:
        unit, assessor = self._roles(self.root.raw())
        try:
            self.drafts.save(self.draft_id, {
                "draft_id": self.draft_id, "instrument": self.instrument.id, "version": self.instrument.version,
                "record": self.record_id, "unit": unit, "assessor": assessor, "started": self.started,
                "updated": now_iso(), "answers": self.root.raw(), "reason": self.reason.value,
                "why": self.why.value, "page": self.pager.current if self.pager else None,
            })
        except OSError as exc:  # disk full, read-only folder …: say so, keep the answers on screen
            self._set_status(f"✗ 草稿未能保存：{disk_trouble(exc)}。页面上的内容仍在，请不要关闭页面，并联系组长。",
                             "bad")
            return
        self.draft_saved = True
        self.signals.address(f"draft={self.draft_id}")
        self._report_saved()

    def _report_saved(self, resumed: bool = False) -> None:
        saved = "✓ 已打开草稿" if resumed else f"✓ 草稿已自动保存 {dt.datetime.now():%H:%M:%S}"
        self._set_status(f"{saved}（尚未提交）", "dirty", left=True)

    def _set_status(self, text: str, state: str, left: bool = False, next_error: bool = False) -> None:
        words = ""
        if left:
            required, wrong = getattr(self, "_left", (0, 0))
            parts = ([f"还差 {required} 项必填"] if required else []) + ([f"{wrong} 处需修改"] if wrong else [])
            words = "，".join(parts) if parts else "必填项已填完，可以提交"
        self.status.set(text, state, words, next_error)

    # ------------------------------------------------------------------ submit
    def submit(self) -> str | None:
        """Validate everything; write the record (or revision) only when nothing is wrong."""
        if self.readonly:
            return self.submitted
        answers, issues = self.refresh(show_required=True)
        if issues:
            self._set_status(f"✗ 有 {len(issues)} 处需要修改，尚未提交（见红色提示）", "bad", next_error=True)
            page = self._page_of(issues[0].path)
            if page is not None and page != self.pager.current:
                self.pager.current = page
                self.pager.render()
            self.signals.focus("error")
            return None
        unit, assessor = self._roles(answers)
        attachments = [a for a in _attachments(self.root) if a]
        correcting = bool(self.record_id)
        try:
            if correcting:
                rev = self.store.edit(self.record_id, answers=answers, who=self.who(assessor), why=self.why.value.strip(),
                                      attachments=attachments)
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
        self._submitted(rev.instance_id, unit, assessor, correcting)
        return rev.instance_id

    def who(self, assessor: str) -> str:
        """Who makes a correction: the assessor of this page (a team login will say it instead)."""
        return self.page_who or assessor

    page_who = ""

    def _submitted(self, instance_id: str, unit: str, assessor: str, correcting: bool) -> None:
        notes = ""
        if self.team.off_assignment(assessor, unit) and not correcting:
            try:
                record_off_assignment(self.store.root, record=instance_id, unit=unit, assessor=assessor,
                                      reason=self.reason.value)
            except (OSError, ValueError) as exc:
                notes = f"（记录已保存，但评估名单以外单位的原因未能保存：{exc}）"
        try:
            self.drafts.discard(self.draft_id)
        except OSError:
            pass  # the record is saved; a leftover draft is listed and can be discarded later
        for rw in _repeats(self.root):
            rw.forget_removed()
        self.submitted = self.record_id = instance_id
        self.editing = False
        self._read_only(True)
        if correcting:
            self._set_status(f"✓ 已保存修改，记录编号 {instance_id[:8]}{notes}", "saved")
        else:
            self._set_status(f"✓ 已提交，记录编号 {instance_id[:8]}{notes}", "saved")
        self.signals.address(f"record={instance_id}")
        self.why.value = ""
        self._show_banner()
        self._buttons(after_submit=not correcting)
        again = self.links(f"instrument={self.instrument.id}&unit={unit}&assessor={assessor}")
        self.result.value = (f"<p>记录已保存到项目的 raw/ 文件夹。 <a href='{esc(again)}'>再填一份（新页面）</a></p>")

    # ------------------------------------------------------------------ read-only and corrections
    def _read_only(self, flag: bool) -> None:
        self.readonly = flag
        self.root.disable(flag)
        self.reason.disabled = flag

    def start_correction(self) -> None:
        """「修改此记录」: the fields editable again, a reason required, a new draft for the correction."""
        if not self.record_id:
            return
        self.submitted = None
        self.editing = True
        self._read_only(False)
        self.draft_id, self.draft_saved = new_draft_id(), False
        self.result.value = ""
        self.refresh()
        self._set_status("● 正在修改已提交的记录：改好后填写修改原因，点「保存修改」", "dirty")
        self._show_banner()
        self._buttons()
        self.signals.address(f"record={self.record_id}&edit=1")

    def _buttons(self, after_submit: bool = False) -> None:
        editing = bool(self.record_id) and not self.readonly
        self.submit_button.description = "保存修改" if editing else "提交"
        self.submit_button.layout.display = "none" if self.readonly else None
        self.edit_button.layout.display = None if self.readonly and self.record_id else "none"
        self.again_button.layout.display = None if (after_submit and self.again is not None) else "none"
        self.why_box.layout.display = None if editing else "none"
        if self.pager:
            self.pager.nav.layout.display = None

    def _show_banner(self) -> None:
        """For a record: its id, unit, review state and the reviewer's comment (退回 in red)."""
        view = self.store.get(self.record_id) if self.record_id else None
        if view is None:
            self.banner.value = ""
            return
        state = STATES.get(view.state, view.state)
        doing = "正在更正记录" if not self.readonly else "记录"
        comment = (f"<div>审核意见{'（退回原因）' if view.state == 'rejected' else ''}：{esc(view.comment)}</div>"
                   if view.comment else "")
        kind = "returned" if view.state in ("rejected", "has_issues") else ""
        self.banner.value = (f"<div class='ek-banner {kind}'><b>{doing} {esc(view.instance_id[:8])}</b>"
                             f" · {esc(self.labels(view.unit))} · 审核状态：{esc(state)}"
                             f" · 已修订 {view.revisions - 1} 次{comment}</div>")

    def _page_of(self, path: str) -> int | None:
        if not self.pager:
            return None
        name = path.split("[")[0].split(".")[0]
        return self.pager.page_of(name)


def _repeats(level):
    for rw in level.repeats:
        yield rw
        for inst in rw.instances:
            yield from _repeats(inst)


def _attachments(level) -> list:
    found = [fw.attachment for fw in level.inputs if fw.kind == "image"]
    for rw in level.repeats:
        for inst in rw.instances:
            found += _attachments(inst)
    return found


def disk_trouble(exc: OSError) -> str:
    """An OSError in words an assessor can act on (never a traceback)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘空间已满"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "项目文件夹不可写入"
    if exc.errno == errno.EIO:
        return "磁盘读写出错"
    return f"无法写入文件（{exc.strerror or type(exc).__name__}）"
