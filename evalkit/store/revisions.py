"""Record revisions (schema ``evalkit.record/2``): the canonical bytes, the hash that names them,
checking one revision.

A revision is a complete snapshot of a record plus what the revision did.  Its **canonical bytes**
are its document encoded as compact UTF-8 JSON (``separators=(",", ":")``, no ASCII escaping, keys
in the order of :data:`DOC_KEYS`, answers in the order they were given), and its **name** is the
sha256 of those bytes (64 hex digits).  A revision names its parent by that hash (``parent``) and
the other heads a conflict-resolving edit settles (``merges``), so the chain is content-addressed
as in git: one changed byte changes the name, a revision whose parent is gone is an orphan, and a
chain cannot be reordered without changing every name after the change.

Reading never raises for bad bytes: :func:`parse_revision` returns a problem naming the file.

A record's history, heads, conflicts and current view: :mod:`evalkit.store.history`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from evalkit.io.durable import ID_RE, aware_time
from evalkit.problems import Problem, problem
from evalkit.store.problems import (
    RECORD_DAMAGED,
    RECORD_HASH_MISMATCH,
    RECORD_INVALID,
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
# The rules of a revision's record id, parent and merges, kind and state, as data both rule checks read (the
# long one that names what is wrong, :func:`_rules_error`, and the short one for the usual shape, :func:`_usual`):
_IS_ID = ID_RE.fullmatch             # a record id
_IS_HASH = HASH_RE.fullmatch         # a parent, and each of the merges
_KIND_PARENT = frozenset((kind, kind != "submission") for kind in KINDS)   # (kind, has a parent): a parent
# exactly when the revision is not a submission
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
        return cls.filled({k: doc[k] for k in _FIELDS}, revision_id, path)

    @classmethod
    def filled(cls, fields: dict, revision_id: str, path: str) -> Revision:
        """The revision of a checked document's ``fields`` (by :data:`META_KEYS` and :data:`SNAPSHOT_KEYS`), the
        frozen instance filled directly (a store read makes hundreds of thousands)."""
        fields.update(merges=tuple(fields["merges"]), attachments=tuple(fields["attachments"]),
                      revision_id=revision_id, path=path)
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


PLAIN_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}")
"""A time as the store writes it (``2024-05-01T09:30:00+08:00``): every field of fixed width, so two valid times of
one offset compare as their texts do."""

SUBMISSION_ORDER = operator.attrgetter("submitted", "instance_id")
"""Sort key of records (:class:`RecordView`) oldest first: the ``submitted`` text, then the record id — the order
in which validation, scoring and the checks go through records."""


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
    return _rules_error(doc.__getitem__, instance_id)


def _rules_error(get: Callable[[str], Any], instance_id: str | None) -> str | None:
    """Why a document whose fields have their JSON types (``get(key)`` gives a field) breaks a revision's rules —
    record id, parent and merges, kind and state, attachments, times — None when it does not; shared by
    :func:`document_error` (a dict) and :func:`checked` (typed fields)."""
    record = get("instance_id")
    if not (isinstance(record, str) and _IS_ID(record)):
        return "记录编号 instance_id 无效"
    if instance_id is not None and record != instance_id:
        return f"记录编号 {record[:40]} 与所在记录 {instance_id} 不符"
    parent, kind, state, merges = get("parent"), get("kind"), get("state"), get("merges")
    if not ((parent is None or (isinstance(parent, str) and _IS_HASH(parent)))
            and (not merges or all(isinstance(i, str) and _IS_HASH(i) for i in merges))):
        return "parent 或 merges 不是有效的修订哈希"
    if (kind, parent is not None) not in _KIND_PARENT or state not in STATES:
        return f"kind「{kind}」、state「{state}」或 parent 无效"
    attachments = get("attachments")
    if attachments and not all(isinstance(a, dict) and all(k in a for k in ATTACHMENT_KEYS) for a in attachments):
        return "附件信息不完整"
    for key in ("when", "started", "ended"):
        value = get(key)
        if value is not None:
            error = _time_error(value, key)
            if error is not None:
                return error
    return None


def _time_error(value: str, key: str = "") -> str | None:
    """Why the text ``value`` (of the time ``key``) is not an ISO 8601 time with a zone — the times' rule, read by
    both rule checks; None when it is."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"{key}「{value[:40]}」不是 ISO 8601 时间（例如 2024-05-01T09:30:00+08:00）。"
    if moment.utcoffset() is None:
        return f"{key} 必须带时区（例如 2024-05-01T09:30:00+08:00）。"
    return None


class Checked(msgspec.Struct, forbid_unknown_fields=True, dict=True):
    """A revision document decoded with its JSON types checked (what :func:`document_error` checks first), the
    answers left as their raw JSON bytes (a full verification compares them between revisions and parses only
    the current revision's); ``revision_id`` and ``path`` are set by :func:`checked`."""

    schema: str
    instance_id: str
    parent: str | None
    kind: str
    who: str
    when: str
    why: str
    merges: list[str]
    instrument_id: str
    instrument_version: str
    instrument_sha256: str
    unit: str
    assessor: str
    started: str
    ended: str | None
    attachments: list[dict]
    state: str
    comment: str
    deleted: bool
    answers: msgspec.Raw


_TYPED = msgspec.json.Decoder(Checked)
_FIELDS_OF = operator.attrgetter(*_FIELDS)


def checked(data: bytes, name: str, where: str, instance_id: str | None, times: set[str] | None = None) -> Checked | None:
    """The document of revision ``name`` when its bytes decode with the right types and pass every rule of
    :func:`document_error`; None: take the long way (:func:`parse_revision`), which names what is wrong.
    The hash is the caller's to check.  ``times``: texts of times already found valid (a caller checking many
    revisions keeps one set: a record's revisions repeat their start and end)."""
    try:
        d = _TYPED.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None
    if d.schema != SCHEMA or memoryview(d.answers)[:1] != b"{":
        return None
    if not _usual(d, instance_id, set() if times is None else times) and _rules_error(d.__getattribute__, instance_id):
        return None
    d.revision_id, d.path = name, where
    return d


def _usual(d: Checked, instance_id: str | None, times: set[str]) -> bool:
    """True when ``d`` has the usual shape — the expected record id, no merges, no attachments, a known kind and
    state, a parent hash exactly when it is not a submission, times with a zone — and so surely keeps every rule of
    :func:`_rules_error`; False says nothing: :func:`_rules_error` decides (and names what is wrong).  Both read
    the same rules (:data:`_IS_ID`, :data:`_IS_HASH`, :data:`_KIND_PARENT`, :data:`STATES`, :func:`_time_error`):
    a rule changed there is changed for both.  ``times`` learns each time text found valid, which is then not
    parsed again."""
    parent = d.parent
    if not (d.instance_id == instance_id and not d.merges and not d.attachments and d.state in STATES
            and (d.kind, parent is not None) in _KIND_PARENT and _IS_ID(instance_id)
            and (parent is None or _IS_HASH(parent))):
        return False
    for value in (d.when, d.started, d.ended):
        if value is None or value in times:
            continue
        if _time_error(value) is not None:
            return False
        times.add(value)
    return True


def revision_of(d: Checked) -> Revision:
    """The revision of a :func:`checked` document (its answers parsed)."""
    fields = dict(zip(_FIELDS, _FIELDS_OF(d)))
    fields["answers"] = _DECODER.decode(d.answers)
    return Revision.filled(fields, d.revision_id, d.path)


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
    if actual == name and not canonical and not trusted:   # a packed revision, checked in full
        document = checked(data, name, where, instance_id)
        if document is not None:
            return revision_of(document), None
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


def revision_list(hashes: Iterable[str]) -> bytes:
    """The sorted revision hashes, one per line: the text whose sha256 is :func:`root_hash`."""
    return "".join(h + "\n" for h in sorted(set(hashes))).encode("ascii")


def root_hash(hashes: Iterable[str]) -> str:
    """The hash of a set of revisions: sha256 of :func:`revision_list` (``sha256sum revisions.txt``)."""
    return hashlib.sha256(revision_list(hashes)).hexdigest()
