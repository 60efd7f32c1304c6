"""Browser forms (ipywidgets) generated from an XLSForm instrument: the widgets.

:class:`FieldWidget` (one input of every supported field type, with its label, hint
and message line), :class:`RepeatWidget` (instances added and removed) and
:class:`Level` (the fields of the form or of one repeat instance, groups as boxes)
hold what the assessor typed and show what they are told; they know no rules.
:class:`evalkit.app.formview.FormView` asks the form engine (:mod:`evalkit.forms`)
about ``relevant`` (show / hide), ``calculate``, ``constraint`` and ``required`` as
the assessor types, shows a Chinese message beside the field and a status line
that always says whether the entry is saved, autosaves a draft on every change
(:mod:`evalkit.store.drafts`), so a closed tab, a reload or a dead kernel loses at
most the field being typed, and writes a record (or, when correcting, a revision)
only when nothing is wrong.

Numbers are typed into text boxes on purpose: a number widget would silently
drop "abc", while here it is kept and answered with 「请输入整数」.
All labels, hints and values are HTML-escaped before display.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable

import ipywidgets as w

from evalkit.forms import base_type

FORM_CSS = """<style>
.ek-form {max-width: 760px; width: 100%; box-sizing: border-box; padding: 0 8px;}
.ek-form .widget-text, .ek-form .widget-dropdown, .ek-form .widget-datepicker, .ek-form .widget-textarea
  {width: 100%; max-width: 100%;}
/* 16px: smaller text makes tablets zoom in on focus; the widget qualifier outranks ipywidgets' own 13px rules */
.ek-form .jupyter-widgets input, .ek-form .jupyter-widgets select, .ek-form .jupyter-widgets textarea {font-size: 16px;}
.ek-field {margin: 6px 0 10px 0; width: 100%;}
.ek-label {font-weight: 600;}
.ek-hint {color: #555; font-size: 90%;}
.ek-error {color: #b00020;}
.ek-status {position: sticky; top: 0; z-index: 10; background: #f3f6fa; padding: 6px 10px;
  border-bottom: 1px solid #ccd; width: 100%; box-sizing: border-box;}
.ek-status.saved {background: #e8f5e9;} .ek-status.dirty {background: #fff8e1;} .ek-status.bad {background: #fdecea;}
.ek-repeat {border-left: 3px solid #9ab; padding-left: 8px; margin: 8px 0;}
.ek-form a {color: #1565c0; text-decoration: underline;}
.ek-group {border: 1px solid #dde; border-radius: 4px; padding: 6px 8px; margin: 8px 0;}
/* ipywidgets' 2px side margins on width:100% widgets made every box scroll sideways by 4px */
.ek-form .jupyter-widgets {margin-left: 0; margin-right: 0;}
.ek-form .widget-hbox > .jupyter-widgets {margin-right: 6px;}
</style>"""


def full() -> w.Layout:
    """A fresh full-width layout (layouts must not be shared: hiding one would hide all)."""
    return w.Layout(width="100%")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


class FieldWidget:
    """One input with its label, hint and message line."""

    def __init__(self, field, on_change: Callable[[], None], *, choices=(), units=None, upload: Callable | None = None):
        self.field = field
        self.choices = tuple(choices)
        self.kind = base_type(field)
        self._on_change = on_change
        self._upload = upload
        self.attachment: dict | None = None
        self.message = w.HTML("", layout=full())
        self.message.add_class("ek-error")
        self.input = self._make_input(units)
        star = " <span class='ek-error'>*</span>" if field.required else ""
        label = w.HTML(f"<span class='ek-label'>{esc(field.label or field.name)}</span>{star}", layout=full())
        parts = [label]
        if field.hint:
            parts.append(w.HTML(f"<span class='ek-hint'>{esc(field.hint)}</span>", layout=full()))
        parts += [self.input, self.message]
        self.box = w.VBox(parts, layout=full())
        self.box.add_class("ek-field")
        self.box.add_class(f"ek-f-{field.name}")

    def _make_input(self, units):
        f, kind = self.field, self.kind
        if kind == "note":
            return w.HTML("")
        if kind == "calculate":
            return w.HTML("", layout=full())
        if kind == "select_one" or (f.role == "unit" and units):
            options = [(u.name + f"（{u.id}）", u.id) for u in units] if f.role == "unit" and units else [
                (c.label or c.name, c.name) for c in self.choices]
            widget = w.Dropdown(options=[("— 请选择 —", "")] + options, value="", layout=full())
        elif kind == "select_multiple":
            self.checks = [w.Checkbox(value=False, description=c.label or c.name, indent=False, layout=full())
                           for c in self.choices]
            for box, choice in zip(self.checks, self.choices, strict=True):
                box.add_class(f"ek-c-{choice.name}")
                box.observe(self._changed, names="value")
            return w.VBox(self.checks, layout=full())
        elif kind == "date":
            widget = w.DatePicker(layout=full())
        elif kind == "image":
            widget = w.FileUpload(accept="image/*", multiple=False, description="选择照片")
        elif "multiline" in (f.appearance or "") or (kind == "text" and f.name in ("notes", "remarks")):
            widget = w.Textarea(layout=full(), continuous_update=True)
        else:
            placeholder = {"integer": "整数", "decimal": "数字", "time": "时:分，如 09:30"}.get(kind, "")
            widget = w.Text(layout=full(), placeholder=placeholder, continuous_update=True)
        widget.observe(self._changed, names="value")
        return widget

    def _changed(self, _change=None) -> None:
        if self.kind == "image":
            self._store_upload()
        self._on_change()

    def _store_upload(self) -> None:
        files = self.input.value
        if not files or self._upload is None:
            return
        item = files[0]
        limit = self.field.max_mb or 10
        try:
            self.attachment = self._upload(bytes(item["content"]), item["name"], item.get("type", ""), limit)
            self.upload_error = None
        except ValueError as exc:
            self.attachment, self.upload_error = None, str(exc)

    upload_error: str | None = None

    def get_raw(self) -> object:
        kind = self.kind
        if kind in ("note", "calculate"):
            return None
        if kind == "select_multiple":
            return [c.name for c, box in zip(self.choices, self.checks, strict=True) if box.value]
        if kind == "image":
            return self.attachment
        value = self.input.value
        if kind == "date":
            return value.isoformat() if isinstance(value, dt.date) else None
        return value

    def set_raw(self, value: object) -> None:
        kind = self.kind
        if kind in ("note", "calculate") or value is None:
            return
        if kind == "select_multiple":
            chosen = set(value if isinstance(value, list) else str(value).split())
            for c, box in zip(self.choices, self.checks, strict=True):
                box.value = c.name in chosen
        elif kind == "image":
            self.attachment = value if isinstance(value, dict) else None
        elif kind == "date":
            try:
                self.input.value = dt.date.fromisoformat(str(value))
            except ValueError:
                pass
        elif isinstance(self.input, w.Dropdown):
            codes = [v for _, v in self.input.options]
            self.input.value = value if value in codes else ""
        else:
            self.input.value = str(value)

    def show(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"

    def say(self, message: str | None) -> None:
        self.message.value = f"⚠ {esc(message)}" if message else ""


class RepeatWidget:
    """A repeat group: several instances of the same fields (e.g. several citizens)."""

    def __init__(self, field, factory: Callable, on_change: Callable[[], None]):
        self.field = field
        self._factory = factory
        self._on_change = on_change
        self.instances: list[Level] = []
        self.list_box = w.VBox([], layout=full())
        self.add_button = w.Button(description=f"＋ 添加一条「{field.label or field.name}」",
                                   layout=w.Layout(width="auto"))
        self.add_button.on_click(lambda _: self.add())
        title = w.HTML(f"<span class='ek-label'>{esc(field.label or field.name)}</span>")
        self.box = w.VBox([title, self.list_box, self.add_button], layout=full())
        self.box.add_class("ek-repeat")
        self.box.add_class(f"ek-f-{field.name}")

    def add(self, raw: dict | None = None, notify: bool = True) -> Level:
        level = self._factory(self.field.children)
        remove = w.Button(description="删除这一条", button_style="warning", layout=w.Layout(width="auto"))
        header = w.HTML("")
        level.header = header
        container = w.VBox([header, level.box, remove], layout=full())
        level.container = container
        remove.on_click(lambda _: self.remove(level))
        self.instances.append(level)
        self._renumber()
        if raw:
            level.set_raw(raw)
        if notify:
            self._on_change()
        return level

    def remove(self, level: Level) -> None:
        self.instances.remove(level)
        self._renumber()
        self._on_change()

    def _renumber(self) -> None:
        for n, level in enumerate(self.instances, start=1):
            level.header.value = f"<b>第 {n} 条</b>"
        self.list_box.children = [lvl.container for lvl in self.instances]

    def show(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"


class Level:
    """The fields of one level (the form, or one repeat instance); groups open up into boxes."""

    def __init__(self, fields, make_field: Callable, make_repeat: Callable):
        self.inputs: list[FieldWidget] = []
        self.repeats: list[RepeatWidget] = []
        self.groups: list[tuple[object, w.Box]] = []
        self.items: list = []  # (field, FieldWidget or RepeatWidget) in form order; groups are in .groups
        self.box = w.VBox(self._build(fields, make_field, make_repeat), layout=full())
        self.header = None
        self.container = None

    def _build(self, fields, make_field, make_repeat) -> list:
        boxes = []
        for f in fields:
            kind = base_type(f)
            if kind == "group":
                title = [w.HTML(f"<span class='ek-label'>{esc(f.label)}</span>")] if f.label else []
                inner = w.VBox(title + self._build(f.children, make_field, make_repeat), layout=full())
                inner.add_class("ek-group")
                self.groups.append((f, inner))
                boxes.append(inner)
            elif kind == "repeat":
                rw = make_repeat(f)
                self.repeats.append(rw)
                self.items.append((f, rw))
                boxes.append(rw.box)
            else:
                fw = make_field(f)
                self.inputs.append(fw)
                self.items.append((f, fw))
                boxes.append(fw.box)
        return boxes

    def raw(self) -> dict:
        data = {fw.field.name: fw.get_raw() for fw in self.inputs if fw.kind not in ("note", "calculate")}
        for rw in self.repeats:
            data[rw.field.name] = [lvl.raw() for lvl in rw.instances]
        return data

    def set_raw(self, data: dict) -> None:
        for fw in self.inputs:
            if fw.field.name in data:
                fw.set_raw(data[fw.field.name])
        for rw in self.repeats:
            for inst in data.get(rw.field.name) or []:
                rw.add(inst, notify=False)


def new_draft_id() -> str:
    return uuid.uuid4().hex
