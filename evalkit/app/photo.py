"""A photo field: take or choose a photo, see it, its name and size, and remove it.

The photo is saved to the record store as soon as it arrives (content-addressed, so saving the
same photo twice is harmless) and the field holds the attachment's metadata; a photo above the
instrument's limit is refused with the store's Chinese message beside the field.  The preview
is the photo itself, shown small (no image library is needed); a photo already saved (a
resumed draft, a record being corrected) is read back from the store for its preview.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from evalkit.app.html import esc, full, megabytes

PREVIEW_MAX_BYTES = 12 * 1024 * 1024
FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}


class PhotoInput:
    """The upload button, the preview, the name and size, and 「移除照片」."""

    def __init__(self, on_change: Callable[[], None], upload: Callable | None, limit_mb: float,
                 stored: Callable[[dict], Path | None] | None = None):
        self._on_change, self._upload, self.limit_mb, self._stored = on_change, upload, limit_mb, stored
        self.attachment: dict | None = None
        self.error: str | None = None
        self.button = w.FileUpload(accept="image/*", multiple=False, description="拍照或选择照片", icon="camera",
                                   layout=w.Layout(width="auto"))
        self.preview = w.Image(layout=w.Layout(display="none"))
        self.preview.add_class("ek-photo-preview")
        self.info = w.HTML()
        self.remove = w.Button(description="移除照片", layout=w.Layout(width="auto", display="none"))
        self.remove.add_class("ek-photo-remove")
        self.remove.on_click(lambda _: self.clear())
        self.widget = w.VBox([self.button, w.HBox([self.preview, w.VBox([self.info, self.remove])],
                                                  layout=full())], layout=full())
        self.widget.children[1].add_class("ek-photo-info")
        self.button.observe(self._arrived, names="value")

    def _arrived(self, _change=None) -> None:
        files = self.button.value
        if not files or self._upload is None:
            return
        item = files[0]
        data = bytes(item["content"])
        try:
            self.attachment = self._upload(data, item["name"], item.get("type", ""), self.limit_mb)
            self.error = None
        except ValueError as exc:
            self.attachment, self.error = None, str(exc)
        self._show(data if self.attachment else None)
        self._on_change()

    def set(self, value: object) -> None:
        self.attachment = value if isinstance(value, dict) else None
        self.error = None
        data = None
        path = self._stored(self.attachment) if (self.attachment and self._stored) else None
        if path is not None:
            try:
                if path.stat().st_size <= PREVIEW_MAX_BYTES:
                    data = path.read_bytes()
            except OSError:
                data = None
        self._show(data)

    def clear(self) -> None:
        self.attachment, self.error = None, None
        self._show(None)
        self._on_change()

    def _show(self, data: bytes | None) -> None:
        a = self.attachment
        if a:
            kind = FORMATS.get(str(a.get("media_type", "")))
            if data and kind and len(data) <= PREVIEW_MAX_BYTES:
                self.preview.format, self.preview.value = kind, data
                self.preview.layout.display = None
            else:
                self.preview.layout.display = "none"
            self.info.value = (f"<span class='ek-photo-name'>📷 {esc(a.get('original_name') or '照片')}</span>"
                               f" · <span class='ek-photo-size'>{esc(megabytes(int(a.get('size') or 0)))}</span>")
            self.remove.layout.display = None
            self.button.description = "换一张照片"
        else:
            self.preview.layout.display = "none"
            self.info.value = ""
            self.remove.layout.display = "none"
            self.button.description = "拍照或选择照片"

    def disable(self, flag: bool) -> None:
        self.button.disabled = flag
        self.remove.disabled = flag
