"""The levels of a form: :class:`Level` (the fields of the form or of one repeat entry, groups as
boxes) and :class:`RepeatWidget` (a repeat group's entries, e.g. several citizens or test calls).

A repeat keeps at least its least number of entries (``evalkit::min_repeats``) ready to fill, and a
repeat with a ``repeat_count`` exactly that many (the form view sets the number; the assessor does
not add or delete).  Deleting an entry asks first (「删除第 2 条？」 with 「确定删除」 / 「取消」),
and every deleted entry can be brought back with 「撤销」 until the record is submitted.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from evalkit.app.html import esc, full
from evalkit.forms import base_type, is_empty


class Level:
    """The fields of one level (the form, or one repeat entry); groups open up into boxes."""

    def __init__(self, fields, make_field: Callable, make_repeat: Callable):
        self.inputs: list = []  # FieldWidget, in form order
        self.repeats: list[RepeatWidget] = []
        self.groups: list[tuple[object, w.Box]] = []
        self.items: list = []  # (field, FieldWidget or RepeatWidget) in form order; groups are in .groups
        self.top: list[tuple[object, w.Widget]] = []  # (field, box) of this level's own fields, groups as one box
        self.box = w.VBox(self._build(fields, make_field, make_repeat, self.top), layout=full())
        self.container: w.Box | None = None
        self.header: w.HTML | None = None

    def _build(self, fields, make_field, make_repeat, top: list | None = None) -> list:
        boxes = []
        for f in fields:
            kind = base_type(f)
            if kind == "group":
                title = [w.HTML(f"<span class='ek-label'>{esc(f.label)}</span>")] if f.label else []
                inner = w.VBox(title + self._build(f.children, make_field, make_repeat), layout=full())
                inner.add_class("ek-group")
                inner.add_class(f"ek-g-{f.name}")
                self.groups.append((f, inner))
                box = inner
            elif kind == "repeat":
                rw = make_repeat(f)
                self.repeats.append(rw)
                self.items.append((f, rw))
                box = rw.box
            else:
                fw = make_field(f)
                self.inputs.append(fw)
                self.items.append((f, fw))
                box = fw.box
            boxes.append(box)
            if top is not None:
                top.append((f, box))
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
                if isinstance(inst, dict):
                    rw.add(inst, notify=False)

    def filled(self) -> int:
        """How many answers this level holds (for 「删除第 2 条？其中已填 5 项」)."""
        count = sum(not is_empty(fw.get_raw()) for fw in self.inputs if fw.kind not in ("note", "calculate"))
        return count + sum(lvl.filled() for rw in self.repeats for lvl in rw.instances)

    def disable(self, flag: bool) -> None:
        for fw in self.inputs:
            fw.disable(flag)
        for rw in self.repeats:
            rw.disable(flag)


class RepeatWidget:
    """A repeat group: several entries of the same fields, added, deleted (asked first) and restored."""

    def __init__(self, field, factory: Callable, on_change: Callable[[], None]):
        self.field = field
        self.label = field.label or field.name
        self._factory = factory
        self._on_change = on_change
        self.instances: list[Level] = []
        self.removed: list[tuple[int, Level]] = []  # (position, entry) of each deleted entry, latest last
        self.fixed = bool(field.repeat_count)  # the number of entries is set by the form
        self.disabled = False
        self.list_box = w.VBox([], layout=full())
        self.add_button = w.Button(description=f"＋ 添加一条「{self.label}」", layout=w.Layout(width="auto"))
        self.add_button.add_class("ek-add")
        self.add_button.on_click(lambda _: self.add())
        self.undo_text = w.HTML()
        self.undo_button = w.Button(description="撤销", layout=w.Layout(width="auto"))
        self.undo_button.add_class("ek-undo-button")
        self.undo_button.on_click(lambda _: self.undo())
        self.undo_bar = w.HBox([self.undo_text, self.undo_button], layout=w.Layout(width="100%", display="none"))
        self.undo_bar.add_class("ek-undo")
        self.message = w.HTML("", layout=full())
        self.message.add_class("ek-msg")
        title = w.HTML(f"<span class='ek-label'>{esc(self.label)}</span>"
                       + (" <span class='ek-error'>*</span>" if field.fewest else ""))
        self.box = w.VBox([title, self.list_box, self.undo_bar, self.message, self.add_button], layout=full())
        self.box.add_class("ek-repeat")
        self.box.add_class(f"ek-f-{field.name}")
        if self.fixed:
            self.add_button.layout.display = "none"

    # ------------------------------------------------------------------ entries
    def add(self, raw: dict | None = None, notify: bool = True) -> Level:
        level = self._factory(self.field.children)
        level.header = w.HTML("")
        delete = w.Button(description="删除", layout=w.Layout(width="auto"))
        delete.add_class("ek-del")
        delete.on_click(lambda _: self.ask(level))
        if self.fixed:
            delete.layout.display = "none"
        head = w.HBox([level.header, delete], layout=full())
        head.add_class("ek-instance-head")
        level.delete_button = delete
        level.confirm = w.HBox([], layout=w.Layout(width="100%", display="none"))
        level.confirm.add_class("ek-confirm")
        level.container = w.VBox([head, level.confirm, level.box], layout=full())
        level.container.add_class("ek-instance")
        self.instances.append(level)
        self._renumber()
        if raw:
            level.set_raw(raw)
        if self.disabled:
            level.disable(True)
            delete.layout.display = "none"
        if notify:
            self._on_change()
        return level

    def ask(self, level: Level) -> None:
        """「删除第 n 条？」 with the number of answers it holds, 「确定删除」 and 「取消」."""
        n = self.instances.index(level) + 1
        filled = level.filled()
        text = w.HTML(f"删除第 {n} 条「{esc(self.label)}」？" + (f"其中已填 {filled} 项。" if filled else ""))
        yes = w.Button(description="确定删除", button_style="danger", layout=w.Layout(width="auto"))
        yes.add_class("ek-del-yes")
        no = w.Button(description="取消", layout=w.Layout(width="auto"))
        no.add_class("ek-del-no")
        yes.on_click(lambda _: self.remove(level))
        no.on_click(lambda _: self._cancel(level))
        level.confirm.children = (text, yes, no)
        level.confirm.layout.display = None
        level.delete_button.layout.display = "none"

    def _cancel(self, level: Level) -> None:
        level.confirm.layout.display = "none"
        level.delete_button.layout.display = None

    def remove(self, level: Level) -> None:
        position = self.instances.index(level)
        self.instances.remove(level)
        self._cancel(level)
        self.removed.append((position, level))
        self._renumber()
        self._on_change()

    def undo(self) -> None:
        """Bring the last deleted entry back where it was."""
        if not self.removed:
            return
        position, level = self.removed.pop()
        self.instances.insert(min(position, len(self.instances)), level)
        self._renumber()
        self._on_change()

    def forget_removed(self) -> None:
        """After a submit: the deleted entries are gone for good."""
        self.removed.clear()
        self._renumber()

    def trim(self, wanted: int) -> None:
        """Exactly ``wanted`` entries for a repeat_count: blank ones added, trailing empty ones dropped
        (an entry holding answers is kept, and the form says there are too many)."""
        while len(self.instances) < wanted:
            self.add(notify=False)
        while len(self.instances) > wanted and self.instances[-1].filled() == 0:
            self.instances.pop()
        self._renumber()

    def _renumber(self) -> None:
        for n, level in enumerate(self.instances, start=1):
            level.header.value = f"<b>第 {n} 条</b>"
        self.list_box.children = [lvl.container for lvl in self.instances]
        if self.removed and not self.disabled:
            position, _ = self.removed[-1]
            more = f"（共 {len(self.removed)} 条可撤销）" if len(self.removed) > 1 else ""
            self.undo_text.value = f"已删除原第 {position + 1} 条「{esc(self.label)}」{more}"
            self.undo_bar.layout.display = None
        else:
            self.undo_bar.layout.display = "none"

    # ------------------------------------------------------------------ shown
    def show(self, visible: bool) -> None:
        self.box.layout.display = None if visible else "none"

    def say(self, message: str | None) -> None:
        self.message.value = f"<span class='ek-error'>⚠ {esc(message)}</span>" if message else ""
        if message:
            self.box.add_class("ek-bad")
        else:
            self.box.remove_class("ek-bad")

    def disable(self, flag: bool) -> None:
        """Read-only: no adding or deleting (the buttons are hidden), every field disabled."""
        self.disabled = flag
        self.add_button.disabled = flag
        self.add_button.layout.display = "none" if (flag or self.fixed) else None
        for level in self.instances:
            level.delete_button.disabled = flag
            level.delete_button.layout.display = "none" if (flag or self.fixed) else None
            level.disable(flag)
        self._renumber()
