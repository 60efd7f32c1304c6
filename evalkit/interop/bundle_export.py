"""Exporting a bundle: a project's records (``evalkit bundle export``) or its setup (``--setup``).

Records: every valid revision under ``raw/`` (optionally only those of one assessor's records,
or those made since a date) and the attachments they reference.  Setup: evalkit.toml, the
framework and unit list, instruments, frames, draws and assignments.  Revision files are
copied byte for byte, so their hashes are equal on both computers; the output is written to
a temp file next to it and renamed, so it is never half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.config import ProjectConfig
from evalkit.interop.bundle_format import (
    CHECKSUM,
    CHUNK,
    FIXED_TIME,
    FORMAT,
    INDEX,
    BundleError,
    hash_file,
    setup_path_ok,
)
from evalkit.interop.identity import identity_of, readable_config
from evalkit.interop.problems import (
    BUNDLE_ATTACHMENT_MISSING,
    BUNDLE_NOT_A_PROJECT,
    BUNDLE_PROJECT_NO_ID,
    BUNDLE_SETUP_SKIPPED,
    BUNDLE_SOURCE_SKIPPED,
)
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.store import ATTACHMENT_RE, Revision, read_revision
from evalkit.version import __version__

CST = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Member:
    path: str
    source: Path
    sha256: str
    size: int


@dataclass
class ExportResult:
    output: Path
    kind: str
    index: dict
    problems: list[Problem] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        return self.index["counts"]


def parse_since(value: str) -> dt.datetime:
    """A date (2024-05-01 = 00:00 China time) or an ISO time (without zone = China time); ValueError otherwise."""
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=CST)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期「{text[:40]}」无效：请写成 2024-05-01 或 2024-05-01T09:00:00+08:00。") from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=CST)


def _revision_files(root: Path, problems: list[Problem]) -> dict[str, list[tuple[Revision, Path]]]:
    """Every valid revision under raw/, by instance; invalid files become warnings."""
    raw = root / "raw"
    out: dict[str, list[tuple[Revision, Path]]] = {}
    entries = sorted(raw.iterdir()) if raw.is_dir() else []
    for folder in entries:
        if not (durable.ID_RE.fullmatch(folder.name) and folder.is_dir() and not folder.is_symlink()):
            continue
        for path in sorted(folder.iterdir()):
            if not (path.suffix == ".json" and durable.ID_RE.fullmatch(path.stem)) or path.name.startswith("."):
                continue
            if path.is_symlink() or not path.is_file():
                problems.append(problem(BUNDLE_SOURCE_SKIPPED, file=str(path), detail="不是普通文件"))
                continue
            revision, found = read_revision(path, folder.name)
            if revision is None:
                problems.append(problem(BUNDLE_SOURCE_SKIPPED, file=str(path), record=folder.name,
                                        detail=found.message[:200] if found else ""))
                continue
            out.setdefault(folder.name, []).append((revision, path))
    return out


def _record_members(root: Path, assessor: str | None, since: dt.datetime | None,
                    problems: list[Problem]) -> tuple[list[Member], dict]:
    members: list[Member] = []
    attachments: dict[str, str] = {}
    records = revisions = 0
    for iid, items in _revision_files(root, problems).items():
        if assessor is not None and not any(assessor in (r.assessor, r.who) for r, _ in items):
            continue
        chosen = [(r, p) for r, p in items if since is None or r.when_time >= since]
        if not chosen:
            continue
        records += 1
        for revision, path in chosen:
            sha, size = hash_file(path)
            members.append(Member(f"raw/{iid}/{revision.revision_id}.json", path, sha, size))
            revisions += 1
            for att in revision.attachments:
                name = str(att.get("name", ""))
                attachments.setdefault(name, iid)
    count = 0
    for name, iid in sorted(attachments.items()):
        path = root / "raw" / "attachments" / name
        match = ATTACHMENT_RE.fullmatch(name)
        ok = match is not None and path.is_file() and not path.is_symlink()
        if ok:
            sha, size = hash_file(path)
            ok = sha == match.group(1)
        if not ok:
            problems.append(problem(BUNDLE_ATTACHMENT_MISSING, file=f"raw/attachments/{name[:120]}", record=iid))
            continue
        members.append(Member(f"raw/attachments/{name}", path, sha, size))
        count += 1
    return members, {"records": records, "revisions": revisions, "attachments": count}


def _setup_members(root: Path, config: ProjectConfig, problems: list[Problem]) -> tuple[list[Member], dict]:
    wanted: dict[str, Path] = {}
    root_resolved = root.resolve()
    for name in (config.evaluation.framework, config.evaluation.units):
        path = root / name
        try:
            rel = path.resolve().relative_to(root_resolved).as_posix()
        except (ValueError, OSError):
            rel = None
        if rel is None or not setup_path_ok(rel):
            problems.append(problem(BUNDLE_SETUP_SKIPPED, file=str(path)))
        elif path.is_file():
            wanted[rel] = path
    for path in sorted(root.iterdir()):
        if path.is_file() and not path.is_symlink() and setup_path_ok(path.name):
            wanted[path.name] = path
    for folder in ("instruments", "frames", "draws"):
        directory = root / folder
        for path in sorted(directory.iterdir()) if directory.is_dir() else []:
            rel = f"{folder}/{path.name}"
            if path.is_file() and not path.is_symlink() and setup_path_ok(rel):
                wanted[rel] = path
    members = []
    for rel, path in sorted(wanted.items()):
        sha, size = hash_file(path)
        members.append(Member(rel, path, sha, size))
    counts = {"files": len(members),
              "draws": sum(m.path.startswith("draws/") for m in members),
              "instruments": sum(m.path.startswith("instruments/") for m in members),
              "frames": sum(m.path.startswith("frames/") for m in members)}
    return members, counts


def _zipinfo(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = 0o644 << 16
    info.create_system = 3
    info.compress_type = zipfile.ZIP_DEFLATED if name.endswith((".json", ".toml", ".csv", ".sha256")) \
        else zipfile.ZIP_STORED
    info.file_size = size
    return info


def export_bundle(root: Path, output: Path, *, assessor: str | None = None, since: str | None = None,
                  setup: bool = False) -> ExportResult:
    """Write a bundle of the project's records (or, with ``setup``, its setup files) to ``output``.

    :class:`BundleError` when the project cannot be exported; warnings in the result.
    The output is written to a temp file next to it and renamed, so it is never half-written.
    A bundle holds the project's files as they lie (revision files byte for byte), so this takes
    the folder, reading evalkit.toml once for the project's identity and its setup files.
    """
    root, output = Path(root), Path(output)
    config = readable_config(root)
    if config is None:
        raise BundleError([problem(BUNDLE_NOT_A_PROJECT, file=str(root))])
    identity = identity_of(config)
    problems: list[Problem] = []
    if not identity["id"]:
        problems.append(problem(BUNDLE_PROJECT_NO_ID, file=str(root), name=identity["name"]))
    if setup:
        members, counts = _setup_members(root, config, problems)
        selection: dict[str, Any] = {"setup": True}
    else:
        moment = parse_since(since) if since is not None else None
        members, counts = _record_members(root, assessor, moment, problems)
        selection = {"assessor": assessor, "since": moment.isoformat() if moment else None}
    members.sort(key=lambda m: m.path)
    index = {"format": FORMAT, "kind": "setup" if setup else "records", "project": identity,
             "exporter": {"program": "evalkit", "version": __version__}, "selection": selection,
             "counts": counts,
             "members": [{"path": m.path, "sha256": m.sha256, "size": m.size} for m in members]}
    _write_zip(output, durable.dumps(index), members)
    return ExportResult(output, index["kind"], index, problems)


def _write_zip(output: Path, index_bytes: bytes, members: list[Member]) -> None:
    """The index, its checksum and the members into a temp file next to ``output``, fsync-ed, then renamed."""
    checksum = f"{hashlib.sha256(index_bytes).hexdigest()}  {INDEX}\n".encode()
    durable.ensure_dir(output.parent if str(output.parent) else Path("."))
    tmp = output.parent / f".{output.name}.{uuid.uuid4().hex}.tmp"
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in ((INDEX, index_bytes), (CHECKSUM, checksum)):
                zf.writestr(_zipinfo(name, len(data)), data)
            for m in members:
                with open(m.source, "rb") as src, zf.open(_zipinfo(m.path, m.size), "w", force_zip64=True) as dst:
                    digest = hashlib.sha256()
                    for block in iter(lambda: src.read(CHUNK), b""):
                        digest.update(block)
                        dst.write(block)
                if digest.hexdigest() != m.sha256:
                    raise OSError(f"{m.source} 在导出过程中被改动，请重新导出。")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    finally:
        durable.unlink_quietly(tmp)
