"""Verified reading of a bundle: nothing of it is trusted before all of it is checked.

The checksum of the index, the signature (when there is one: it must be valid for bundle.json,
:mod:`evalkit.interop.signing`) and the sha256 and size of every member are checked, member
paths must match a strict pattern (:mod:`evalkit.interop.bundle_format`), the pack must match its
name and every revision in it its hash, the pack's index and the store's rules for a revision
(:func:`evalkit.store.parse_revision`), every attachment's bytes must match its hash name, and
evalkit.toml and the .json setup files must parse.  Damaged bytes never raise: they become
problems, and then nothing is imported.  Whether the signer may bring what the bundle holds is
decided on import (:mod:`evalkit.interop.bundle_rules`).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.interop.bundle_format import (
    ATT_RE,
    CHECKSUM,
    CHUNK,
    FORMAT,
    INDEX,
    KINDS,
    MAX_INDEX,
    MAX_JSON,
    MAX_MEMBER,
    OLD_FORMAT,
    PACK_MEMBER_RE,
    READ_ERRORS,
    SIGNATURE,
    member_path_ok,
)
from evalkit.interop.keys import PublicKey
from evalkit.interop.problems import (
    BUNDLE_ATTACHMENT_HASH,
    BUNDLE_CHECKSUM,
    BUNDLE_INDEX_INVALID,
    BUNDLE_MEMBER_HASH,
    BUNDLE_MEMBER_MISSING,
    BUNDLE_MEMBER_UNLISTED,
    BUNDLE_OLD_FORMAT,
    BUNDLE_PATH_UNSAFE,
    BUNDLE_RECORD_INVALID,
    BUNDLE_SETUP_INVALID,
    BUNDLE_SIGNATURE_INVALID,
    BUNDLE_UNREADABLE,
)
from evalkit.interop.signing import read_signature
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.store import PackError, Revision, entry_mismatch, parse_pack, parse_revision


@dataclass
class Checked:
    """A verified bundle: its index and what each member is."""

    path: Path
    index: dict
    members: list[dict]
    revisions: dict[str, Revision]          # where each revision will lie (raw/<record>/<hash>.json) -> revision
    problems: list[Problem]
    revision_bytes: dict[str, bytes] = field(default_factory=dict)   # the same paths -> canonical bytes
    signer: PublicKey | None = None         # the key that signed bundle.json, as the signature states it
    sha256: str = ""                        # of the bundle file


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"{info.filename} 超过 {cap} 字节")
    return data


def _stream_hash(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, keep: bool,
                 keep_cap: int = MAX_JSON) -> tuple[str, int, bytes | None]:
    """sha256, size and (with ``keep``, up to ``keep_cap``) the bytes of one member."""
    digest, size, kept = hashlib.sha256(), 0, []
    with zf.open(info) as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                break
            size += len(block)
            if size > cap:
                raise ValueError(f"超过 {cap} 字节")
            digest.update(block)
            if keep and size <= keep_cap:
                kept.append(block)
    return digest.hexdigest(), size, b"".join(kept) if keep and size <= keep_cap else None


def _index_error(index: Any) -> str | None:
    if not isinstance(index, dict):
        return "不是 JSON 对象"
    if index.get("format") == OLD_FORMAT:
        return "OLD"
    if index.get("format") != FORMAT:
        return f"格式为 {str(index.get('format'))[:40]}，应为 {FORMAT}"
    if index.get("kind") not in KINDS:
        return f"种类 {str(index.get('kind'))[:40]} 无效"
    project = index.get("project")
    if not (isinstance(project, dict) and isinstance(project.get("name"), str)
            and (project.get("id") is None or isinstance(project.get("id"), str))):
        return "缺少项目标识 project"
    members = index.get("members")
    if not isinstance(members, list):
        return "缺少成员列表 members"
    seen = set()
    for m in members:
        if not (isinstance(m, dict) and isinstance(m.get("path"), str) and isinstance(m.get("sha256"), str)
                and re.fullmatch(r"[0-9a-f]{64}", m["sha256"]) and type(m.get("size")) is int and m["size"] >= 0):
            return f"成员记录 {str(m)[:80]} 不完整"
        if m["path"] in seen or m["path"] in (INDEX, CHECKSUM):
            return f"成员 {m['path'][:80]} 重复"
        seen.add(m["path"])
    return None


def check_bundle(path: Path) -> tuple[Checked | None, list[Problem]]:
    """Verify a bundle completely (checksum, hashes, paths, record and setup contents); never raises for bad bytes."""
    path = Path(path)
    where = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_open(path, zf)
    except READ_ERRORS as exc:
        return None, [problem(BUNDLE_UNREADABLE, file=where, detail=str(exc)[:200] or type(exc).__name__)]
    except RecursionError:
        return None, [problem(BUNDLE_UNREADABLE, file=where, detail="嵌套过深")]


def _check_open(path: Path, zf: zipfile.ZipFile) -> tuple[Checked | None, list[Problem]]:
    where = str(path)
    by_name, index, index_bytes, problems = _read_index(where, zf)
    if index is None:
        return None, problems
    signer = None
    if SIGNATURE in by_name:
        signer, why = read_signature(_read_capped(zf, by_name[SIGNATURE], 10000), index_bytes)
        if why:
            return None, [problem(BUNDLE_SIGNATURE_INVALID, file=where, detail=why)]
    kind, members = index["kind"], index["members"]
    listed = {m["path"] for m in members}
    for m in members:
        if not member_path_ok(kind, m["path"]):
            problems.append(problem(BUNDLE_PATH_UNSAFE, file=where, field=m["path"][:200]))
    for name in by_name:
        if name not in listed and name not in (INDEX, CHECKSUM, SIGNATURE):
            code = BUNDLE_MEMBER_UNLISTED if member_path_ok(kind, name) else BUNDLE_PATH_UNSAFE
            problems.append(problem(code, file=where, field=name[:200]))
    if problems:
        return None, problems
    checked = Checked(path, index, members, {}, [], signer=signer)
    for m in members:
        info = by_name.get(m["path"])
        if info is None:
            problems.append(problem(BUNDLE_MEMBER_MISSING, file=where, field=m["path"]))
            continue
        pack = bool(PACK_MEMBER_RE.fullmatch(m["path"]))
        try:
            sha, size, data = _stream_hash(zf, info, min(MAX_MEMBER, m["size"]),
                                           m["path"].endswith((".json", ".toml")) or pack, MAX_MEMBER if pack else MAX_JSON)
        except READ_ERRORS as exc:
            problems.append(problem(BUNDLE_MEMBER_HASH, file=where, field=m["path"], detail=str(exc)[:120]))
            continue
        if (sha, size) != (m["sha256"], m["size"]):
            problems.append(problem(BUNDLE_MEMBER_HASH, file=where, field=m["path"],
                                    detail=f"实际 sha256 {sha[:12]}…、{size} 字节"))
            continue
        if pack:
            problems += _check_pack(where, m["path"], data, checked)
        else:
            problems += _check_content(where, m["path"], sha, data)
    return (None if problems else checked), problems


def _check_pack(where: str, rel: str, data: bytes, checked: Checked) -> list[Problem]:
    """Every revision of the bundle's pack against its hash, the pack's index and the store's rules."""
    try:
        pack = parse_pack(Path(rel), data)
        blocks = pack.read_all(data)
    except PackError as exc:
        return [problem(BUNDLE_RECORD_INVALID, file=where, field=rel, detail=str(exc)[:200])]
    found = []
    for entry in pack.entries:
        raw = pack.revision_bytes(entry, blocks)
        revision, bad = parse_revision(raw, entry.revision_id, f"{where}:{entry.revision_id}", entry.instance_id)
        bad = bad or (entry_mismatch(entry, revision) if revision is not None else None)
        if bad is not None:
            found.append(problem(BUNDLE_RECORD_INVALID, file=where, field=entry.revision_id, record=entry.instance_id,
                                 detail=bad.message[:200]))
            continue
        target = f"raw/{entry.instance_id}/{entry.revision_id}.json"
        checked.revisions[target] = revision
        checked.revision_bytes[target] = raw
    return found


def _read_index(where: str, zf: zipfile.ZipFile) -> tuple[dict[str, zipfile.ZipInfo], dict | None, bytes,
                                                          list[Problem]]:
    """The members by name, the index and its bytes, once its checksum and shape are right (else None and why)."""
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        return {}, None, b"", [problem(BUNDLE_UNREADABLE, file=where, detail="有重名成员")]
    by_name = {i.filename: i for i in infos}
    if INDEX not in by_name or CHECKSUM not in by_name:
        return by_name, None, b"", [problem(BUNDLE_UNREADABLE, file=where, detail="缺少 bundle.json 或 bundle.sha256")]
    index_bytes = _read_capped(zf, by_name[INDEX], MAX_INDEX)
    stated = _read_capped(zf, by_name[CHECKSUM], 1000).decode("ascii", "replace").split()
    actual = hashlib.sha256(index_bytes).hexdigest()
    if not stated or stated[0] != actual:
        return by_name, None, b"", [problem(BUNDLE_CHECKSUM, file=where,
                                       detail=f"bundle.json 的 sha256 为 {actual[:12]}…，"
                                              f"校验文件写的是 {(stated or ['（空）'])[0][:12]}…")]
    try:
        index = durable.loads(index_bytes)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return by_name, None, b"", [problem(BUNDLE_INDEX_INVALID, file=where, detail=str(exc)[:200])]
    error = _index_error(index)
    if error == "OLD":
        return by_name, None, b"", [problem(BUNDLE_OLD_FORMAT, file=where)]
    if error:
        return by_name, None, b"", [problem(BUNDLE_INDEX_INVALID, file=where, detail=error)]
    return by_name, index, index_bytes, []


def _check_content(where: str, rel: str, sha: str, data: bytes | None) -> list[Problem]:
    att = ATT_RE.fullmatch(rel)
    if att:
        if att.group(2) != sha:
            return [problem(BUNDLE_ATTACHMENT_HASH, file=where, field=rel, actual=sha[:12])]
        return []
    if rel.endswith((".toml", ".json")):
        if data is None:
            return [problem(BUNDLE_SETUP_INVALID, file=where, field=rel, detail="文件过大")]
        try:
            if rel.endswith(".toml"):
                tomllib.loads(data.decode("utf-8"))
            elif not isinstance(durable.loads(data), dict):
                raise ValueError("不是 JSON 对象")
        except (ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            return [problem(BUNDLE_SETUP_INVALID, file=where, field=rel, detail=str(exc)[:200])]
    return []
