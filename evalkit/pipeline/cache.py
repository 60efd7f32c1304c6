"""What a rerun keeps for the next one: ``<output folder>/.evalkit-cache/rerun.json``.

A lead evaluator reruns the province after a day's new records; most of what the last run worked
out is unchanged.  The cache holds only results that are a function of content named by its hash:

* ``clean_packs``: the names of the record packs a full verification found clean (every revision
  matched its hash, the index and its parent).  A pack's name is the sha256 of its bytes, and every
  read checks each pack against its name: a pack so named holds the very bytes that verified clean,
  so its revisions are not checked one by one again (:func:`evalkit.store.read_snapshot`,
  ``known_clean``);
* ``records``: each record's answer issues (what :func:`evalkit.forms.validate_answers` found), keyed
  by the sha256 of its instrument's workbook and the hash of the record's current revision — the
  revision names, through its parents, the record's whole history and so its view.

Never trusted without the hash:

* the file records the **fingerprint** of the code that wrote it (sha256 of every source file of
  the evalkit package, and evalkit's version): after any change to evalkit's code nothing is reused;
* the file's body is checked against the sha256 written in its first line: a damaged or hand-edited
  cache is ignored (and replaced), never an error;
* ``evalkit rerun --no-cache`` uses none, and ``evalkit rerun --verify`` reruns into an empty folder,
  so it checks a run's outputs without any cache.

The cache lies in the output folder, not in the project: it is not an input (the manifest does not
list it) and deleting it only makes the next rerun take as long as the first.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import msgspec

from evalkit.version import __version__

CACHE_FOLDER = ".evalkit-cache"
CACHE_FILE = "rerun.json"
FORMAT = "evalkit.rerun-cache/1"
PACKAGE = Path(__file__).resolve().parents[1]   # the evalkit package folder


@dataclass
class RerunCache:
    """The reusable results of a rerun (see the module docstring); empty when there is none to trust."""

    clean_packs: frozenset[str] = frozenset()
    records: dict[str, list[list[str]]] = field(default_factory=dict)   # "<instrument sha>:<revision>" -> issues
    note: str = ""   # why nothing was reused, when a cache file was there but not trusted


class _Header(msgspec.Struct):
    format: str
    fingerprint: str
    sha256: str


class _Body(msgspec.Struct):
    clean_packs: list[str] = []
    records: dict[str, list[list[str]]] = {}


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


def load_cache(out_dir: Path) -> RerunCache:
    """The cache of the output folder, or an empty one (with the reason in ``note``) when there is none
    to trust: no file, another format, other code, or a body that does not match its sha256."""
    path = cache_path(out_dir)
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
    if hashlib.sha256(body).hexdigest() != header.sha256:
        return RerunCache(note=f"缓存文件 {path} 的内容与其 sha256 不符（损坏或被改动），本次全部重新计算")
    try:
        parsed = msgspec.json.decode(body, type=_Body)
    except msgspec.DecodeError:
        return RerunCache(note=f"缓存文件 {path} 已损坏，本次全部重新计算")
    return RerunCache(frozenset(parsed.clean_packs), parsed.records)


def save_cache(out_dir: Path, found: RerunCache) -> None:
    """Write the cache of the output folder (atomically: a run stopped halfway leaves the old one or none)."""
    path = cache_path(out_dir)
    body = msgspec.json.encode(_Body(sorted(found.clean_packs), dict(sorted(found.records.items()))))
    header = msgspec.json.encode(_Header(FORMAT, fingerprint(), hashlib.sha256(body).hexdigest()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{CACHE_FILE}.tmp")
        tmp.write_bytes(header + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        return   # a cache that cannot be written only makes the next run slower
