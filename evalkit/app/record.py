"""One record as the lead evaluator reads it: answers under their labels (choices as their labels,
units as 「名称（编号）」, whole numbers without 「.0」, photos as thumbnails that open over the page),
then its history — submissions, corrections, review decisions with their comments and the
assessor's answers to them (the 存疑 thread).  Everything is HTML-escaped.
"""

from __future__ import annotations

import base64

from evalkit.app.html import esc
from evalkit.app.links import link, title_of, unit_label
from evalkit.forms import iter_fields
from evalkit.project import Project

STATES = {"received": "已接收", "has_issues": "存疑", "approved": "已通过", "rejected": "已退回"}
TABLE_CSS = """<style>.ek-table {border-collapse: collapse; width: 100%; font-size: 14px;}
.ek-table td, .ek-table th {border: 1px solid #ccd; padding: 4px 6px; text-align: left; vertical-align: top;}
.ek-table th {background: #eef2f7;}</style>"""
IMAGES = {"image/jpeg", "image/png", "image/webp"}
THUMB_MAX_BYTES = 8 * 1024 * 1024


SUMMARY_MAX = 24


def summary_fields(instrument) -> list[str]:
    """The answers that tell two records of one instrument and unit apart: the first text question of the
    form (not the unit or assessor) and the first text question inside its first repeat — for a hotline
    test the number called and the 事项 asked, for a mystery visit the 事项 attempted."""
    top = next((f.name for _, f, repeat in instrument.places if repeat is None and f.type == "text" and not f.role), None)
    inner = next((f.name for _, f, repeat in instrument.places if repeat is not None and f.type == "text" and not f.role),
                 None)
    return [name for name in (top, inner) if name]


def record_summary(project: Project, view) -> str:
    """「0432-60131423 · 企业设立登记」: the distinguishing answers of a record (see :func:`summary_fields`)."""
    inst = project.instruments.get(view.instrument_id)
    if inst is None:
        return ""
    parts = []
    for name in summary_fields(inst):
        value = view.answers.get(name)
        if value in (None, ""):
            repeats = [v for v in view.answers.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
            value = next((r[0].get(name) for r in repeats if r[0].get(name) not in (None, "")), None)
        if value not in (None, ""):
            text = str(value).strip()
            parts.append(text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…")
    return " · ".join(parts)


def state_text(code: str) -> str:
    return STATES.get(code, code)


def record_html(project: Project, instance_id: str) -> str:
    """One record: its answers (labels from the instrument), its photos and its history, escaped."""
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
    show = Shown(project, labels, choices)
    rows = "".join(f"<tr><th>{esc(labels.get(k, k))}</th><td>{show.value(k, v)}</td></tr>"
                   for k, v in view.answers.items())
    conflict = "<p class='ek-error'>这条记录有冲突的修订，请核对后再修改。</p>" if view.conflicts else ""
    deleted = "<p class='ek-error'>这条记录已作废，不参与计分。</p>" if view.deleted else ""
    unit = f"<a href='{esc(link('scoring.ipynb', unit=view.unit))}' title='该单位的计分卡'>{esc(unit_label(project, view.unit))}</a>"
    return (f"<h4>记录 {esc(view.instance_id)} · {esc(title_of(project, view.instrument_id))} · "
            f"{unit} · 评估员 {esc(view.assessor)} · 状态：{esc(state_text(view.state))}</h4>"
            f"{conflict}{deleted}<div class='ek-scroll'><table class='ek-table ek-record'>{rows}</table></div>"
            f"<h4>修订与审核记录</h4>{history_html(project, instance_id)}")


def history_html(project: Project, instance_id: str) -> str:
    """The record's revisions, oldest first: who, when, what, and the comment or reason."""
    items = []
    previous = None
    for r in project.store.history(instance_id):
        kind = revision_kind(r, previous)
        note = r.comment if r.kind == "review" else r.why
        cls = {"审核：存疑": " query", "审核：已退回": " query", "答复": " answer"}.get(kind, "")
        items.append(f"<li class='ek-h{cls}'>{esc(r.when[:16].replace('T', ' '))} {esc(r.who)} · {esc(kind)}"
                     + (f"：{esc(note)}" if note else "") + "</li>")
        previous = r
    return f"<ol class='ek-history'>{''.join(items)}</ol>"


def revision_kind(revision, previous=None) -> str:
    """What a revision did, in Chinese: 提交, 修改, 答复 (an edit that left the answers as they were:
    the assessor's reply to a query), 作废, or the review decision."""
    if revision.kind == "review":
        return "审核：" + state_text(revision.state)
    if revision.kind == "edit" and previous is not None and previous.answers == revision.answers \
            and previous.attachments == revision.attachments:
        return "答复"
    return {"submission": "提交", "edit": "修改", "delete": "作废"}.get(revision.kind, revision.kind)


def corrections(project: Project, instance_id: str) -> int:
    """How many times the answers were changed (reviews and replies are not revisions of the answers)."""
    history, previous, count = project.store.history(instance_id), None, 0
    for r in history:
        count += revision_kind(r, previous) == "修改"
        previous = r
    return count


class Shown:
    """Answers for reading: choice codes as their labels, unit ids with their names, photos as thumbnails."""

    def __init__(self, project: Project, labels: dict, choices: dict):
        self.project, self.labels, self.choices = project, labels, choices

    def value(self, name: str, value) -> str:
        names = self.choices.get(name, {})
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return "".join(f"<div><b>第 {n} 条</b><table class='ek-table'>"
                           + "".join(f"<tr><th>{esc(self.labels.get(k, k))}</th><td>{self.value(k, x)}</td></tr>"
                                     for k, x in item.items())
                           + "</table></div>" for n, item in enumerate(value, start=1))
        if isinstance(value, list):
            return esc("、".join(names.get(v, str(v)) for v in value))
        if isinstance(value, dict):
            return self.photo(value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float) and value.is_integer():
            return esc(int(value))
        if isinstance(value, str) and value in names:
            return esc(names[value])
        if isinstance(value, str) and name in ("unit", "unit_id") and value:
            return esc(unit_label(self.project, value))
        return esc(value)

    def photo(self, attachment: dict) -> str:
        """A thumbnail button that opens the full photo over the page (the page script's lightbox; no second
        request and no new tab: the data is inline)."""
        shown = attachment.get("original_name") or attachment.get("name") or "附件"
        path = self.project.store.attachment_dir / str(attachment.get("name", ""))
        media = attachment.get("media_type", "")
        if media not in IMAGES or not path.is_file() or path.stat().st_size > THUMB_MAX_BYTES:
            missing = "" if path.is_file() else "（文件不在本机）"
            return f"<span class='ek-hint'>附件 {esc(shown)}{missing}</span>"
        data = base64.b64encode(path.read_bytes()).decode()
        return (f"<button type='button' class='ek-thumb' title='放大查看（Esc 关闭）' aria-label='放大查看照片 {esc(shown)}'>"
                f"<img alt='{esc(shown)}' src='data:{esc(media)};base64,{data}'></button>"
                f"<span class='ek-hint'>{esc(shown)}</span>")
