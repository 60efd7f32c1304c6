"""Exporting a bundle: a project's records (``evalkit bundle export``) or its setup (``--setup``).

Records: every revision of the store that verifies (optionally only those of one assessor's
records, or those made since a date), as one pack (their canonical bytes, so their hashes are
equal on both computers), and the attachments they reference.  Setup: evalkit.toml, the framework
and unit list, instruments, frames, draws, assignments and the register of keys.  With a key
(:func:`evalkit.interop.keys.load_signing_key`) bundle.json is signed (``bundle.sig``).  The
output is written to a temp file next to it and renamed, so it is never half-written.
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
    SIGNATURE,
    BundleError,
    hash_file,
    setup_path_ok,
)
from evalkit.interop.identity import identity_of, readable_config
from evalkit.interop.keys import SigningKey
from evalkit.interop.problems import (
    BUNDLE_ATTACHMENT_MISSING,
    BUNDLE_NOT_A_PROJECT,
    BUNDLE_PROJECT_NO_ID,
    BUNDLE_SETUP_SKIPPED,
    BUNDLE_SOURCE_SKIPPED,
)
from evalkit.interop.signing import sign
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.store import ATTACHMENT_RE, Revision, build_pack, pack_name, root_hash, stored_revisions
from evalkit.version import __version__

CST = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Member:
    path: str
    source: Path | None
    sha256: str
    size: int
    data: bytes | None = None     # the member's bytes when it is made in memory (the pack)


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


def _record_members(root: Path, assessor: str | None, since: dt.datetime | None,
                    problems: list[Problem]) -> tuple[list[Member], dict]:
    items, found = stored_revisions(root / "raw")
    for p in found:
        problems.append(problem(BUNDLE_SOURCE_SKIPPED, file=p.file or "", record=p.record, detail=p.message[:200]))
    by_record: dict[str, list[tuple[Revision, bytes]]] = {}
    for rev, data in items:
        by_record.setdefault(rev.instance_id, []).append((rev, data))
    chosen: list[tuple[Revision, bytes]] = []
    attachments: dict[str, str] = {}
    records = 0
    for iid, revs in sorted(by_record.items()):
        if assessor is not None and not any(assessor in (r.assessor, r.who) for r, _ in revs):
            continue
        picked = [(r, d) for r, d in revs if since is None or r.when_time >= since]
        if not picked:
            continue
        records += 1
        chosen += picked
        for rev, _ in picked:
            for att in rev.attachments:
                attachments.setdefault(str(att.get("name", "")), iid)
    members = []
    if chosen:
        data = build_pack(chosen)
        members.append(Member(f"raw/packs/{pack_name(data)}", None, hashlib.sha256(data).hexdigest(), len(data),
                              data))
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
    counts = {"records": records, "revisions": len(chosen), "attachments": count}
    return members, counts, root_hash(r.revision_id for r, _ in chosen)


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
    for folder in ("instruments", "frames", "draws", "keys"):
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
    info.compress_type = zipfile.ZIP_DEFLATED if name.endswith((".json", ".toml", ".csv", ".sha256", ".sig")) \
        else zipfile.ZIP_STORED
    info.file_size = size
    return info


def export_bundle(root: Path, output: Path, *, assessor: str | None = None, since: str | None = None,
                  setup: bool = False, key: SigningKey | None = None) -> ExportResult:
    """Write a bundle of the project's records (or, with ``setup``, its setup files) to ``output``,
    signed with ``key`` when given.

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
        root_of = None
    else:
        moment = parse_since(since) if since is not None else None
        members, counts, root_of = _record_members(root, assessor, moment, problems)
        selection = {"assessor": assessor, "since": moment.isoformat() if moment else None}
    members.sort(key=lambda m: m.path)
    index = {"format": FORMAT, "kind": "setup" if setup else "records", "project": identity,
             "exporter": {"program": "evalkit", "version": __version__,
                          "key": key.key_id if key else None, "person": key.person if key else None},
             "selection": selection, "counts": counts, "revisions_root": root_of,
             "members": [{"path": m.path, "sha256": m.sha256, "size": m.size} for m in members]}
    index_bytes = durable.dumps(index)
    _write_zip(output, index_bytes, members, sign(key, index_bytes) if key else None)
    return ExportResult(output, index["kind"], index, problems)


def _write_zip(output: Path, index_bytes: bytes, members: list[Member], signature: bytes | None) -> None:
    """The index, its checksum and the members into a temp file next to ``output``, fsync-ed, then renamed."""
    checksum = f"{hashlib.sha256(index_bytes).hexdigest()}  {INDEX}\n".encode()
    durable.ensure_dir(output.parent if str(output.parent) else Path("."))
    tmp = output.parent / f".{output.name}.{uuid.uuid4().hex}.tmp"
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            heads = [(INDEX, index_bytes), (CHECKSUM, checksum)] + ([(SIGNATURE, signature)] if signature else [])
            for name, data in heads:
                zf.writestr(_zipinfo(name, len(data)), data)
            for m in members:
                if m.data is not None:
                    zf.writestr(_zipinfo(m.path, m.size), m.data)
                    continue
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
