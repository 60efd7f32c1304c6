"""``evalkit store pack``: fold the loose revisions (and any older packs) into one new pack.

1. a lock (``raw/packs/.lock``, ``O_EXCL``) keeps two packings apart; the forms keep writing
   loose files meanwhile, and what arrives after the listing simply stays loose;
2. every loose revision is checked completely (hash, canonical bytes, document) and every pack
   revision against its hash; anything that does not verify stays where it is and is reported;
3. the new pack is built in memory, written as a temp file, fsync-ed, hard-linked to its name
   (``pack-<sha256>.pack``, never replacing a file), the folder fsync-ed, and read back and
   verified revision by revision;
4. only then are the loose files it holds unlinked (and their emptied folders removed) and the
   older packs it replaces deleted (an unlink undone by a power cut only brings back a loose copy
   of a packed revision, which readers count once).

A crash at any point leaves the loose files, the new pack, or both — never neither: readers take
both together and count a revision found twice once (:mod:`evalkit.store.snapshot`).  Packing
never changes the set of revisions, so the store's root hash is the same before and after.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.io.durable import ID_RE, ensure_dir, fsync_dir, unlink_quietly, write_new
from evalkit.problems import Problem
from evalkit.store.packs import PACKS, PackError, build_pack, pack_name, pack_paths, read_pack
from evalkit.store.revisions import HASH_RE, Revision, parse_revision, root_hash

LOCK = ".lock"


class PackBusy(RuntimeError):
    """Another ``store pack`` is running on this store (Chinese message)."""


@dataclass
class PackResult:
    """What a packing did."""

    pack: str | None                 # the new pack's file name (None: nothing to pack)
    revisions: int = 0               # revisions in the new pack
    records: int = 0
    loose_removed: int = 0
    packs_replaced: list[str] = field(default_factory=list)
    root: str = ""
    problems: list[Problem] = field(default_factory=list)    # what was left as it was, and why

    def to_dict(self) -> dict:
        return {"pack": self.pack, "revisions": self.revisions, "records": self.records,
                "loose_removed": self.loose_removed, "packs_replaced": self.packs_replaced, "root": self.root,
                "problems": [p.to_dict() for p in self.problems]}


def _loose(raw: Path, problems: list[Problem]) -> list[tuple[Revision, bytes, Path]]:
    out = []
    for folder in sorted(raw.iterdir()) if raw.is_dir() else []:
        if not (ID_RE.fullmatch(folder.name) and folder.is_dir()):
            continue
        for path in sorted(folder.iterdir()):
            stem = path.name.removesuffix(".json")
            if path.name.startswith(".") or path.suffix != ".json" or not HASH_RE.fullmatch(stem):
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            revision, found = parse_revision(data, stem, str(path), folder.name)
            if found is not None:
                problems.append(found)
                continue
            out.append((revision, data, path))
    return out


def _packed(paths: list[Path], problems: list[Problem]) -> tuple[list[tuple[Revision, bytes]], list[Path]]:
    """The revisions of the healthy packs, and those packs (a damaged pack is left alone)."""
    out, used = [], []
    for path in paths:
        try:
            pack, data = read_pack(path)
            blocks = pack.read_all(data)
        except (OSError, PackError):
            continue
        if not pack.ok:
            continue
        items = []
        for entry in pack.entries:
            raw = pack.revision_bytes(entry, blocks)
            revision, found = parse_revision(raw, entry.revision_id, entry.path, entry.instance_id, canonical=False)
            if found is not None:
                problems.append(found)
                break
            items.append((revision, raw))
        else:
            out += items
            used.append(path)
    return out, used


def stored_revisions(raw: Path) -> tuple[list[tuple[Revision, bytes]], list[Problem]]:
    """Every revision of the store that verifies, with its canonical bytes (packs and loose files, each
    once), and the problems of those that do not."""
    problems: list[Problem] = []
    packed, _ = _packed(pack_paths(raw)[0], problems)
    items = {r.revision_id: (r, d) for r, d in packed}
    items.update((r.revision_id, (r, d)) for r, d, _ in _loose(Path(raw), problems))
    return list(items.values()), problems


def pack_store(raw: Path) -> PackResult:
    """Fold the store's loose revisions and packs into one new pack (see the module docstring)."""
    raw = Path(raw)
    folder = raw / PACKS
    ensure_dir(folder)
    lock = folder / LOCK
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise PackBusy(f"另一个打包正在进行（{lock} 存在）：请等它结束。如果确定没有打包在运行（例如电脑曾断电），"
                       "请删除该文件后重试。") from None
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return _pack(raw, folder)
    finally:
        unlink_quietly(lock)


def _pack(raw: Path, folder: Path) -> PackResult:
    problems: list[Problem] = []
    old_paths = pack_paths(raw)[0]
    packed, used = _packed(old_paths, problems)
    loose = _loose(raw, problems)
    items = {r.revision_id: (r, d) for r, d in packed}
    items.update((r.revision_id, (r, d)) for r, d, _ in loose)
    result = PackResult(None, problems=problems)
    if not loose and len(used) <= 1:
        result.root = root_hash(items)
        result.pack = used[0].name if used else None
        result.revisions = len(items)
        result.records = len({r.instance_id for r, _ in items.values()})
        return result
    data = build_pack(items.values())
    target = folder / pack_name(data)
    try:
        write_new(target, data)
    except FileExistsError:
        if target.read_bytes() != data:
            raise
    check, written = read_pack(target)
    blocks = check.read_all(written)
    if not check.ok or {e.revision_id for e in check.entries} != set(items) or any(
            parse_revision(check.revision_bytes(e, blocks), e.revision_id, e.path, canonical=False)[1] is not None
            for e in check.entries):
        raise OSError(f"记录包 {target} 写入后读回校验不符，没有删除任何零散修订文件：请检查磁盘后重试。")
    result.pack, result.revisions = target.name, len(items)
    result.records = len({r.instance_id for r, _ in items.values()})
    result.root = root_hash(items)
    _remove_loose(raw, [p for _, _, p in loose], result)
    for path in used:
        if path != target:
            unlink_quietly(path)
            result.packs_replaced.append(path.name)
    fsync_dir(folder)
    return result


def _remove_loose(raw: Path, paths: list[Path], result: PackResult) -> None:
    """Unlink the packed loose files, then their emptied record folders.

    No fsync per folder: an unlink lost in a power cut brings back a loose copy of a revision the
    pack holds, which readers count once; what must be durable first is the pack, and it is.
    """
    folders = sorted({p.parent for p in paths})
    for path in paths:
        unlink_quietly(path)
        result.loose_removed += 1
    for directory in folders:
        try:
            directory.rmdir()   # only when empty: a file written meanwhile keeps its folder
        except OSError:
            pass
    fsync_dir(raw)
