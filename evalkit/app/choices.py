"""Choosing from a list, as a phone form does it.

- :func:`choice_input`: a short list (at most :data:`RADIO_MAX` options, short labels) as a row of
  radio buttons one tap away; a ``likert`` appearance as a scale across the width; a long list as a
  drop-down.
- :class:`SearchPicker`: a long list the assessor searches (the 95 units): the preferred options
  (the units one was sent to) one tap away, the others found by typing part of a name or a code,
  shown as 「名称（编号）」; once chosen, one line with 「更换」.

All are ipywidgets whose value is the option's code (None / "" when nothing is chosen).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as w

from evalkit.app.html import esc, full

RADIO_MAX = 5
RADIO_LABEL_MAX = 10
SEARCH_SHOWN = 8


def choice_input(options: Sequence[tuple[str, str]], appearance: str = "") -> w.Widget:
    """The widget for a select_one: radios, a likert scale or a drop-down (see the module docstring)."""
    appearance = (appearance or "").lower()
    if "likert" in appearance:
        widget = w.RadioButtons(options=list(options), value=None, layout=full())
        widget.add_class("ek-likert")
        return widget
    short = len(options) <= RADIO_MAX and all(len(label) <= RADIO_LABEL_MAX for label, _ in options)
    if options and "minimal" not in appearance and (short or len(options) <= 3):
        widget = w.RadioButtons(options=list(options), value=None, layout=full())
        widget.add_class("ek-radio" if short else "ek-stack")
        return widget
    return w.Dropdown(options=[("— 请选择 —", "")] + list(options), value="", layout=full())


def choice_value(widget: w.Widget) -> str:
    """The chosen code ("" when none)."""
    return widget.value or ""


def set_choice(widget: w.Widget, value: object) -> None:
    """Choose ``value`` when it is one of the options (else nothing is chosen)."""
    codes = [v for _, v in widget.options]
    empty = "" if isinstance(widget, w.Dropdown) else None
    widget.value = value if value in codes else empty


class SearchPicker:
    """One option of a long list, searched by name or code; the preferred ones shown first."""

    def __init__(self, options: Sequence[tuple[str, str]], on_change: Callable[[], None], *,
                 preferred: Sequence[str] = (), noun: str = "单位", preferred_title: str = ""):
        self.options = list(options)
        self.labels = dict((v, k) for k, v in self.options)
        self.noun = noun
        self.value = ""
        self._on_change = on_change
        self._quiet = False
        self.preferred_title = preferred_title
        self.chosen = w.HTML(layout=w.Layout(width="auto"))
        self.change = w.Button(description="更换", layout=w.Layout(width="auto"))
        self.change.on_click(lambda _: self.expand())
        self.chosen_row = w.HBox([self.chosen, self.change], layout=full())
        self.chosen_row.add_class("ek-chosen")
        self.preferred_caption = w.HTML(layout=full())
        self.preferred = w.RadioButtons(options=[], value=None, layout=full())
        self.preferred.add_class("ek-stack")
        self.search = w.Text(placeholder=f"搜索{noun}：输入名称或编号的一部分", continuous_update=True, layout=full())
        self.search.add_class("ek-search")
        self.matches = w.RadioButtons(options=[], value=None, layout=full())
        self.matches.add_class("ek-stack")
        self.more = w.HTML(layout=full())
        self.more.add_class("ek-hint")
        self.finder = w.VBox([self.preferred_caption, self.preferred, self.search, self.matches, self.more],
                             layout=full())
        self.widget = w.VBox([self.chosen_row, self.finder], layout=full())
        self.widget.add_class("ek-picker")
        self.preferred.observe(self._picked, names="value")
        self.matches.observe(self._picked, names="value")
        self.search.observe(lambda _: self._filter(), names="value")
        self.set_preferred(preferred)
        self._show()

    # ------------------------------------------------------------------ the lists
    def set_preferred(self, codes: Sequence[str]) -> None:
        """The options shown first (e.g. the units the assessor was sent to)."""
        self._quiet = True
        try:
            known = [c for c in codes if c in self.labels]
            self.preferred.options = [(self.labels[c], c) for c in known]
            self.preferred.value = self.value if self.value in known else None
        finally:
            self._quiet = False
        title = self.preferred_title or f"常用{self.noun}"
        self.preferred_caption.value = (f"<span class='ek-hint'>{esc(title)}：</span>" if known else "")
        self.preferred.layout.display = None if known else "none"
        self._filter()

    def _filter(self) -> None:
        text = self.search.value.strip().lower()
        if not text:
            found: list[tuple[str, str]] = []
            shown = []
            hint = f"共 {len(self.options)} 个{self.noun}，输入名称或编号查找。"
        else:
            found = [(label, code) for label, code in self.options if text in label.lower() or text in code.lower()]
            shown = found[:SEARCH_SHOWN]
            hint = ("没有找到，请换个词试试。" if not found else
                    f"还有 {len(found) - len(shown)} 个，请输入更多文字。" if len(found) > len(shown) else "")
        self._quiet = True
        try:
            self.matches.options = shown
            self.matches.value = self.value if self.value in [c for _, c in shown] else None
        finally:
            self._quiet = False
        self.matches.layout.display = None if shown else "none"
        self.more.value = hint

    # ------------------------------------------------------------------ choosing
    def _picked(self, change) -> None:
        if self._quiet or change["new"] is None:
            return
        self.set(change["new"])
        self._on_change()

    def set(self, code: object) -> None:
        """Choose ``code`` (an unknown code is kept, shown as it is)."""
        self.value = "" if code is None else str(code)
        self._show()

    def expand(self) -> None:
        self.finder.layout.display = None
        self.chosen_row.layout.display = "none"

    def _show(self) -> None:
        if self.value:
            label = self.labels.get(self.value, self.value)
            self.chosen.value = f"<span class='ek-hint'>已选：</span><b>{esc(label)}</b>"
            self.chosen_row.layout.display = None
            self.finder.layout.display = "none"
        else:
            self.chosen_row.layout.display = "none"
            self.finder.layout.display = None
        self._quiet = True
        try:
            for radio in (self.preferred, self.matches):
                radio.value = self.value if self.value in [c for _, c in radio.options] else None
        finally:
            self._quiet = False

    def disable(self, flag: bool) -> None:
        for control in (self.change, self.preferred, self.search, self.matches):
            control.disabled = flag
        self.change.layout.display = "none" if flag else None


class NamedChoice(w.Combobox):
    """A searchable choice of 「名称（编号）」 labels (an assessor, a reviewer …) whose :attr:`code` is what the
    records keep (the name).  With ``strict`` (a list read from the project's files, e.g. assessors.xlsx)
    nothing but a listed option can be chosen (``ensure_option``); without a list a name can be typed."""

    def __init__(self, options: Sequence[tuple[str, str]], value: str = "", strict: bool = True, **kwargs):
        pairs = list(dict.fromkeys((str(label), str(code)) for label, code in options))
        codes = {code for _, code in pairs}
        if value and value not in codes:  # a name given by the link or the login, not on the list: kept as it is
            pairs.append((value, value))
        self.codes = dict(pairs)
        label = next((lbl for lbl, code in pairs if code == value), "") if value else ""
        super().__init__(options=[lbl for lbl, _ in pairs], value=label or value, ensure_option=strict,
                         placeholder=kwargs.pop("placeholder", "输入姓名或编号查找"), **kwargs)

    @property
    def code(self) -> str:
        """The chosen option's code (a label typed exactly or the code itself is accepted too)."""
        text = (self.value or "").strip()
        return self.codes.get(text, text)
