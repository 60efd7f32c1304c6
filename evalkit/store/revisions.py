"""Record revisions (schema ``evalkit.record/2``): the canonical bytes, the hash that names them,
checking one revision, history order and conflicts.

A revision is a complete snapshot of a record plus what the revision did.  Its **canonical bytes**
are its document encoded as compact UTF-8 JSON (``separators=(",", ":")``, no ASCII escaping, keys
in the order of :data:`DOC_KEYS`, answers in the order they were given), and its **name** is the
sha256 of those bytes (64 hex digits).  A revision names its parent by that hash (``parent``) and
the other heads a conflict-resolving edit settles (``merges``), so the chain is content-addressed
as in git: one changed byte changes the name, a revision whose parent is gone is an orphan, and a
chain cannot be reordered without changing every name after the change.

Reading never raises for bad bytes: :func:`parse_revision` returns a problem naming the file.

History order follows the parent chain (parents before children); ``when`` only orders siblings
and independent roots.  A record's *heads* are revisions with no children that no later revision
``merges``; more than one head is a conflict (two laptops edited the same record): the head with
the latest ``when``, then the larger revision hash, is current and the others are listed in
``conflicts``.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import json
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from evalkit.io.durable import ID_RE, aware_time
from evalkit.problems import Problem, problem
from evalkit.store.problems import (
    RECORD_CONFLICT,
    RECORD_DAMAGED,
    RECORD_HASH_MISMATCH,
    RECORD_INVALID,
    RECORD_ORPHAN,
)

SCHEMA = "evalkit.record/2"
OLD_SCHEMA = "evalkit.record/1"
HASH_RE = re.compile(r"[0-9a-f]{64}")
KINDS = ("submission", "edit", "delete", "review")
STATES = {"received": "已接收", "has_issues": "有问题", "approved": "已通过", "rejected": "已退回"}
EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
              ".heic": "image/heic", ".pdf": "application/pdf"}
ATTACHMENT_KEYS = ("field", "name", "sha256", "size", "media_type", "original_name")
META_KEYS = ("instance_id", "parent", "kind", "who", "when", "why", "merges")
SNAPSHOT_KEYS = ("instrument_id", "instrument_version", "instrument_sha256", "unit", "assessor", "started",
                 "ended", "attachments", "state", "comment", "deleted", "answers")
DOC_KEYS = ("schema", *META_KEYS, *SNAPSHOT_KEYS)
_TEXT_KEYS = ("kind", "who", "when", "why", "instrument_id", "instrument_version", "instrument_sha256", "unit",
              "assessor", "started", "state", "comment")
_DECODER = msgspec.json.Decoder()
_TEXTS = operator.itemgetter(*_TEXT_KEYS)
_STR = {str}
_FIELDS = META_KEYS + SNAPSHOT_KEYS


# ---------------------------------------------------------------- canonical bytes


def encode(document: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a document (compact UTF-8 JSON, keys in the document's order)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def revision_hash(data: bytes) -> str:
    """The name of a revision: the sha256 (hex) of its canonical bytes."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> Any:
    """JSON from UTF-8 bytes, exactly (integers of any size, key order kept); ValueError when not JSON.

    msgspec's decoder is used for speed; a duplicate key or a non-canonical spelling is caught by
    comparing :func:`encode` of the result with the bytes (:func:`parse_revision`).
    """
    try:
        return _DECODER.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError(str(exc)) from None


def new_document(instance_id: str, parent: str | None, kind: str, who: str, when: str, why: str,
                 merges: Iterable[str], snapshot: Mapping[str, Any]) -> dict:
    """A revision document with its keys in canonical order."""
    doc = {"schema": SCHEMA, "instance_id": instance_id, "parent": parent, "kind": kind, "who": who, "when": when,
           "why": why, "merges": list(merges)}
    doc.update((k, snapshot[k]) for k in SNAPSHOT_KEYS)
    return doc


# ---------------------------------------------------------------- the revision


@dataclass(frozen=True)
class Revision:
    """One revision: a full snapshot of the record plus what this revision did.

    ``revision_id`` is the sha256 of the canonical bytes; ``path`` says where they lie
    (``raw/<record>/<hash>.json``, or ``raw/packs/pack-….pack#<hash>``).
    """

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
    def from_document(cls, doc: Mapping[str, Any], revision_id: str, path: str = "") -> Revision:
        fields = {k: doc[k] for k in _FIELDS}
        fields.update(merges=tuple(doc["merges"]), attachments=tuple(doc["attachments"]), revision_id=revision_id,
                      path=path)
        # a checked document: fill the frozen instance directly (a store read makes hundreds of thousands)
        revision = object.__new__(cls)
        revision.__dict__.update(fields)
        return revision

    def snapshot(self) -> dict:
        """The record's content (a deep copy), as stored in every revision."""
        out = {k: copy.deepcopy(getattr(self, k)) for k in SNAPSHOT_KEYS}
        out["attachments"] = list(out["attachments"])
        return out

    def document(self) -> dict:
        """The revision's document (its canonical bytes are :func:`encode` of it)."""
        return new_document(self.instance_id, self.parent, self.kind, self.who, self.when, self.why, self.merges,
                            {**self.snapshot(), "attachments": [dict(a) for a in self.attachments]})

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
    attachments: tuple[dict, ...]
    state: str
    comment: str
    deleted: bool
    answers: dict
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


def document_error(doc: Any, instance_id: str | None = None) -> str | None:
    """Why ``doc`` is not a valid revision (of ``instance_id`` when given); None when it is."""
    if not isinstance(doc, dict):
        return "内容不是 JSON 对象"
    if doc.get("schema") != SCHEMA:
        return f"格式版本为 {str(doc.get('schema'))[:40]}，应为 {SCHEMA}"
    if tuple(doc) != DOC_KEYS:   # the canonical order is the usual case: nothing missing, nothing extra
        missing = [k for k in DOC_KEYS if k not in doc]
        if missing:
            return "缺少字段 " + "、".join(missing)
        extra = [str(k)[:40] for k in doc if k not in DOC_KEYS]
        if extra:
            return "多余的字段 " + "、".join(extra)
    if not (set(map(type, _TEXTS(doc))) == _STR and type(doc["answers"]) is dict
            and type(doc["attachments"]) is list and type(doc["merges"]) is list and type(doc["deleted"]) is bool
            and (doc["ended"] is None or type(doc["ended"]) is str)):
        wrong = [k for k in _TEXT_KEYS if not isinstance(doc[k], str)]
        wrong += [k for k, t in (("answers", dict), ("attachments", list), ("merges", list), ("deleted", bool))
                  if not isinstance(doc[k], t)]
        if doc["ended"] is not None and not isinstance(doc["ended"], str):
            wrong.append("ended")
        return "字段类型错误：" + "、".join(wrong)
    if not (isinstance(doc["instance_id"], str) and ID_RE.fullmatch(doc["instance_id"])):
        return "记录编号 instance_id 无效"
    if instance_id is not None and doc["instance_id"] != instance_id:
        return f"记录编号 {doc['instance_id'][:40]} 与所在记录 {instance_id} 不符"
    ids = [doc["parent"]] if doc["parent"] is not None else []
    if not all(isinstance(i, str) and HASH_RE.fullmatch(i) for i in ids + doc["merges"]):
        return "parent 或 merges 不是有效的修订哈希"
    if doc["kind"] not in KINDS or doc["state"] not in STATES or (doc["kind"] == "submission") != (not ids):
        return f"kind「{doc['kind']}」、state「{doc['state']}」或 parent 无效"
    if not all(isinstance(a, dict) and all(k in a for k in ATTACHMENT_KEYS) for a in doc["attachments"]):
        return "附件信息不完整"
    for key in ("when", "started", "ended"):
        value = doc[key]
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return f"{key}「{value[:40]}」不是 ISO 8601 时间（例如 2024-05-01T09:30:00+08:00）。"
        if moment.utcoffset() is None:
            return f"{key} 必须带时区（例如 2024-05-01T09:30:00+08:00）。"
    return None


def parse_revision(data: bytes, name: str, where: str, instance_id: str | None = None,
                   *, canonical: bool = True, trusted: bool = False) -> tuple[Revision | None, Problem | None]:
    """Check bytes claimed to be revision ``name`` and parse them; a problem naming ``where`` instead.

    The bytes must hash to ``name`` and (with ``canonical``) be exactly the canonical encoding of
    what they hold.  ``trusted``: they come from a pack whose file matches its name, and the packer
    checked every revision completely, so only the hash and the record id are checked again
    (a full verification checks everything, :mod:`evalkit.store.snapshot`).
    """
    record = instance_id
    actual = revision_hash(data)
    try:
        doc = decode(data)
    except (ValueError, RecursionError) as exc:   # torn, truncated or not JSON at all
        return None, problem(RECORD_DAMAGED, file=where, record=record, detail=str(exc)[:200])
    if isinstance(doc, dict) and isinstance(doc.get("instance_id"), str):
        record = record or doc["instance_id"][:40]
    if actual != name:
        return None, problem(RECORD_HASH_MISMATCH, file=where, record=record, actual=actual[:16])
    if trusted and isinstance(doc, dict) and doc.get("schema") == SCHEMA and doc.get("instance_id") == instance_id:
        try:
            return Revision.from_document(doc, name, where), None
        except (KeyError, TypeError):
            pass
    error = document_error(doc, instance_id)
    if error is None and canonical and encode(doc) != data:
        error = "不是规范编码（内容相同的修订必须逐字节相同）"
    if error:
        return None, problem(RECORD_INVALID, file=where, record=record, detail=error)
    return Revision.from_document(doc, name, where), None


# ---------------------------------------------------------------- order, heads, views


def _when(r) -> tuple[datetime, str]:
    return (aware_time(r.when, "when"), r.revision_id)


def ordered(revisions: Iterable) -> list:
    """Parents before children; siblings and independent roots by (when, revision hash).

    Works on anything with ``revision_id``, ``parent`` and ``when`` (revisions or pack entries).
    """
    by_id = {r.revision_id: r for r in revisions}
    children: dict[str, list] = {}
    ready = []
    for r in by_id.values():
        if r.parent in by_id:
            children.setdefault(r.parent, []).append(r)
        else:
            ready.append((_when(r), r.revision_id))
    heapq.heapify(ready)
    out: list = []
    while ready:
        _, rid = heapq.heappop(ready)
        out.append(by_id[rid])
        for child in children.get(rid, []):
            heapq.heappush(ready, (_when(child), child.revision_id))
    seen = {r.revision_id for r in out}
    return out + sorted((r for r in by_id.values() if r.revision_id not in seen), key=_when)


@dataclass(frozen=True)
class Chain:
    """The shape of one record's revisions: history order, the current head, the other heads, orphans."""

    history: list
    current: Any
    others: tuple[str, ...]
    orphans: list


def linear(items: list) -> list | None:
    """The history of revisions that form one unbroken chain without merges (the usual record), else None."""
    if len(items) == 1:
        return items if items[0].parent is None else None
    if len(items) == 2:
        a, b = items
        if not (a.merges or b.merges):
            if b.parent == a.revision_id and a.parent is None:
                return items
            if a.parent == b.revision_id and b.parent is None:
                return [b, a]
        return None
    by_id = {r.revision_id: r for r in items}
    parents = {r.parent for r in items}
    heads = [r for r in items if r.revision_id not in parents]
    if len(heads) != 1 or any(r.merges for r in items):
        return None
    walk, current = [], heads[0]
    while current is not None and len(walk) <= len(items):
        walk.append(current)
        current = by_id.get(current.parent) if current.parent else None
    return walk[::-1] if len(walk) == len(by_id) and walk[-1].parent is None else None


def chain(revisions: Iterable) -> Chain:
    """See the module docstring; ``revisions`` need ``revision_id``, ``parent``, ``merges`` and ``when``."""
    items = list(revisions)
    line = linear(items)
    if line is not None:   # one head, parents all there: no times to compare
        return Chain(line, line[-1], (), [])
    history = ordered(items)
    ids = {r.revision_id for r in history}
    parents = {r.parent for r in history} | {m for r in history for m in r.merges}
    heads = [r for r in history if r.revision_id not in parents] or history
    current = max(heads, key=_when)
    others = tuple(h.revision_id for h in sorted(heads, key=_when) if h is not current)
    orphans = [r for r in history if r.parent is not None and r.parent not in ids]
    return Chain(history, current, others, orphans)


def chain_problems(shape: Chain, instance_id: str) -> list[Problem]:
    """The orphan and conflict problems of one record."""
    found = [problem(RECORD_ORPHAN, file=r.path, record=instance_id, parent=r.parent) for r in shape.orphans]
    if shape.others:
        found.append(problem(RECORD_CONFLICT, file=shape.current.path, record=instance_id,
                             current=shape.current.revision_id, others="、".join(shape.others)))
    return found


def view_from_document(doc: Mapping[str, Any], shape: Chain) -> RecordView:
    """The view of a record whose current revision's (checked) document is ``doc``."""
    view = object.__new__(RecordView)   # filled directly, as Revision.from_document
    view.__dict__.update(
        instance_id=doc["instance_id"], instrument_id=doc["instrument_id"], instrument_version=doc["instrument_version"],
        instrument_sha256=doc["instrument_sha256"], unit=doc["unit"], assessor=doc["assessor"],
        started=doc["started"], ended=doc["ended"], attachments=tuple(doc["attachments"]), state=doc["state"],
        comment=doc["comment"], deleted=doc["deleted"], answers=doc["answers"], revisions=len(shape.history),
        current=shape.current.revision_id, submitted=shape.history[0].when, updated=doc["when"],
        conflicts=shape.others)
    return view


def make_view(shape: Chain, current: Revision) -> RecordView:
    """The view of a record whose current revision is ``current`` (the view owns its answers)."""
    snap = {k: getattr(current, k) for k in SNAPSHOT_KEYS}
    return RecordView(instance_id=current.instance_id, **snap, revisions=len(shape.history),
                      current=current.revision_id, submitted=shape.history[0].when, updated=current.when,
                      conflicts=shape.others)


def build_view(revisions: list[Revision]) -> tuple[RecordView, list[Problem]]:
    """The current state of one record and its orphan / conflict problems."""
    shape = chain(revisions)
    return make_view(shape, shape.current), chain_problems(shape, shape.current.instance_id)


def revision_list(hashes: Iterable[str]) -> bytes:
    """The sorted revision hashes, one per line: the text whose sha256 is :func:`root_hash`."""
    return "".join(h + "\n" for h in sorted(set(hashes))).encode("ascii")


def root_hash(hashes: Iterable[str]) -> str:
    """The hash of a set of revisions: sha256 of :func:`revision_list` (``sha256sum revisions.txt``)."""
    return hashlib.sha256(revision_list(hashes)).hexdigest()
