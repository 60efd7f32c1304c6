"""Placing a verified bundle's missing members into the project: staged, then linked, never overwriting.

The missing attachments and setup files are written to a hidden staging folder inside the
project (fsync-ed), then hard-linked to their final names (a name that exists is never
replaced), attachments first, evalkit.toml last; then the new revisions of the bundle's pack are
written as loose revisions of the store (:func:`evalkit.io.durable.write_new`), parents before
children.  A failure leaves only complete files in place; importing again completes it.  Only a
changed setup file that the user asked to update (``--update-setup``) is replaced, the local one
kept under ``backup/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from evalkit.interop.bundle_check import Checked
from evalkit.interop.bundle_format import ATT_RE, CHUNK, READ_ERRORS, STAGING_PREFIX, category, hash_file
from evalkit.interop.bundle_result import BundleImportResult
from evalkit.interop.problems import BUNDLE_WRITE_FAILED
from evalkit.io import durable
from evalkit.problems import problem
from evalkit.store import Revision, ordered


@dataclass
class _Progress:
    """How far placing has come: what is being written and how many files are in place."""

    current: str
    placed: int = 0


def placement_order(todo: list[dict]) -> list[dict]:
    """Attachments, then setup files with evalkit.toml last."""
    def key(m: dict) -> tuple:
        rel = m["path"]
        if ATT_RE.fullmatch(rel):
            return (0, rel)
        return (2 if rel == "evalkit.toml" else 1, rel)
    return sorted(todo, key=key)


def place_revisions(root: Path, checked: Checked, new: list[str], result: BundleImportResult) -> None:
    """Write the bundle's new revisions (``raw/<record>/<hash>.json`` paths) as loose files, parents first."""
    by_record: dict[str, list[Revision]] = {}
    for rel in new:
        rev = checked.revisions[rel]
        by_record.setdefault(rev.instance_id, []).append(rev)
    records = set()
    current = ""
    try:
        for iid in sorted(by_record):
            for rev in ordered(by_record[iid]):
                rel = f"raw/{iid}/{rev.revision_id}.json"
                current = str(root / rel)
                if iid not in result.known_records:
                    records.add(iid)
                try:
                    durable.write_new(root / rel, checked.revision_bytes[rel])
                except FileExistsError:   # placed meanwhile by another import: it must hold the same bytes
                    if (root / rel).read_bytes() != checked.revision_bytes[rel]:
                        raise OSError(f"{root / rel} 同时被写入了不同的内容") from None
                    result.skipped["revisions"] = result.skipped.get("revisions", 0) + 1
                    continue
                result.added_paths.append(rel)
                result.added["revisions"] = result.added.get("revisions", 0) + 1
    except OSError as exc:
        result.problems.append(problem(BUNDLE_WRITE_FAILED, file=current, placed=len(result.added_paths),
                                       detail=str(exc)[:200]))
    result.added["records"] = len(records)


def place(root: Path, checked: Checked, todo: list[dict], result: BundleImportResult) -> None:
    """Stage the missing members inside the project, then link them into place."""
    if not todo:
        return
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    staged: dict[str, Path] = {}
    progress = _Progress(str(staging))
    try:
        durable.ensure_dir(root)
        staging.mkdir()
        _stage(checked, todo, staging, staged, progress)
        for m in placement_order(todo):
            _place_one(root, m, staged[m["path"]], result, progress)
    except READ_ERRORS as exc:
        result.problems.append(problem(BUNDLE_WRITE_FAILED, file=progress.current, placed=progress.placed,
                                       detail=str(exc)[:200]))
    finally:
        for path in staged.values():
            durable.unlink_quietly(path)
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)


def _stage(checked: Checked, todo: list[dict], staging: Path, staged: dict[str, Path],
           progress: _Progress) -> None:
    """Copy every member to be placed into ``staging`` (checking its hash again), then fsync the folder."""
    with zipfile.ZipFile(checked.path) as zf:
        for i, m in enumerate(todo):
            target = staging / f"m{i}"
            progress.current = m["path"]
            _extract(zf, m, target, 0o444 if m["path"].startswith(("raw/", "draws/", "keys/")) else 0o644)
            staged[m["path"]] = target
    durable.fsync_dir(staging)


def _place_one(root: Path, m: dict, staged: Path, result: BundleImportResult, progress: _Progress) -> None:
    """Give one staged member its final name (or replace a setup file the user asked to update)."""
    rel = m["path"]
    progress.current = str(root / rel)
    final = root / rel
    durable.ensure_dir(final.parent)
    if m.get("replace"):
        _replace_keeping(root, staged, final, m["replace"])
        progress.placed += 1
        result.replaced[rel] = m["replace"]
        result.added_paths.append(rel)
        result.added["setup"] = result.added.get("setup", 0) + 1
        return
    try:
        durable.link_no_replace(staged, final)
    except FileExistsError:   # another import placed it meanwhile
        if hash_file(final)[0] != m["sha256"]:
            raise OSError(f"{final} 同时被写入了不同的内容") from None
        result.skipped[category(rel)] = result.skipped.get(category(rel), 0) + 1
        return
    durable.fsync_dir(final.parent)
    progress.placed += 1
    result.added_paths.append(rel)
    result.added[category(rel)] = result.added.get(category(rel), 0) + 1


def _replace_keeping(root: Path, staged: Path, final: Path, backup_rel: str) -> None:
    """Keep the local file as ``backup_rel`` (a hard link, or a copy), then rename the staged one over it."""
    backup = root / backup_rel
    durable.ensure_dir(backup.parent)
    if not os.path.lexists(backup):
        try:
            os.link(final, backup)
        except OSError:
            shutil.copy2(final, backup)
        durable.fsync_dir(backup.parent)
    if hash_file(backup)[0][:12] != backup.parent.relative_to(root / "backup").parts[0]:
        raise OSError(f"备份 {backup} 与原文件不符，未替换 {final}")
    os.replace(staged, final)
    durable.fsync_dir(final.parent)


def _extract(zf: zipfile.ZipFile, m: dict, target: Path, mode: int) -> None:
    """Copy one member to ``target`` (new file), checking its hash again; fsync-ed."""
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with zf.open(m["path"]) as src:
            for block in iter(lambda: src.read(CHUNK), b""):
                size += len(block)
                if size > m["size"]:
                    raise ValueError(f"{m['path']} 比目录记录的大")
                digest.update(block)
                view = memoryview(block)
                while view:
                    view = view[os.write(fd, view):]
        if digest.hexdigest() != m["sha256"]:
            raise ValueError(f"{m['path']} 在导入过程中被改动")
        os.fsync(fd)
    finally:
        os.close(fd)
