"""``evalkit store convert``: a project's old-format revisions (``evalkit.record/1``) into the new format.

An old revision file is ``raw/<record>/<uuid>.json``, indented JSON naming its parent by a uuid.
Each record's old revisions are taken parents first; each becomes the same revision in the new
format (same record, kind, who, when, why, state, comment and answers; the parent and merges named
by the new hashes), written durably next to the old files.  Then the old files are moved (never
copied over, never deleted) to ``backup/store-v1/raw/<record>/``, and
``backup/store-v1/mapping.json`` records every old id with its new hash, so anyone can check that
nothing was lost or changed.

An old file that cannot be read, and a revision whose parent cannot be converted, stay where they
are and are reported; running the command again converts whatever has become convertible.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.io.durable import ID_RE, ensure_dir, fsync_dir, loads, write_new
from evalkit.problems import Problem, problem
from evalkit.store.history import ordered
from evalkit.store.problems import RECORD_DAMAGED, RECORD_INVALID, RECORD_ORPHAN
from evalkit.store.revisions import OLD_SCHEMA, SNAPSHOT_KEYS, document_error, encode, new_document, revision_hash

BACKUP = Path("backup") / "store-v1"
OLD_KEYS = ("schema", "instance_id", "revision_id", "parent", "kind", "who", "when", "why", "merges", *SNAPSHOT_KEYS)


@dataclass
class ConvertResult:
    records: int = 0
    revisions: int = 0
    mapping: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"records": self.records, "revisions": self.revisions, "mapping": self.mapping,
                "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class _Old:
    revision_id: str
    parent: str | None
    merges: tuple[str, ...]
    when: str
    doc: dict
    path: Path


def _old_error(doc: Any, instance_id: str, revision_id: str) -> str | None:
    if not isinstance(doc, dict) or doc.get("schema") != OLD_SCHEMA:
        return f"不是 {OLD_SCHEMA} 格式"
    if [k for k in OLD_KEYS if k not in doc]:
        return "缺少字段"
    if doc["instance_id"] != instance_id or doc["revision_id"] != revision_id:
        return "记录编号或修订编号与文件位置不符"
    ids = ([doc["parent"]] if doc["parent"] is not None else []) + list(doc["merges"] or [])
    if not all(isinstance(i, str) and ID_RE.fullmatch(i) for i in ids) or not isinstance(doc["when"], str):
        return "parent、merges 或 when 无效"
    return None


def _read_old(folder: Path, problems: list[Problem]) -> list[_Old]:
    out = []
    for path in sorted(folder.glob("*.json")):
        stem = path.stem
        if not ID_RE.fullmatch(stem) or path.name.startswith("."):
            continue
        try:
            doc = loads(path.read_bytes())
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            problems.append(problem(RECORD_DAMAGED, file=str(path), record=folder.name, detail=str(exc)[:200]))
            continue
        error = _old_error(doc, folder.name, stem)
        if error:
            problems.append(problem(RECORD_INVALID, file=str(path), record=folder.name, detail=error))
            continue
        out.append(_Old(stem, doc["parent"], tuple(doc["merges"]), doc["when"], doc, path))
    return out


def _convert_record(root: Path, folder: Path, result: ConvertResult, mapping: dict[str, str]) -> None:
    """Write the new revisions of one record, then move its converted old files to the backup."""
    moved = []
    for old in ordered(_read_old(folder, result.problems)):
        doc = old.doc
        if doc["parent"] is not None and doc["parent"] not in mapping:
            result.problems.append(problem(RECORD_ORPHAN, file=str(old.path), record=folder.name,
                                           parent=doc["parent"]))
            continue
        new = new_document(folder.name, mapping.get(doc["parent"]), doc["kind"], doc["who"], doc["when"], doc["why"],
                           [mapping[m] for m in doc["merges"] if m in mapping], doc)
        error = document_error(new, folder.name)
        if error:
            result.problems.append(problem(RECORD_INVALID, file=str(old.path), record=folder.name, detail=error))
            continue
        data = encode(new)
        name = revision_hash(data)
        target = folder / f"{name}.json"
        try:
            write_new(target, data)
        except FileExistsError:
            if target.read_bytes() != data:
                raise
        mapping[old.revision_id] = name
        moved.append(old.path)
        result.revisions += 1
    if not moved:
        return
    result.records += 1
    backup = root / BACKUP / "raw" / folder.name
    ensure_dir(backup)
    for path in moved:
        os.link(path, backup / path.name)   # fails rather than replace a file already in the backup
        os.unlink(path)
    fsync_dir(backup)
    fsync_dir(folder)


def convert_store(root: Path) -> ConvertResult:
    """Convert every old-format revision under ``root/raw`` (see the module docstring)."""
    root = Path(root)
    raw = root / "raw"
    result = ConvertResult()
    mapping: dict[str, str] = {}
    for folder in sorted(raw.iterdir()) if raw.is_dir() else []:
        if ID_RE.fullmatch(folder.name) and folder.is_dir() and any(
                ID_RE.fullmatch(p.stem) for p in folder.glob("*.json")):
            _convert_record(root, folder, result, mapping)
    if mapping:
        ensure_dir(root / BACKUP)
        n, path = 1, root / BACKUP / "mapping.json"
        while path.exists():
            n += 1
            path = root / BACKUP / f"mapping-{n}.json"
        body = {"format": "evalkit.store-convert/1", "from": OLD_SCHEMA, "records": result.records,
                "revisions": dict(sorted(mapping.items()))}
        write_new(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
        result.mapping = path.relative_to(root).as_posix()
    return result
