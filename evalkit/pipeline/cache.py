"""What a rerun keeps for the next one: ``<output folder>/.evalkit-cache/rerun.json``.

A lead evaluator reruns the province after a day's new records; most of what the last run worked
out is unchanged.  The cache holds only results that are a function of content named by its hash:

* ``clean_packs``: the names of the record packs a full verification found clean (every revision
  matched its hash, the index and its parent).  A pack's name is the sha256 of its bytes, and every
  read checks each pack against its name: a pack so named holds the very bytes that verified clean,
  so its revisions are not checked one by one again (:func:`evalkit.store.read_snapshot`,
  ``known_clean``);
* ``records``: each record's answer issues (what :func:`evalkit.forms.validate_answers` found), by the
  sha256 of its instrument's workbook and then the hash of the record's current revision — the
  revision names, through its parents, the record's whole history and so its view.

Never trusted without the hash:

* the file records the **fingerprint** of the code that wrote it (sha256 of every source file of
  the evalkit package, and evalkit's version): after any change to evalkit's code nothing is reused;
* the file is **sealed** with an HMAC-SHA256 of its fingerprint and body under a key of this user on
  this computer (``rerun-cache.key`` in the user's evalkit cache folder, :func:`evalkit.io.durable.user_cache_dir`,
  made on first use, readable by the user only).  Someone who can write into the output folder
  cannot make a cache that says a rewritten pack verified clean: without the key its seal is wrong,
  and a cache whose seal is wrong — damaged, edited, or made by another user or computer — is
  ignored (and replaced), never an error;
* ``evalkit rerun --no-cache`` uses none; ``evalkit rerun --verify``, ``evalkit validate`` and
  ``evalkit store verify`` — the checks that vouch for the evidence — never use it.
  ``EVALKIT_CACHE=off`` turns every evalkit cache off.

The cache lies in the output folder, not in the project: it is not an input (the manifest does not
list it) and deleting it only makes the next rerun take as long as the first.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import msgspec

from evalkit.io.durable import user_cache_dir
from evalkit.version import __version__

CACHE_FOLDER = ".evalkit-cache"
CACHE_FILE = "rerun.json"
FORMAT = "evalkit.rerun-cache/2"
KEY_FILE = "rerun-cache.key"
PACKAGE = Path(__file__).resolve().parents[1]   # the evalkit package folder


@dataclass
class RerunCache:
    """The reusable results of a rerun (see the module docstring); empty when there is none to trust."""

    clean_packs: frozenset[str] = frozenset()
    records: dict[str, dict] = field(default_factory=dict)   # instrument's sha256 -> revision -> issues
    note: str = ""   # why nothing was reused, when a cache file was there but not trusted


class _Header(msgspec.Struct):
    format: str
    fingerprint: str
    seal: str


class _Body(msgspec.Struct):
    clean_packs: list[str] = []
    records: dict[str, dict[str, list[list[str]]]] = {}


@cache
def fingerprint() -> str:
    """sha256 of evalkit's version and of every source file of the package (path and bytes)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_path(out_dir: Path) -> Path:
    return Path(out_dir) / CACHE_FOLDER / CACHE_FILE


def cache_key() -> bytes | None:
    """This user's key for sealing rerun caches (made on first use, mode 0600); None when there is no cache
    folder (``EVALKIT_CACHE=off``) or it cannot be read or made."""
    folder = user_cache_dir()
    if folder is None:
        return None
    path = folder / KEY_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    try:
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == 32 else None


def sealer(key: bytes):
    """The HMAC-SHA256 of :func:`seal` before its body: fed a body a part at a time (``update``), its ``hexdigest`` is
    that body's seal."""
    return hmac.new(key, FORMAT.encode() + b"\n" + fingerprint().encode() + b"\n", hashlib.sha256)


def seal(key: bytes, body: bytes) -> str:
    """HMAC-SHA256 of ``body`` under this user's ``key``, bound to the cache's format and evalkit's code."""
    mac = sealer(key)
    mac.update(body)
    return mac.hexdigest()


def load_cache(out_dir: Path) -> RerunCache:
    """The cache of the output folder, or an empty one (with the reason in ``note``) when there is none
    to trust: no file or key, another format, other code, or a seal that does not match."""
    path = cache_path(out_dir)
    key = cache_key()
    if key is None:
        return RerunCache()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return RerunCache()
    except OSError as exc:
        return RerunCache(note=f"缓存文件 {path} 无法读取（{exc.strerror or exc}），本次全部重新计算")
    first, _, body = data.partition(b"\n")
    try:
        header = msgspec.json.decode(first, type=_Header)
    except msgspec.DecodeError:
        return RerunCache(note=f"缓存文件 {path} 已损坏，本次全部重新计算")
    if header.format != FORMAT or header.fingerprint != fingerprint():
        return RerunCache(note="evalkit 的程序已更新，上次运行的缓存不再沿用，本次全部重新计算")
    if not hmac.compare_digest(seal(key, body), header.seal):
        return RerunCache(note=f"缓存文件 {path} 的封印不符（损坏、被改动，或由其他用户或计算机写出），本次全部重新计算")
    try:
        parsed = msgspec.json.decode(body, type=_Body)
    except msgspec.DecodeError:
        return RerunCache(note=f"缓存文件 {path} 已损坏，本次全部重新计算")
    if any(len(issue) != 4 for kept in parsed.records.values() for issues in kept.values() for issue in issues):
        return RerunCache(note=f"缓存文件 {path} 已损坏，本次全部重新计算")
    return RerunCache(frozenset(parsed.clean_packs), parsed.records)


def save_cache(out_dir: Path, found: RerunCache) -> None:
    """Write the cache of the output folder, sealed (atomically: a run stopped halfway leaves the old one or
    none); nothing when there is no key."""
    key = cache_key()
    if key is None:
        return
    path = cache_path(out_dir)
    records = {sha: dict(sorted(kept.items())) for sha, kept in sorted(found.records.items())}
    body = msgspec.json.encode(_Body(sorted(found.clean_packs), records))
    header = msgspec.json.encode(_Header(FORMAT, fingerprint(), seal(key, body)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{CACHE_FILE}.tmp")
        tmp.write_bytes(header + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        return   # a cache that cannot be written only makes the next run slower
