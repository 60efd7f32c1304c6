"""Drafts: the unfinished forms under ``PROJECT/drafts/``, saved on every change.

Layout::

    drafts/<draft_id>.json         the latest save
    drafts/<draft_id>.prev.json    the save before it

Each file is ``{"schema": "evalkit.draft/1", "draft_id", "updated", "data"}``;
``data`` is whatever the form keeps (plain JSON; by convention ``instrument``,
``unit``, ``assessor``, ``started``, ``answers``).  Draft ids are uuid hex,
checked with a full-match regex before they become a file name.

Durability guarantees: drafts are mutable, but a save never leaves a torn file.
The new content is written to a temp file in ``drafts/`` and fsync-ed; the
current file, when it reads back as a valid draft, is renamed to
``<id>.prev.json``; the temp file is renamed to ``<id>.json``; the directory is
fsync-ed.  Whatever moment a crash (or a file system without ordering
guarantees) interrupts this, at least one of the two files holds a complete
save, and :meth:`Drafts.load` falls back to ``.prev`` when the main file is
missing or damaged.  A damaged main file is never rotated over a good ``.prev``.
Drafts are deleted only by :meth:`Drafts.discard`, after the record is submitted.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from evalkit.io.durable import (
    aware_time,
    check_id,
    check_json,
    dumps,
    ensure_dir,
    fsync_dir,
    loads,
    now_or,
    unlink_quietly,
    write_temp,
)

DRAFT_SCHEMA = "evalkit.draft/1"
DRAFT_NAME = re.compile(r"([0-9a-f]{32})(?:\.prev)?\.json")


class Drafts:
    """The project's drafts (``PROJECT/drafts/``); see the module docstring."""

    def __init__(self, project_root: Path) -> None:
        self.dir = Path(project_root) / "drafts"

    def _paths(self, draft_id: str) -> tuple[Path, Path]:
        check_id(draft_id, "草稿编号 draft_id")
        return self.dir / f"{draft_id}.json", self.dir / f"{draft_id}.prev.json"

    def save(self, draft_id: str, data: dict, *, now: datetime | None = None) -> dict:
        """Save ``data`` as the draft's latest version, keeping the previous one; returns the summary."""
        main, prev = self._paths(draft_id)
        if not isinstance(data, dict):
            raise ValueError("草稿内容必须是字典（JSON 对象）。")
        check_json(data, "草稿")
        envelope = {"schema": DRAFT_SCHEMA, "draft_id": draft_id, "updated": now_or(now).isoformat(), "data": data}
        payload = dumps(envelope)
        ensure_dir(self.dir)
        tmp = write_temp(self.dir, main.name, payload)
        try:
            if _read(main, draft_id) is not None:
                os.replace(main, prev)
            os.replace(tmp, main)
        finally:
            unlink_quietly(tmp)
        fsync_dir(self.dir)
        return _summary(loads(payload))

    def load(self, draft_id: str) -> dict | None:
        """The draft's data from the latest good save (``.prev`` when the main file is damaged), else None."""
        envelope = self._envelope(draft_id)
        return envelope["data"] if envelope else None

    def list(self, assessor: str | None = None, instrument: str | None = None) -> list[dict]:
        """Every readable draft as its data plus ``draft_id`` and ``updated``, most recent first.

        ``assessor`` filters on ``data["assessor"]``; ``instrument`` on ``data["instrument"]``
        (or ``data["instrument_id"]``).
        """
        ids = sorted({m.group(1) for p in self._names() if (m := DRAFT_NAME.fullmatch(p))})
        out = []
        for draft_id in ids:
            envelope = self._envelope(draft_id)
            if envelope is None:
                continue
            item = _summary(envelope)
            if assessor is not None and item.get("assessor") != assessor:
                continue
            if instrument is not None and instrument not in (item.get("instrument"), item.get("instrument_id")):
                continue
            out.append(item)
        out.sort(key=lambda d: (aware_time(d["updated"], "updated"), d["draft_id"]), reverse=True)
        return out

    def discard(self, draft_id: str) -> None:
        """Delete the draft (both files); call only after its record was submitted."""
        main, prev = self._paths(draft_id)
        unlink_quietly(main)
        unlink_quietly(prev)
        if self.dir.is_dir():
            fsync_dir(self.dir)

    def _names(self) -> list[str]:
        try:
            return [p.name for p in self.dir.iterdir()] if self.dir.is_dir() else []
        except OSError:
            return []

    def _envelope(self, draft_id: str) -> dict | None:
        main, prev = self._paths(draft_id)
        return _read(main, draft_id) or _read(prev, draft_id)


def _read(path: Path, draft_id: str) -> dict | None:
    """The envelope in ``path`` when it is complete and valid, else None."""
    try:
        envelope = loads(path.read_bytes())
        valid = (isinstance(envelope, dict) and envelope.get("schema") == DRAFT_SCHEMA
                 and envelope.get("draft_id") == draft_id and isinstance(envelope.get("data"), dict))
        if valid:
            aware_time(envelope.get("updated"), "updated")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return envelope if valid else None


def _summary(envelope: dict[str, Any]) -> dict:
    return {**envelope["data"], "draft_id": envelope["draft_id"], "updated": envelope["updated"]}
