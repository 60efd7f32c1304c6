"""Durable files: atomic, never-overwriting writes and strict JSON.

The record store (:mod:`evalkit.store.records`) and the drafts (:mod:`evalkit.store.drafts`)
write every file the same way: the bytes go to a hidden temp file in the target
directory, which is flushed and ``os.fsync``-ed before it gets its final name;
then the directory itself is fsync-ed so the new name survives a power cut.

* :func:`write_new` names the file with ``os.link`` (fails when the name exists),
  so an existing file is never replaced; on file systems without hard links it
  claims the name with ``O_EXCL`` and renames over that empty placeholder (a
  crash in between leaves an empty file, which readers report as damaged).
  Record files are created read-only (POSIX).
* :func:`write_temp` + ``os.replace`` is for mutable files (drafts).
* :func:`dumps` refuses anything that would not read back identically
  (non-JSON types, non-text keys, NaN/Infinity, lone surrogates); :func:`loads`
  refuses NaN/Infinity and duplicate keys.

Ids used in paths are only ever uuid hex (:func:`check_id`), checked with a
full-match regex, so no user text (unit, assessor, file names) becomes a path.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ID_RE = re.compile(r"[0-9a-f]{32}")
_NO_HARDLINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}
_MAX_DEPTH = 64
_READ_ONLY = 0o444 if os.name != "nt" else 0o644  # Windows cannot unlink read-only temp files


def user_cache_dir() -> Path | None:
    """Where this user's evalkit keeps what it can always recompute (pyxform's answers, a rerun's key):
    ``$EVALKIT_CACHE``, else ``$XDG_CACHE_HOME/evalkit`` (``~/.cache/evalkit``); None when ``EVALKIT_CACHE``
    is ``off`` (or ``0``, ``no``): no cache at all."""
    base = os.environ.get("EVALKIT_CACHE", "")
    if base.lower() in ("off", "0", "no"):
        return None
    return Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "evalkit"


def fsync_dir(path: Path) -> None:
    """Make new or renamed names in ``path`` durable (no-op on Windows, which cannot open directories)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """Create ``path`` and its missing parents, fsync-ing each parent that gained an entry."""
    missing = []
    current = Path(path)
    while not current.is_dir():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            pass
        fsync_dir(directory.parent)
    if not Path(path).is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "不是文件夹", str(path))


def unlink_quietly(path: Path) -> None:
    """Remove ``path`` if it is there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def write_temp(directory: Path, stem: str, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to a fresh hidden temp file in ``directory``, fsync-ed before returning."""
    tmp = directory / f".{stem}.{uuid.uuid4().hex}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        unlink_quietly(tmp)
        raise
    os.close(fd)
    return tmp


def link_no_replace(tmp: Path, final: Path) -> None:
    """Give ``tmp``'s complete contents the name ``final``; FileExistsError if ``final`` exists."""
    try:
        os.link(tmp, final)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARDLINKS:
            raise
    # No hard links (FAT/exFAT sticks): claim the name with O_EXCL, then rename over our own
    # empty placeholder.  A crash in between leaves an empty file, reported as damaged.
    os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644))
    try:
        os.replace(tmp, final)
    except BaseException:
        unlink_quietly(final)
        raise


def link_or_copy(source: Path | str, target: Path | str) -> None:
    """``source``'s file given the second name ``target`` (a hard link), or copied there where the file system has no
    hard links; ``source`` stays.  OSError when neither can be done (``target`` exists, say)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        shutil.copyfile(source, target)


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data`` atomically and durably; never replaces an existing file.

    temp file in the same directory → write → fsync → link to the final name (fails if
    it exists) → unlink temp → fsync directory → read back and compare.  The file is
    made read-only (POSIX) so that an editor cannot change it in place by accident.
    """
    path = Path(path)
    ensure_dir(path.parent)
    if os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, "文件已存在，不能覆盖", str(path))
    tmp = write_temp(path.parent, path.name, data, _READ_ONLY)
    try:
        link_no_replace(tmp, path)
    finally:
        unlink_quietly(tmp)
    fsync_dir(path.parent)
    if path.read_bytes() != data:
        raise OSError(errno.EIO, "写入后读回的内容与写入的不一致，请检查磁盘", str(path))


# ---------------------------------------------------------------- JSON and values


def check_json(value: Any, where: str = "answers", depth: int = 0) -> None:
    """Raise ValueError unless ``value`` is plain JSON that reads back exactly as it is."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"{where} 嵌套层数超过 {_MAX_DEPTH} 层，无法保存。")
    if value is None or isinstance(value, (bool, str, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} 的值 {value} 不是有限数字，无法保存：请填写具体数字。")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} 的键 {key!r} 不是文本：字段名必须是文本。")
            check_json(item, f"{where}.{key}", depth + 1)
        return
    raise ValueError(f"{where} 的值类型 {type(value).__name__} 无法保存：只能是文本、数字、是/否、空值、列表或字典。")


def dumps(document: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON for a file; ValueError (Chinese) when it would not read back identically."""
    try:
        data = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8") + b"\n"
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise ValueError(f"内容无法保存为 JSON：{exc}") from exc
    if loads(data) != document:
        raise ValueError("内容保存为 JSON 后读回不一致，已拒绝保存。")
    return data


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid constant {name}")


def loads(data: bytes) -> Any:
    """Strict JSON from UTF-8 bytes: no NaN/Infinity, no duplicate keys (ValueError otherwise)."""
    return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def check_id(value: Any, what: str = "instance_id") -> str:
    """``value`` when it is a uuid hex (32 lowercase hex digits), the only ids used in paths."""
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise ValueError(f"{what}「{str(value)[:80]}」无效：应为 32 位小写十六进制的 uuid（uuid.uuid4().hex）。")
    return value


def new_id() -> str:
    """A fresh uuid4 hex: record, revision and draft ids."""
    return uuid.uuid4().hex


def aware_time(value: Any, what: str) -> datetime:
    """A timezone-aware datetime from a datetime or an ISO 8601 string (ValueError otherwise)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{what}「{value}」不是 ISO 8601 时间（例如 2024-05-01T09:30:00+08:00）。") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{what} 应为时间，收到 {type(value).__name__}。")
    if value.utcoffset() is None:
        raise ValueError(f"{what} 必须带时区（例如 2024-05-01T09:30:00+08:00）。")
    return value


def now_or(now: datetime | None) -> datetime:
    """``now`` checked to be timezone-aware, or the current time in UTC."""
    return datetime.now(UTC) if now is None else aware_time(now, "now")
