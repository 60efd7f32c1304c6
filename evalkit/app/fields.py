"""Browser forms (ipywidgets) generated from an XLSForm instrument: one field's input.

:class:`FieldWidget` is one input of every supported field type with its label, hint and
message line; it holds what the assessor typed and shows what it is told, and knows no rules
(:class:`evalkit.app.formview.FormView` asks the form engine, :mod:`evalkit.forms`).  Inputs are
the ones a phone offers natively:

- numbers are text boxes on purpose (a number widget would silently drop "abc", while here it is
  kept and answered with 「请输入整数」); the page gives them the phone's number keyboard
  (``inputmode``, set by the page script on boxes of class ``ek-k-integer`` / ``ek-k-decimal``);
- dates and times are the browser's own pickers (``<input type=date>`` / ``type=time``);
- a short select_one is a row of radio buttons, ``likert`` a scale, a long list a drop-down
  (:mod:`evalkit.app.choices`); the unit is searched (:class:`~evalkit.app.choices.SearchPicker`);
- a photo shows its preview, name and size with 「移除照片」 (:mod:`evalkit.app.photo`).

Messages: an error (``ek-bad``: the page can scroll to it) or a warning (``ek-warn``) beside the
field.  All labels, hints and values are HTML-escaped before display.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import ipywidgets as w

from evalkit.app.choices import SearchPicker, choice_input, choice_value, set_choice
from evalkit.app.html import esc, full
from evalkit.app.photo import PhotoInput
from evalkit.forms import base_type

__all__ = ["FieldWidget", "esc", "full", "new_draft_id"]
PHONE_WORDS = ("phone", "mobile", "tel")


class FieldWidget:
    """One input with its label, hint and message line."""

    def __init__(self, field, on_change: Callable[[], None], *, choices=(), picker: SearchPicker | None = None,
                 upload: Callable | None = None, stored: Callable | None = None,
                 options: list[tuple[str, str]] | None = None):
        self.field = field
        self.choices = tuple(choices)
        self.options = options  # a text field answered from a list (the assessor from assessors.xlsx)
        self.kind = base_type(field)
        self._on_change = on_change
        self.picker = picker
        self.photo: PhotoInput | None = None
        self.message = w.HTML("", layout=full())
        self.message.add_class("ek-msg")
        self.input = self._make_input(upload, stored)
        star = " <span class='ek-error'>*</span>" if field.required else ""
        hint = f"<div class='ek-hint'>{esc(field.hint)}</div>" if field.hint else ""
        # label and hint in one widget: every widget is three on the wire (itself, its layout, its style)
        label = w.HTML(f"<span class='ek-label'>{esc(field.label or field.name)}</span>{star}{hint}", layout=full())
        parts = [label, self.input, self.message]
        self.box = w.VBox(parts, layout=full())
        self.box.add_class("ek-field")
        self.box.add_class(f"ek-f-{field.name}")
        self.box.add_class(f"ek-k-{self.kind}")
        if self.kind == "text" and any(word in field.name.lower() for word in PHONE_WORDS):
            self.box.add_class("ek-k-tel")
        if self.kind == "calculate" and not field.label:
            self.box.add_class("ek-calc")  # a helper (e.g. pyxform's count of a fixed repeat): nothing to show

    def _make_input(self, upload, stored):
        f, kind = self.field, self.kind
        if kind in ("note", "calculate"):
            return w.HTML("", layout=full())
        if self.picker is not None:
            return self.picker.widget
        if self.options is not None:
            widget = choice_input(self.options, f.appearance)
        elif kind == "select_one":
            widget = choice_input([(c.label or c.name, c.name) for c in self.choices], f.appearance)
        elif kind == "select_multiple":
            self.checks = [w.Checkbox(value=False, description=c.label or c.name, indent=False, layout=full())
                           for c in self.choices]
            for box, choice in zip(self.checks, self.choices, strict=True):
                box.add_class(f"ek-c-{choice.name}")
                box.observe(self._changed, names="value")
            return w.VBox(self.checks, layout=full())
        elif kind == "date":
            widget = w.DatePicker(layout=full())
        elif kind == "time":
            widget = w.TimePicker(layout=full(), step=60)
        elif kind == "image":
            self.photo = PhotoInput(self._on_change, upload, f.max_mb or 10, stored)
            return self.photo.widget
        elif "multiline" in (f.appearance or "") or (kind == "text" and f.name in ("notes", "remarks")):
            widget = w.Textarea(layout=full(), continuous_update=True)
        else:
            placeholder = {"integer": "整数", "decimal": "数字"}.get(kind, "")
            widget = w.Text(layout=full(), placeholder=placeholder, continuous_update=True)
        widget.observe(self._changed, names="value")
        return widget

    def _changed(self, _change=None) -> None:
        self._on_change()

    @property
    def attachment(self) -> dict | None:
        return self.photo.attachment if self.photo else None

    @property
    def upload_error(self) -> str | None:
        return self.photo.error if self.photo else None

    def get_raw(self) -> object:
        kind = self.kind
        if kind in ("note", "calculate"):
            return None
        if self.picker is not None:
            return self.picker.value
        if kind == "select_multiple":
            return [c.name for c, box in zip(self.choices, self.checks, strict=True) if box.value]
        if kind == "image":
            return self.attachment
        value = self.input.value
        if kind == "select_one" or self.options is not None:
            return choice_value(self.input)
        if kind == "date":
            return value.isoformat() if isinstance(value, dt.date) else None
        if kind == "time":
            return f"{value.hour:02d}:{value.minute:02d}" if isinstance(value, dt.time) else None
        return value

    def set_raw(self, value: object) -> None:
        kind = self.kind
        if kind in ("note", "calculate") or value is None:
            return
        if self.picker is not None:
            self.picker.set(value)
        elif kind == "select_multiple":
            chosen = set(value if isinstance(value, list) else str(value).split())
            for c, box in zip(self.choices, self.checks, strict=True):
                box.value = c.name in chosen
        elif kind == "image":
            self.photo.set(value)
        elif kind == "date":
            try:
                self.input.value = dt.date.fromisoformat(str(value))
            except ValueError:
                pass
        elif kind == "time":
            try:
                hours, minutes = str(value).strip().split(":")[:2]
                self.input.value = dt.time(int(hours), int(minutes))
            except ValueError:
                pass
        elif kind == "select_one" or self.options is not None:
            if self.options is not None and value not in [v for _, v in self.input.options]:
                self.input.options = list(self.input.options) + [(str(value), str(value))]  # an unlisted name stays
            set_choice(self.input, value)
        else:
            self.input.value = str(value)

    def show(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"

    def say(self, message: str | None, warning: str | None = None) -> None:
        """The message beside the field: an error (blocks the submit) or else a warning (does not)."""
        if message:
            self.message.value = f"<span class='ek-error'>⚠ {esc(message)}</span>"
        elif warning:
            self.message.value = f"<span class='ek-warn'>提醒：{esc(warning)}</span>"
        else:
            self.message.value = ""
        if message:
            self.box.add_class("ek-bad")
        else:
            self.box.remove_class("ek-bad")

    def disable(self, flag: bool) -> None:
        """Read-only (a submitted record) or editable again."""
        if self.picker is not None:
            self.picker.disable(flag)
        elif self.photo is not None:
            self.photo.disable(flag)
        elif self.kind == "select_multiple":
            for box in self.checks:
                box.disabled = flag
        elif hasattr(self.input, "disabled"):
            self.input.disabled = flag


def new_draft_id() -> str:
    return uuid.uuid4().hex
