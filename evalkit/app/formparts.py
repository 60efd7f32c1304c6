"""The parts of a form around its fields: the sticky status line, the signals to the page script,
and the pages of a form made of ``field-list`` groups.

:class:`Signals` is how the kernel asks the page (``static/evalkit.js`` of the Voila template) to
do what only a page can do: put the draft or record into the address (``ek-address``), scroll to
the first message or the top of the form (``ek-focus``), remember the assessor on this device
(``ek-remember``); and how the page hands back the assessor it remembers (the hidden ``ek-device``
text box).  Without the page script (a test, a notebook) the signals are simply not acted on.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from evalkit.app.html import esc, full
from evalkit.forms import base_type


class StatusLine:
    """The line at the top of the form that always says whether the entry is saved (sticky)."""

    def __init__(self):
        self.widget = w.HTML("", layout=full())
        self.widget.add_class("ek-sticky")
        self.text, self.state = "", ""

    def set(self, text: str, state: str, left: str = "", next_error: bool = False) -> None:
        self.text, self.state = text, state
        extra = f"<span class='ek-left'>{esc(left)}</span>" if left else ""
        link = "<a class='ek-next' role='button' tabindex='0'>下一处 ↓</a>" if next_error else ""
        self.widget.value = f"<div class='ek-status {state}'><span class='ek-state'>{esc(text)}</span>{extra}{link}</div>"

    @property
    def value(self) -> str:
        return self.widget.value


class Signals:
    """Kernel → page: address, focus, remembered assessor; page → kernel: the device's assessor."""

    def __init__(self, on_device: Callable[[str], None] | None = None):
        self.widget = w.HTML("", layout=w.Layout(display="none"))
        self.widget.add_class("ek-signals")
        self.device = w.Text("", layout=w.Layout(display="none"))
        self.device.add_class("ek-device")
        self.query, self.focus_n, self.focus_to, self.remembered = "", 0, "", None
        self._on_device = on_device
        self.device.observe(lambda change: self._on_device and self._on_device(change["new"]), names="value")

    def address(self, query: str) -> None:
        """Show ``query`` (e.g. ``draft=…``) in the page's address, so a reload comes back here."""
        if query != self.query:
            self.query = query
            self._render()

    def focus(self, to: str = "error") -> None:
        """Scroll to the first message (``error``) or to the top of the form (``top``)."""
        self.focus_n += 1
        self.focus_to = to
        self._render()

    def remember(self, assessor: str) -> None:
        if assessor and assessor != self.remembered:
            self.remembered = assessor
            self._render()

    def _render(self) -> None:
        parts = [f"<span class='ek-address' data-query='{esc(self.query)}'></span>"]
        if self.focus_n:
            parts.append(f"<span class='ek-focus' data-n='{self.focus_n}' data-to='{esc(self.focus_to)}'></span>")
        if self.remembered:
            parts.append(f"<span class='ek-remember' data-assessor='{esc(self.remembered)}'></span>")
        self.widget.value = "".join(parts)

    @property
    def widgets(self) -> list[w.Widget]:
        return [self.widget, self.device]


def field_names(field) -> set[str]:
    """The field's name and every name inside it (a group's or repeat's children)."""
    names = {field.name}
    for child in field.children:
        names |= field_names(child)
    return names


class Pager:
    """A form with ``field-list`` groups, shown a page at a time with a progress bar.

    Every top-level field-list group is a page; the top-level fields between them make a page
    each run.  Pages whose fields are all hidden (not relevant) are skipped.
    """

    def __init__(self, top: list[tuple[object, w.Widget]], on_turn: Callable[[], None]):
        self.pages: list[list[tuple[object, w.Widget]]] = []
        run: list = []
        for field, box in top:
            if base_type(field) == "group" and "field-list" in (field.appearance or ""):
                if run:
                    self.pages.append(run)
                    run = []
                self.pages.append([(field, box)])
            else:
                run.append((field, box))
        if run:
            self.pages.append(run)
        self.names = [set().union(*(field_names(f) for f, _ in page)) for page in self.pages]
        self.current = 0
        self._on_turn = on_turn
        self.progress = w.HTML(layout=full())
        self.back = w.Button(description="← 上一页", layout=w.Layout(width="auto"))
        self.forward = w.Button(description="下一页 →", button_style="primary", layout=w.Layout(width="auto"))
        self.back.add_class("ek-page-back")
        self.forward.add_class("ek-page-next")
        self.back.on_click(lambda _: self.turn(-1))
        self.forward.on_click(lambda _: self.turn(+1))
        self.nav = w.HBox([self.back, self.forward], layout=full())
        self.nav.add_class("ek-pager")

    @staticmethod
    def wanted(top: list[tuple[object, w.Widget]]) -> bool:
        return any(base_type(f) == "group" and "field-list" in (f.appearance or "") for f, _ in top)

    def _shown(self, n: int) -> bool:
        """Whether page ``n`` has anything relevant (its boxes are hidden by the rules otherwise)."""
        return any(getattr(box, "_ek_relevant", True) for _, box in self.pages[n])

    def visible_pages(self) -> list[int]:
        return [n for n in range(len(self.pages)) if self._shown(n)] or [0]

    @property
    def last(self) -> bool:
        return self.current == self.visible_pages()[-1]

    def turn(self, step: int) -> None:
        pages = self.visible_pages()
        here = pages.index(self.current) if self.current in pages else 0
        self.go(pages[max(0, min(len(pages) - 1, here + step))])

    def go(self, n: int) -> None:
        self.current = n
        self.render()
        self._on_turn()

    def page_of(self, name: str) -> int | None:
        return next((n for n, names in enumerate(self.names) if name in names), None)

    def render(self) -> None:
        pages = self.visible_pages()
        if self.current not in pages:
            self.current = min(pages, key=lambda n: abs(n - self.current))
        for n, page in enumerate(self.pages):
            for _, box in page:
                relevant = getattr(box, "_ek_relevant", True)
                box.layout.display = None if (n == self.current and relevant) else "none"
        here = pages.index(self.current) + 1
        share = round(100 * here / len(pages))
        self.progress.value = (f"<div class='ek-hint ek-page-count'>第 {here} / {len(pages)} 页</div>"
                               f"<div class='ek-progress'><div style='width:{share}%'></div></div>")
        self.back.layout.visibility = "hidden" if here == 1 else "visible"
        self.forward.layout.display = "none" if here == len(pages) else None
