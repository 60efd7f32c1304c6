"""The append-only record store under ``PROJECT/raw/``.

Layout::

    raw/<instance_id>/<revision>.json       loose revisions: the canonical bytes, named by their sha256
    raw/packs/pack-<sha256>.pack            packs: many revisions, folded in by ``evalkit store pack``
    raw/attachments/<sha256><ext>           attachment contents, named by their hash

Every revision (schema ``evalkit.record/2``, :mod:`evalkit.store.revisions`) is a complete
snapshot of the record — instrument id, version and sha256, unit, assessor, started/ended,
attachments, review state and comment, deleted flag, answers — plus what the revision did:
``kind`` (submission / edit / delete / review), ``parent`` (the hash of the previous revision),
``who``, ``when``, ``why`` and ``merges`` (other heads a conflict-resolving edit settles).  It
is named by the sha256 of its canonical bytes, so a changed byte, a renamed file or a removed
revision with a surviving child is found on reading; two ``raw/`` folders (two laptops) merge by
copying files across, as equal names hold equal bytes.

Durability guarantees:

* every file is written by :func:`evalkit.io.durable.write_new`: temp file in the same directory,
  fsync, hard link to the final name (fails if it exists, so nothing is ever replaced), fsync of
  the directory, read-back check.  A crash leaves no file or the whole file; the form keeps its
  draft until ``submit`` has returned, so an interrupted submit loses nothing;
* files are never changed in place: edits, deletions and reviews are new revisions pointing at
  their parent; ``why`` is required for edits and deletions; only ``store pack`` removes loose
  files, after the pack that holds them is durable and verified (:mod:`evalkit.store.packing`);
* reading (:mod:`evalkit.store.snapshot`) reports a damaged, changed, invalid or foreign file as
  a problem naming its path and keeps loading everything else;
* answers must be plain JSON (checked before writing), so what is read back equals what was
  submitted, types and key order included;
* only uuid hex record ids and sha256 revision names are used in paths, never unit, assessor or
  file names.

Revisions are ordered by the parent chain.  Two revisions with one parent (two laptops edited
the same record) are a conflict: both are kept, the head with the latest ``when`` (then the larger
hash) is current, the others are listed in :attr:`RecordView.conflicts` until an
``edit(..., resolve=True)``.  Times are ISO 8601 with a time zone; ``now`` defaults to the current
time in UTC (callers may pass ``+08:00`` times).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from evalkit.config import is_safe_id
from evalkit.io.durable import (
    aware_time,
    check_id,
    check_json,
    ensure_dir,
    fsync_dir,
    new_id,
    now_or,
    write_new,
)
from evalkit.problems import Problem, problem
from evalkit.store.history import build_view, ordered
from evalkit.store.packs import Pack, PackError, cached_pack, pack_paths
from evalkit.store.problems import REVIEW_COMMENT_MISSING, REVIEW_WHO_MISSING
from evalkit.store.reading import record_revisions
from evalkit.store.revisions import (
    ATTACHMENT_KEYS,
    EXTENSIONS,
    SCHEMA,
    STATES,
    RecordView,
    Revision,
    decode,
    encode,
    new_document,
    revision_hash,
)
from evalkit.store.snapshot import Snapshot, read_snapshot

__all__ = ["Store", "Revision", "RecordView", "STATES", "SCHEMA", "Snapshot"]

MEDIA_EXT = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/pjpeg": ".jpg", "image/png": ".png",
             "image/webp": ".webp", "image/heic": ".heic", "image/heif": ".heic", "application/pdf": ".pdf"}
ATTACHMENT_RE = re.compile(r"([0-9a-f]{64})(" + "|".join(re.escape(e) for e in EXTENSIONS) + ")")
ATTACHMENTS = "attachments"
NEEDS_COMMENT = ("has_issues", "rejected")  # review states that must say why
LABELS = {"instrument_id": "调查工具编号", "instrument_version": "调查工具版本", "unit": "被评估单位",
          "assessor": "评估员", "who": "操作人（who）"}


def _text(value: Any, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and what == "instrument_version":
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{LABELS.get(what, what)}不能为空。")
    return value


def _reason(why: Any, action: str) -> str:
    if not isinstance(why, str) or not why.strip():
        raise ValueError(f"{action}记录必须填写原因（why）：请说明为什么{action}。")
    return why


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f}".removesuffix(".0")


def _state(value: Any) -> str:
    """A review state code from its code or Chinese label (已接收 / 有问题 / 已通过 / 已退回)."""
    for code, label in STATES.items():
        if value in (code, label):
            return code
    raise ValueError(f"审核状态「{value}」无效：应为 " + "、".join(STATES.values()) + " 之一。")


def _extension(original_name: Any, media_type: Any) -> str:
    """The stored file's extension, from the media type or else the original name's suffix."""
    media = str(media_type or "").split(";")[0].strip().lower()
    if media in MEDIA_EXT:
        return MEDIA_EXT[media]
    suffix = PurePosixPath(str(original_name).replace("\\", "/")).suffix.lower()
    if suffix in EXTENSIONS:
        return suffix
    raise ValueError(f"附件「{str(original_name)[:100]}」的类型（{media or '未知'}）不支持：只接受 JPG、PNG、WEBP、"
                     "HEIC 照片和 PDF 文件。")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ReviewRefused(ValueError):
    """A review decision the store does not take; ``problems`` say what is missing."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("；".join(p.message for p in problems))
        self.problems = problems


def review_problems(state: str, who: str, comment: str, *, record: str | None = None) -> list[Problem]:
    """What a review decision lacks: the reviewer's name, and for 有问题 / 已退回 a comment saying
    what the assessor must correct (an approval may go without one)."""
    found = []
    if not str(who or "").strip():
        found.append(problem(REVIEW_WHO_MISSING, record=record))
    if _state(state) in NEEDS_COMMENT and not str(comment or "").strip():
        found.append(problem(REVIEW_COMMENT_MISSING, record=record, state=STATES[_state(state)]))
    return found


class Store:
    """The project's append-only record store (``PROJECT/raw/``); see the module docstring.

    Nothing is cached: every read goes to the files, so several processes (one Voila
    kernel per browser tab) can share one project folder.
    """

    def __init__(self, project_root: Path) -> None:
        self.root = Path(project_root)
        self.raw = self.root / "raw"
        self.attachment_dir = self.raw / ATTACHMENTS

    # ------------------------------------------------------------ writing
    def submit(self, *, instrument_id: str, instrument_version: str, instrument_sha256: str, unit: str,
               assessor: str, answers: dict, started: datetime | str, ended: datetime | str | None = None,
               attachments: Iterable[Mapping] = (), instance_id: str | None = None,
               now: datetime | None = None) -> Revision:
        """Write a new record (its first revision, state 已接收); ``ended`` defaults to ``now``.

        ValueError (Chinese message) when anything is invalid or ``instance_id`` was already submitted.
        """
        when = now_or(now)
        iid = new_id() if instance_id is None else check_id(instance_id)
        sha = _text(instrument_sha256, "instrument_sha256")
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ValueError(f"调查工具文件的 sha256「{sha[:80]}」无效：应为 64 位小写十六进制。")
        if not is_safe_id(_text(unit, "unit")):
            raise ValueError(f"被评估单位编号「{unit[:80]}」无效：只能使用英文字母、数字、-、_ 和 .（例如 c1-01）。")
        snapshot = {
            "instrument_id": _text(instrument_id, "instrument_id"),
            "instrument_version": _text(instrument_version, "instrument_version"),
            "instrument_sha256": sha, "unit": unit, "assessor": _text(assessor, "assessor"),
            "started": aware_time(started, "started").isoformat(),
            "ended": (when if ended is None else aware_time(ended, "ended")).isoformat(),
            "answers": self._answers(answers), "attachments": self._attachments(attachments),
            "state": "received", "comment": "", "deleted": False,
        }
        self._claim(iid)
        return self._write(iid, snapshot, parent=None, kind="submission", who=assessor, when=when, why="")

    def edit(self, instance_id: str, *, answers: dict, who: str, why: str, attachments: Iterable[Mapping] | None = None,
             now: datetime | None = None, resolve: bool = False) -> Revision:
        """A new revision with new answers; the review state goes back to 已接收.

        ``attachments=None`` keeps the current ones.  ``resolve=True`` settles a conflict:
        the other heads are recorded in ``merges`` and stop being current candidates.
        """
        when, who, why = now_or(now), _text(who, "who"), _reason(why, "修改")
        answers = self._answers(answers)
        view, head = self._head(instance_id, "修改")
        snapshot = head.snapshot()
        snapshot.update(answers=answers, state="received", comment="")
        if attachments is not None:
            snapshot["attachments"] = self._attachments(attachments)
        return self._write(view.instance_id, snapshot, parent=head.revision_id, kind="edit", who=who, when=when,
                           why=why, merges=view.conflicts if resolve else ())

    def delete(self, instance_id: str, *, who: str, why: str, now: datetime | None = None) -> Revision:
        """Mark a record deleted (a revision; the answers stay in the files)."""
        when, who, why = now_or(now), _text(who, "who"), _reason(why, "删除")
        view, head = self._head(instance_id, "删除")
        snapshot = head.snapshot()
        snapshot["deleted"] = True
        return self._write(view.instance_id, snapshot, parent=head.revision_id, kind="delete", who=who, when=when,
                           why=why)

    def review(self, instance_id: str, *, state: str, who: str, comment: str = "",
               now: datetime | None = None) -> Revision:
        """Set the review state (code or Chinese label) with a comment; answers are unchanged.

        :class:`ReviewRefused` (with the problems of :func:`review_problems`) when the decision is
        incomplete: nobody named, or a record flagged or sent back without saying why.
        """
        when, code = now_or(now), _state(state)
        if not isinstance(comment, str):
            raise ValueError("审核意见（comment）必须是文本。")
        found = review_problems(code, who, comment, record=instance_id)
        if found:
            raise ReviewRefused(found)
        who = _text(who, "who")
        view, head = self._head(instance_id, "审核")
        snapshot = head.snapshot()
        snapshot.update(state=code, comment=comment)
        return self._write(view.instance_id, snapshot, parent=head.revision_id, kind="review", who=who, when=when,
                           why="")

    def save_attachment(self, data: bytes, *, original_name: str, media_type: str, max_bytes: int,
                        field: str = "") -> dict:
        """Store an attachment as ``raw/attachments/<sha256><ext>`` and return its metadata.

        The original name is only kept as metadata.  Saving the same content twice is
        harmless (same name, the existing file is checked, never replaced).
        """
        data, shown = bytes(data), str(original_name)[:100]
        if len(data) > max_bytes:
            raise ValueError(f"附件「{shown}」超过 {_mb(max_bytes)} MB 的上限（该文件 {len(data) / 1048576:.2f} MB）："
                             "请压缩或缩小后重新上传。")
        if not data:
            raise ValueError(f"附件「{shown}」是空文件：请重新选择文件。")
        ext = _extension(original_name, media_type)
        sha = hashlib.sha256(data).hexdigest()
        path = self.attachment_dir / f"{sha}{ext}"
        try:
            write_new(path, data)
        except FileExistsError:
            if _file_sha256(path) != sha:
                raise OSError(f"附件文件 {path} 已存在但内容已损坏：请告知项目负责人从备份中恢复该文件。") from None
        return {"field": str(field), "name": path.name, "sha256": sha, "size": len(data),
                "media_type": EXTENSIONS[ext], "original_name": str(original_name)}

    # ------------------------------------------------------------ reading
    def history(self, instance_id: str) -> list[Revision]:
        """Every readable revision of a record, oldest first (parent chain order)."""
        return ordered(self._revisions(check_id(instance_id))[0])

    def get(self, instance_id: str) -> RecordView | None:
        """The record as it currently stands, or None when there is no readable revision."""
        revisions, _ = self._revisions(check_id(instance_id))
        return build_view(revisions)[0] if revisions else None

    def records(self, *, unit: str | None = None, instrument: str | None = None, state: str | None = None,
                assessor: str | None = None, include_deleted: bool = False) -> list[RecordView]:
        """Current records matching every given filter (deleted ones only when asked)."""
        code = _state(state) if state is not None else None
        return [v for v in self.load()[0]
                if (include_deleted or not v.deleted) and unit in (None, v.unit)
                and instrument in (None, v.instrument_id) and code in (None, v.state)
                and assessor in (None, v.assessor)]

    def load(self) -> tuple[list[RecordView], list[Problem]]:
        """Every record (deleted ones included) and every problem found in ``raw/``.

        A file that cannot be read or is not a valid revision is a problem naming its
        path; it never stops the other files from loading.
        """
        snap = self.snapshot()
        return snap.views, snap.problems

    def snapshot(self, *, only: Iterable[str] | None = None, verify: bool = False,
                 known_clean: Iterable[str] = (), apart: bool = False) -> Snapshot:
        """One read of the whole store (:func:`evalkit.store.snapshot.read_snapshot`): the records, the
        problems and the set of revisions with its root hash; ``verify`` checks every revision (but those
        of the packs named in ``known_clean``, found clean by an earlier verification), in a forked child
        with ``apart`` (:mod:`evalkit.store.apart`)."""
        return read_snapshot(self.raw, only=only, verify=verify, known_clean=known_clean, apart=apart)

    # ------------------------------------------------------------ internals
    def _packs(self) -> list[Pack]:
        packs = []
        for path in pack_paths(self.raw)[0]:
            try:
                packs.append(cached_pack(path))
            except (OSError, PackError):
                continue
        return packs

    def _revisions(self, instance_id: str) -> tuple[list[Revision], list[Path]]:
        """The readable revisions of one record (loose and packed) and its old-format files."""
        return record_revisions(self.raw, instance_id, self._packs)

    def _head(self, instance_id: str, action: str) -> tuple[RecordView, Revision]:
        """The current view and revision of a record that exists and is not deleted."""
        revisions, old = self._revisions(check_id(instance_id))
        if not revisions and old:
            raise ValueError(f"记录 {instance_id} 还是旧格式，无法{action}：请项目负责人先运行 evalkit store convert 转换记录库。")
        if not revisions:
            raise ValueError(f"找不到记录 {instance_id}，无法{action}。")
        view, _ = build_view(revisions)
        if view.deleted:
            raise ValueError(f"记录 {instance_id} 已删除，不能{action}。")
        return view, next(r for r in revisions if r.revision_id == view.current)

    def _claim(self, instance_id: str) -> None:
        """Create the record folder; ValueError when the record already has revisions."""
        ensure_dir(self.raw)
        directory = self.raw / instance_id
        try:
            os.mkdir(directory)
        except FileExistsError:
            pass
        fsync_dir(self.raw)
        revisions, old = self._revisions(instance_id)
        if revisions or old:
            raise ValueError(f"记录 {instance_id} 已经提交过，不能重复提交：如需更正请使用「修改」。")

    def _write(self, instance_id: str, snapshot: dict, *, parent: str | None, kind: str, who: str,
               when: datetime, why: str, merges: Iterable[str] = ()) -> Revision:
        """Write one new revision file (never replacing anything) and return it as read back."""
        document = new_document(instance_id, parent, kind, who, when.isoformat(), why, merges, snapshot)
        data = encode(document)
        if decode(data) != document:
            raise ValueError("内容保存为 JSON 后读回不一致，已拒绝保存。")
        name = revision_hash(data)
        path = self.raw / instance_id / f"{name}.json"
        try:
            write_new(path, data)
        except FileExistsError:   # the very same revision (same bytes, same name) was written before
            if path.read_bytes() != data:
                raise
        return Revision.from_document(decode(data), name, str(path))

    @staticmethod
    def _answers(answers: Any) -> dict:
        if not isinstance(answers, dict):
            raise ValueError("答案（answers）必须是字典（JSON 对象）。")
        check_json(answers, "answers")
        return copy.deepcopy(answers)

    def _attachments(self, items: Iterable[Mapping] | None) -> list[dict]:
        """Checked attachment metadata; each file must already be saved with the stated size."""
        out = []
        for item in items or ():
            if not isinstance(item, Mapping) or set(item) != set(ATTACHMENT_KEYS):
                raise ValueError("附件信息应包含且只包含 " + "、".join(ATTACHMENT_KEYS) + f"：收到 {str(item)[:200]}")
            match = ATTACHMENT_RE.fullmatch(str(item["name"]))
            size, shown = item["size"], str(item["original_name"])[:100]
            if (not match or match.group(1) != item["sha256"] or type(size) is not int
                    or not all(isinstance(item[k], str) for k in ("field", "media_type", "original_name"))):
                raise ValueError(f"附件「{shown}」的信息无效（name / sha256 / size 不一致）：请重新上传。")
            path = self.attachment_dir / match.group(0)
            if not path.is_file() or path.stat().st_size != size:
                raise ValueError(f"附件「{shown}」不在 raw/attachments/ 中或大小不符：请重新上传后再提交。")
            out.append({k: item[k] for k in ATTACHMENT_KEYS})
        return out
