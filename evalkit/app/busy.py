"""The busy indicator every page uses for what can take more than a moment.

:func:`busy` wraps an action (a button's click, a filter change, a drill-down, an export): while it
runs, the controls given are disabled and the page's message line shows 「正在……」 with a spinner
drawn by the stylesheet alone (``.ek-spinner``: a CSS border animation, nothing loaded); the
previous message, an old error included, is gone at once.  Afterwards the controls are as they were
and the busy line is cleared — unless the action wrote its own message there — even when the
action failed: an unexpected failure is logged and said in one Chinese sentence, never a traceback.

``EVALKIT_TEST_DELAY`` (seconds) makes every busy action wait that long first.  It exists only so
that the browser tests can see the indicator; nothing else sets it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as w

from evalkit.app.html import esc

DELAY_ENV = "EVALKIT_TEST_DELAY"
FAILED = "操作没有完成：出现了意外错误，已记入服务器日志；已保存的内容没有改变。请重试，若仍出错请告知组长。"
log = logging.getLogger("evalkit.busy")


def busy_html(text: str) -> str:
    """The busy line: a CSS-only spinner and 「正在……」 (announced politely to screen readers)."""
    return (f"<p class='ek-busy' role='status' aria-live='polite'><span class='ek-spinner' aria-hidden='true'></span>"
            f"{esc(text)}</p>")


def _test_delay() -> None:
    try:
        seconds = float(os.environ.get(DELAY_ENV) or 0)
    except ValueError:
        seconds = 0.0
    if seconds > 0:
        time.sleep(min(seconds, 30.0))


@contextmanager
def busy(message: w.HTML, text: str, *controls: w.Widget) -> Iterator[None]:
    """While the block runs: ``controls`` disabled and ``message`` showing ``text`` with a spinner (see the
    module docstring).  An exception from the block is logged and said in ``message``; it does not escape."""
    before = [bool(getattr(c, "disabled", False)) for c in controls]
    for control in controls:
        control.disabled = True
    shown = busy_html(text)
    message.value = shown
    try:
        _test_delay()
        yield
    except Exception:  # noqa: BLE001 - the user gets a sentence and a working page, the log the traceback
        log.exception("action failed: %s", text)
        message.value = f"<p class='ek-error ek-failed'>{esc(FAILED)}</p>"
    finally:
        for control, was in zip(controls, before, strict=True):
            control.disabled = was
        if message.value == shown:
            message.value = ""
