"""Record revisions: the file format, reading one file, history order and conflicts.

A revision file (schema ``evalkit.record/1``) is a complete snapshot of a record
plus what the revision did; :mod:`evalkit.store.records` writes them, this module reads
and interprets them.  Reading never raises for a bad file: it returns a problem
naming the file instead, so one damaged file never hides the others.

History order follows the parent chain (parents before children); ``when`` only
orders siblings and independent roots.  A record's *heads* are revisions with no
children that no later revision ``merges``; more than one head is a conflict
(two laptops edited the same record): the head with the latest ``when``, then the
larger revision id, is current and the others are listed in ``conflicts``.
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from evalkit.io.durable import ID_RE, aware_time, loads
from evalkit.problems import Problem, problem
from evalkit.store.problems import RECORD_CONFLICT, RECORD_DAMAGED, RECORD_INVALID, RECORD_ORPHAN

SCHEMA = "evalkit.record/1"
KINDS = ("submission", "edit", "delete", "review")
STATES = {"received": "已接收", "has_issues": "有问题", "approved": "已通过", "rejected": "已退回"}
EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
              ".heic": "image/heic", ".pdf": "application/pdf"}
ATTACHMENT_KEYS = ("field", "name", "sha256", "size", "media_type", "original_name")
SNAPSHOT_KEYS = ("instrument_id", "instrument_version", "instrument_sha256", "unit", "assessor", "started",
                 "ended", "answers", "attachments", "state", "comment", "deleted")
META_KEYS = ("schema", "instance_id", "revision_id", "parent", "kind", "who", "when", "why", "merges")
_TEXT_KEYS = ("kind", "who", "when", "why", "instrument_id", "instrument_version", "instrument_sha256", "unit",
              "assessor", "started", "state", "comment")


@dataclass(frozen=True)
class Revision:
    """One revision file: a full snapshot of the record plus what this revision did."""

    instance_id: str
    revision_id: str
    parent: str | None
    kind: str
    who: str
    when: str
    why: str
    merges: tuple[str, ...]
    instrument_id: str
    instrument_version: str
    instrument_sha256: str
    unit: str
    assessor: str
    started: str
    ended: str | None
    answers: dict
    attachments: tuple[dict, ...]
    state: str
    comment: str
    deleted: bool
    path: str = ""

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], path: str = "") -> Revision:
        fields = {k: doc[k] for k in META_KEYS + SNAPSHOT_KEYS if k != "schema"}
        fields.update(merges=tuple(doc["merges"]), attachments=tuple(doc["attachments"]))
        return cls(**fields, path=path)

    def snapshot(self) -> dict:
        """The record's content (a deep copy), as stored in every revision file."""
        out = {k: copy.deepcopy(getattr(self, k)) for k in SNAPSHOT_KEYS}
        out["attachments"] = list(out["attachments"])
        return out

    @property
    def when_time(self) -> datetime:
        return aware_time(self.when, "when")

    def order_key(self) -> tuple[datetime, str]:
        return (self.when_time, self.revision_id)


@dataclass(frozen=True)
class RecordView:
    """A record as it currently stands (its current revision), with how it got there."""

    instance_id: str
    instrument_id: str
    instrument_version: str
    instrument_sha256: str
    unit: str
    assessor: str
    started: str
    ended: str | None
    answers: dict
    attachments: tuple[dict, ...]
    state: str
    comment: str
    deleted: bool
    revisions: int
    current: str
    submitted: str
    updated: str
    conflicts: tuple[str, ...] = ()

    @property
    def conflicted(self) -> bool:
        return bool(self.conflicts)

    @property
    def state_zh(self) -> str:
        return STATES.get(self.state, self.state)


def document_error(doc: Any, instance_id: str, revision_id: str) -> str | None:
    """Why ``doc`` is not a valid revision of ``instance_id`` (None when it is)."""
    if not isinstance(doc, dict):
        return "内容不是 JSON 对象"
    if doc.get("schema") != SCHEMA:
        return f"格式版本为 {str(doc.get('schema'))[:40]}，应为 {SCHEMA}"
    missing = [k for k in META_KEYS + SNAPSHOT_KEYS if k not in doc]
    if missing:
        return "缺少字段 " + "、".join(missing)
    wrong = [k for k in _TEXT_KEYS if not isinstance(doc[k], str)]
    wrong += [k for k, t in (("answers", dict), ("attachments", list), ("merges", list), ("deleted", bool))
              if not isinstance(doc[k], t)]
    if doc["ended"] is not None and not isinstance(doc["ended"], str):
        wrong.append("ended")
    if wrong:
        return "字段类型错误：" + "、".join(wrong)
    if doc["instance_id"] != instance_id or doc["revision_id"] != revision_id:
        return "记录编号或修订编号与文件位置不符"
    ids = [doc["parent"]] if doc["parent"] is not None else []
    if not all(isinstance(i, str) and ID_RE.fullmatch(i) for i in ids + doc["merges"]):
        return "parent 或 merges 不是有效的修订编号"
    if doc["kind"] not in KINDS or doc["state"] not in STATES or (doc["kind"] == "submission") != (not ids):
        return f"kind「{doc['kind']}」、state「{doc['state']}」或 parent 无效"
    if not all(isinstance(a, dict) and all(k in a for k in ATTACHMENT_KEYS) for a in doc["attachments"]):
        return "附件信息不完整"
    try:
        for key in ("when", "started") + (("ended",) if doc["ended"] else ()):
            aware_time(doc[key], key)
    except ValueError as exc:
        return str(exc)
    return None


def read_revision(path: Path, instance_id: str) -> tuple[Revision | None, Problem | None]:
    """Parse and check one revision file; a problem naming ``path`` instead when it cannot be used."""
    try:
        doc = loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, problem(RECORD_DAMAGED, file=str(path), record=instance_id, detail=str(exc)[:200])
    error = document_error(doc, instance_id, path.name.removesuffix(".json"))
    if error:
        return None, problem(RECORD_INVALID, file=str(path), record=instance_id, detail=error)
    return Revision.from_document(doc, str(path)), None


def ordered(revisions: Iterable[Revision]) -> list[Revision]:
    """Parents before children; siblings and independent roots by (when, revision id)."""
    by_id = {r.revision_id: r for r in revisions}
    children: dict[str, list[Revision]] = {}
    ready = []
    for r in by_id.values():
        if r.parent in by_id:
            children.setdefault(r.parent, []).append(r)
        else:
            ready.append((r.order_key(), r.revision_id))
    heapq.heapify(ready)
    out: list[Revision] = []
    while ready:
        _, rid = heapq.heappop(ready)
        out.append(by_id[rid])
        for child in children.get(rid, []):
            heapq.heappush(ready, (child.order_key(), child.revision_id))
    seen = {r.revision_id for r in out}
    return out + sorted((r for r in by_id.values() if r.revision_id not in seen), key=Revision.order_key)


def build_view(revisions: list[Revision]) -> tuple[RecordView, list[Problem]]:
    """The current state of one record and its orphan / conflict problems.

    Heads are revisions without children that no later revision ``merges``; with more
    than one head the record is in conflict, and the head with the latest ``when``
    (then the larger revision id) is current.
    """
    history = ordered(revisions)
    by_id = {r.revision_id: r for r in history}
    parents = {r.parent for r in history} | {m for r in history for m in r.merges}
    heads = [r for r in history if r.revision_id not in parents] or history
    current = max(heads, key=Revision.order_key)
    others = tuple(h.revision_id for h in sorted(heads, key=Revision.order_key) if h is not current)
    iid = current.instance_id
    problems = [problem(RECORD_ORPHAN, file=r.path, record=iid, parent=r.parent)
                for r in history if r.parent is not None and r.parent not in by_id]
    if others:
        problems.append(problem(RECORD_CONFLICT, file=current.path, record=iid, current=current.revision_id,
                                others="、".join(others)))
    # no deep copy: the revisions were just read and are not kept, the view owns their answers
    snap = {k: getattr(current, k) for k in SNAPSHOT_KEYS}
    return RecordView(instance_id=iid, **snap, revisions=len(history), current=current.revision_id,
                      submitted=history[0].when, updated=current.when, conflicts=others), problems
