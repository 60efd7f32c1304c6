"""Small helpers every page uses: HTML escaping and a fresh full-width layout."""

from __future__ import annotations

import html

import ipywidgets as w


def full() -> w.Layout:
    """A fresh full-width layout (layouts must not be shared: hiding one would hide all)."""
    return w.Layout(width="100%")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


def megabytes(size: int) -> str:
    """A file size as an assessor reads it: 「0.4 MB」, 「12 KB」."""
    if size < 100 * 1024:
        return f"{max(size / 1024, 0.1):.0f} KB" if size >= 1024 else f"{size} 字节"
    return f"{size / 1048576:.1f} MB"
