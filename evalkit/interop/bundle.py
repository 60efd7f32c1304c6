"""Field-laptop bundles: records and project setup carried between computers in one file.

An assessor works offline; ``evalkit bundle export`` packs the record revisions (and the
attachments they reference) into one zip file, and ``evalkit bundle import`` merges it into
the lead evaluator's project.  The lead sends the setup (evalkit.toml, framework, units,
instruments, frames, draws and assignments) to a laptop the same way with ``--setup``.

Format ``evalkit.bundle/1`` (a zip file)::

    bundle.json      the index: format, kind (records / setup), project identity, exporter,
                     selection, counts, and every member's path, sha256 and size
    bundle.sha256    "<sha256 of bundle.json>  bundle.json" (``sha256sum -c`` can check it)
    raw/<instance>/<revision>.json, raw/attachments/<sha256><ext>       (records)
    evalkit.toml, *.xlsx, instruments/*.xlsx, frames/*, draws/*.json   (setup)

Members are in a fixed order (index, checksum, then paths sorted) with fixed timestamps,
so the same selection gives the same bytes.  Revision files are copied byte for byte, so
their hashes are equal on both computers.

Import never overwrites and never imports half-way:

1. the checksum of the index and the sha256 and size of every member are checked, member
   paths must match a strict pattern (never ``..``, an absolute path or a hidden name),
   every revision is validated as the store reads it, every attachment's bytes must match
   its hash name, a revision's parent must be in the bundle or in the project, and a file
   that exists with other bytes is a conflict problem.  Any error: nothing is written;
2. the missing members are written to a hidden staging folder inside the project
   (fsync-ed), then hard-linked to their final names (a name that exists is never
   replaced), attachments before revisions and parents before children, evalkit.toml last;
3. a failure in step 2 leaves only complete files in place; importing again completes it.

Project identity: ``project_id`` in the ``[evaluation]`` table of evalkit.toml (a uuid
hex written by ``evalkit bundle id PROJECT --new``); a project without one is known by
its ``name``.  A bundle from another project is refused unless ``--other-project`` is
given (then a warning says so).  Two laptops that edited the same record both bring their
revision; the store then shows the record as a conflict (``record-conflict``) in review
and in ``evalkit validate`` for the lead evaluator to settle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import struct
import tomllib
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit import __version__
from evalkit.io.durable import ID_RE, dumps, link_no_replace, ensure_dir, fsync_dir, loads, unlink_quietly
from evalkit.problems import ERROR, INFO, WARNING, Problem, problem, register
from evalkit.store import RECORD_CONFLICT, Revision, build_view, document_error, ordered, read_revision
from evalkit.store import ATTACHMENT_RE

FORMAT = "evalkit.bundle/1"
INDEX, CHECKSUM = "bundle.json", "bundle.sha256"
KINDS = ("records", "setup")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CST = dt.timezone(dt.timedelta(hours=8))
MAX_INDEX = 64 << 20
MAX_JSON = 16 << 20          # a revision / draw / evalkit.toml read into memory
MAX_MEMBER = 512 << 20       # any member (photos are limited to far less by the forms)
CHUNK = 1 << 20
STAGING_PREFIX = ".bundle-import-"

RAW_RE = re.compile(r"raw/([0-9a-f]{32})/([0-9a-f]{32})\.json")
ATT_RE = re.compile(r"raw/attachments/(" + ATTACHMENT_RE.pattern + ")")
_NAME = r"[^\x00-\x1f\x7f/\\:*?\"<>|.~][^\x00-\x1f\x7f/\\:*?\"<>|]{0,150}"
SETUP_RES = (
    re.compile(r"evalkit\.toml"),
    re.compile(_NAME + r"\.(?:xlsx|csv)"),
    re.compile(r"instruments/" + _NAME + r"\.xlsx"),
    re.compile(r"frames/" + _NAME + r"\.(?:xlsx|csv)"),
    re.compile(r"draws/" + _NAME + r"\.json"),
)
SETUP_DIRS = ("instruments", "frames", "draws", "raw", "out")

BUNDLE_UNREADABLE = register(
    "bundle-unreadable", ERROR,
    "文件 {file} 不是完整的 evalkit 数据包（{detail}）：可能拷贝或下载不完整。什么也没有导入；请让对方重新导出并发送。")
BUNDLE_CHECKSUM = register(
    "bundle-checksum", ERROR,
    "数据包 {file} 的校验和不符（{detail}）：文件已损坏或被改动过。什么也没有导入；请让对方重新导出并发送。")
BUNDLE_INDEX_INVALID = register(
    "bundle-index-invalid", ERROR,
    "数据包 {file} 的目录 bundle.json 无效（{detail}）：不是本版本 evalkit 导出的数据包。什么也没有导入；"
    "请用 evalkit bundle export 重新导出。")
BUNDLE_MEMBER_HASH = register(
    "bundle-member-hash", ERROR,
    "数据包 {file} 中的 {field} 与目录记录的 sha256 / 大小不符（{detail}）：文件已损坏或被改动过。什么也没有导入；"
    "请让对方重新导出并发送。")
BUNDLE_MEMBER_MISSING = register(
    "bundle-member-missing", ERROR,
    "数据包 {file} 的目录列出了 {field}，但包中没有这个文件：数据包不完整。什么也没有导入；请让对方重新导出并发送。")
BUNDLE_MEMBER_EXTRA = register(
    "bundle-member-unlisted", ERROR,
    "数据包 {file} 中的 {field} 不在目录 bundle.json 中（数据包被改动过）。什么也没有导入；请让对方重新导出并发送。")
BUNDLE_PATH_UNSAFE = register(
    "bundle-path-unsafe", ERROR,
    "数据包 {file} 中的路径「{field}」不允许（只能是 raw/<记录>/<修订>.json、raw/attachments/<sha256>.<扩展名> 或项目设置文件，"
    "不能含 ..、绝对路径或隐藏文件）。什么也没有导入：这不是 evalkit 导出的数据包，请勿使用。")
BUNDLE_ATTACHMENT_HASH = register(
    "bundle-attachment-hash", ERROR,
    "数据包 {file} 中附件 {field} 的内容与文件名中的 sha256 不符（实际为 {actual}…）：附件已损坏或被改动过。"
    "什么也没有导入；请让对方重新导出并发送。")
BUNDLE_RECORD_INVALID = register(
    "bundle-record-invalid", ERROR,
    "数据包 {file} 中的记录文件 {field} 不是有效的 evalkit 记录（{detail}）。什么也没有导入；"
    "请让对方用 evalkit validate 检查其项目后重新导出。")
BUNDLE_SETUP_INVALID = register(
    "bundle-setup-invalid", ERROR,
    "数据包 {file} 中的设置文件 {field} 无法读取（{detail}）。什么也没有导入；请让项目负责人重新导出设置包。")
BUNDLE_OTHER_PROJECT = register(
    "bundle-other-project", ERROR,
    "数据包 {file} 来自另一个项目（{theirs}），而这里是项目 {ours}：什么也没有导入。请确认选对了项目文件夹；"
    "确实要合并时加 --other-project。")
BUNDLE_OTHER_PROJECT_FORCED = register(
    "bundle-other-project-forced", WARNING,
    "数据包 {file} 来自另一个项目（{theirs}），这里是项目 {ours}：因为给了 --other-project，仍然导入。")
BUNDLE_NOT_PROJECT = register(
    "bundle-not-a-project", ERROR,
    "{file} 不是 evalkit 项目（没有 evalkit.toml），不能导入记录数据包：请先导入项目负责人发来的设置包"
    "（evalkit bundle export 项目 --setup 导出），或选择正确的项目文件夹。")
BUNDLE_FILE_DIFFERS = register(
    "bundle-file-differs", ERROR,
    "项目中已有 {file}，但内容与数据包中的不同（项目中 {ours}…，数据包中 {theirs}…）：evalkit 从不覆盖文件，"
    "什么也没有导入。{hint}")
BUNDLE_PARENT_MISSING = register(
    "bundle-parent-missing", ERROR,
    "数据包 {file} 中记录 {record} 的修订 {field} 的上一修订 {parent} 既不在数据包中也不在本项目中"
    "（导出时用了 --since 且日期太晚？）。什么也没有导入；请让对方不加 --since（或用更早的日期）重新导出。")
BUNDLE_OUTSIDE = register(
    "bundle-path-outside", ERROR,
    "项目中的 {file} 指向项目文件夹以外（符号链接）：为安全起见不向那里写入，什么也没有导入。请把它换成普通文件夹。")
BUNDLE_WRITE_FAILED = register(
    "bundle-write-failed", ERROR,
    "写入 {file} 时出错（{detail}）：已放入项目的 {placed} 个文件都是完整的，其余未写入。排除问题（如磁盘已满）后"
    "重新导入同一个数据包即可补齐。")
BUNDLE_SOURCE_SKIPPED = register(
    "bundle-source-skipped", WARNING,
    "{file} 无法读取或不是有效的记录文件，未放入数据包（{detail}）：请先用 evalkit validate 检查并修复。")
BUNDLE_ATTACHMENT_MISSING = register(
    "bundle-attachment-missing", WARNING,
    "记录 {record} 引用的附件 {file} 不在 raw/attachments/ 中或内容已损坏，未放入数据包：请从拍摄照片的电脑或备份中找回。")
BUNDLE_SETUP_SKIPPED = register(
    "bundle-setup-skipped", WARNING,
    "设置文件 {file} 不在项目文件夹的根目录或 instruments/、frames/、draws/ 中（或文件名不适合），未放入设置包："
    "请把它移到项目文件夹中并在 evalkit.toml 中改用相对路径。")
BUNDLE_NO_ID = register(
    "bundle-project-no-id", INFO,
    "项目 {file} 没有 project_id，按项目名称「{name}」识别：运行 evalkit bundle id 项目 --new 生成项目编号后，"
    "再向各评估员发送设置包，可避免同名项目混淆。")


class BundleError(Exception):
    """Export or import refused; ``problems`` say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


# ---------------------------------------------------------------- project identity


def _toml(root: Path) -> dict | None:
    path = Path(root) / "evalkit.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def project_identity(root: Path) -> dict | None:
    """``{"id": project_id or None, "name": name}`` from evalkit.toml; None when it has none/is unreadable."""
    data = _toml(root)
    if data is None:
        return None
    ev = data.get("evaluation", {}) if isinstance(data.get("evaluation"), dict) else {}
    pid = ev.get("project_id")
    return {"id": pid if isinstance(pid, str) and pid.strip() else None,
            "name": str(ev.get("name") or Path(root).resolve().name)}


def same_project(a: dict, b: dict) -> bool:
    """Same ``id`` when both have one, else the same name."""
    if a.get("id") and b.get("id"):
        return a["id"] == b["id"]
    return a.get("name") == b.get("name")


def describe(identity: dict) -> str:
    return f"「{identity.get('name')}」" + (f"，编号 {identity['id']}" if identity.get("id") else "，无编号")


def new_project_id(root: Path) -> str:
    """Write ``project_id = "<uuid hex>"`` into evalkit.toml's [evaluation] (only when absent); returns the id.

    The file is rewritten with a temp file + rename; ValueError (Chinese) when it cannot be.
    """
    root = Path(root)
    path = root / "evalkit.toml"
    current = project_identity(root)
    if current is None:
        raise ValueError(f"{path} 不存在或无法读取：请先用 evalkit init 创建项目，或改正 evalkit.toml。")
    if current["id"]:
        return current["id"]
    text = path.read_text(encoding="utf-8")
    pid = uuid.uuid4().hex
    line = f'project_id = "{pid}"\n'
    match = re.search(r"(?m)^\[evaluation\][ \t]*(#.*)?\r?\n", text)
    if match:
        text = text[:match.end()] + line + text[match.end():]
    else:
        text = text + ("" if text.endswith("\n") or not text else "\n") + "[evaluation]\n" + line
    tmp = root / f".evalkit.toml.{uuid.uuid4().hex}.tmp"
    tmp.write_text(text, encoding="utf-8")
    try:
        if tomllib.loads(text).get("evaluation", {}).get("project_id") != pid:
            raise ValueError("无法在 evalkit.toml 中写入 project_id：请在 [evaluation] 中手工加入 "
                             f'project_id = "{pid}"。')
        os.replace(tmp, path)
    finally:
        unlink_quietly(tmp)
    fsync_dir(root)
    return pid


# ---------------------------------------------------------------- export


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


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


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
        if not (ID_RE.fullmatch(folder.name) and folder.is_dir() and not folder.is_symlink()):
            continue
        for path in sorted(folder.iterdir()):
            if not (path.suffix == ".json" and ID_RE.fullmatch(path.stem)) or path.name.startswith("."):
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
            sha, size = _hash_file(path)
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
            sha, size = _hash_file(path)
            ok = sha == match.group(1)
        if not ok:
            problems.append(problem(BUNDLE_ATTACHMENT_MISSING, file=f"raw/attachments/{name[:120]}", record=iid))
            continue
        members.append(Member(f"raw/attachments/{name}", path, sha, size))
        count += 1
    return members, {"records": records, "revisions": revisions, "attachments": count}


def _setup_members(root: Path, problems: list[Problem]) -> tuple[list[Member], dict]:
    from evalkit.config import load_config

    config, _ = load_config(root)
    wanted: dict[str, Path] = {}
    root_resolved = root.resolve()
    for name in (config.framework, config.units):
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
        sha, size = _hash_file(path)
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
    """
    root, output = Path(root), Path(output)
    identity = project_identity(root)
    if identity is None:
        raise BundleError([problem(BUNDLE_NOT_PROJECT, file=str(root))])
    problems: list[Problem] = []
    if not identity["id"]:
        problems.append(problem(BUNDLE_NO_ID, file=str(root), name=identity["name"]))
    if setup:
        members, counts = _setup_members(root, problems)
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
    index_bytes = dumps(index)
    checksum = f"{hashlib.sha256(index_bytes).hexdigest()}  {INDEX}\n".encode()
    ensure_dir(output.parent if str(output.parent) else Path("."))
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
        unlink_quietly(tmp)
    return ExportResult(output, index["kind"], index, problems)


# ---------------------------------------------------------------- reading and checking


def setup_path_ok(path: str) -> bool:
    return any(r.fullmatch(path) for r in SETUP_RES) and not path.rstrip().endswith((" ", "."))


def member_path_ok(kind: str, path: str) -> bool:
    if kind == "records":
        return bool(RAW_RE.fullmatch(path) or ATT_RE.fullmatch(path))
    return setup_path_ok(path)


# Everything the zip and zlib readers raise on damaged input.
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, OSError,
                NotImplementedError, RuntimeError, struct.error, KeyError, IndexError, OverflowError,
                UnicodeDecodeError, TypeError)


@dataclass
class Checked:
    """A verified bundle: its index and what each member is."""

    path: Path
    index: dict
    members: list[dict]
    revisions: dict[str, Revision]          # member path -> revision
    problems: list[Problem]


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"{info.filename} 超过 {cap} 字节")
    return data


def _stream_hash(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int,
                 keep: bool) -> tuple[str, int, bytes | None]:
    """sha256, size and (with ``keep``, up to MAX_JSON) the bytes of one member."""
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
            if keep and size <= MAX_JSON:
                kept.append(block)
    return digest.hexdigest(), size, b"".join(kept) if keep and size <= MAX_JSON else None


def _index_error(index: Any) -> str | None:
    if not isinstance(index, dict):
        return "不是 JSON 对象"
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
    except _READ_ERRORS as exc:
        return None, [problem(BUNDLE_UNREADABLE, file=where, detail=str(exc)[:200] or type(exc).__name__)]
    except RecursionError:
        return None, [problem(BUNDLE_UNREADABLE, file=where, detail="嵌套过深")]


def _check_open(path: Path, zf: zipfile.ZipFile) -> tuple[Checked | None, list[Problem]]:
    where = str(path)
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        return None, [problem(BUNDLE_UNREADABLE, file=where, detail="有重名成员")]
    by_name = {i.filename: i for i in infos}
    if INDEX not in by_name or CHECKSUM not in by_name:
        return None, [problem(BUNDLE_UNREADABLE, file=where, detail="缺少 bundle.json 或 bundle.sha256")]
    index_bytes = _read_capped(zf, by_name[INDEX], MAX_INDEX)
    stated = _read_capped(zf, by_name[CHECKSUM], 1000).decode("ascii", "replace").split()
    actual = hashlib.sha256(index_bytes).hexdigest()
    if not stated or stated[0] != actual:
        return None, [problem(BUNDLE_CHECKSUM, file=where, detail=f"bundle.json 的 sha256 为 {actual[:12]}…，"
                                                              f"校验文件写的是 {(stated or ['（空）'])[0][:12]}…")]
    try:
        index = loads(index_bytes)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return None, [problem(BUNDLE_INDEX_INVALID, file=where, detail=str(exc)[:200])]
    error = _index_error(index)
    if error:
        return None, [problem(BUNDLE_INDEX_INVALID, file=where, detail=error)]
    kind, members = index["kind"], index["members"]
    problems: list[Problem] = []
    listed = {m["path"] for m in members}
    for m in members:
        if not member_path_ok(kind, m["path"]):
            problems.append(problem(BUNDLE_PATH_UNSAFE, file=where, field=m["path"][:200]))
    for name in names:
        if name not in listed and name not in (INDEX, CHECKSUM):
            code = BUNDLE_MEMBER_EXTRA if member_path_ok(kind, name) else BUNDLE_PATH_UNSAFE
            problems.append(problem(code, file=where, field=name[:200]))
    if problems:
        return None, problems
    revisions: dict[str, Revision] = {}
    for m in members:
        info = by_name.get(m["path"])
        if info is None:
            problems.append(problem(BUNDLE_MEMBER_MISSING, file=where, field=m["path"]))
            continue
        try:
            sha, size, data = _stream_hash(zf, info, min(MAX_MEMBER, m["size"]),
                                           m["path"].endswith((".json", ".toml")))
        except _READ_ERRORS as exc:
            problems.append(problem(BUNDLE_MEMBER_HASH, file=where, field=m["path"], detail=str(exc)[:120]))
            continue
        if (sha, size) != (m["sha256"], m["size"]):
            problems.append(problem(BUNDLE_MEMBER_HASH, file=where, field=m["path"],
                                    detail=f"实际 sha256 {sha[:12]}…、{size} 字节"))
            continue
        problems += _check_content(where, kind, m["path"], sha, data, revisions)
    return (None if problems else Checked(path, index, members, revisions, [])), problems


def _check_content(where: str, kind: str, rel: str, sha: str, data: bytes | None,
                   revisions: dict[str, Revision]) -> list[Problem]:
    att = ATT_RE.fullmatch(rel)
    if att:
        if att.group(2) != sha:
            return [problem(BUNDLE_ATTACHMENT_HASH, file=where, field=rel, actual=sha[:12])]
        return []
    raw = RAW_RE.fullmatch(rel)
    if raw:
        iid, rid = raw.groups()
        if data is None:
            return [problem(BUNDLE_RECORD_INVALID, file=where, field=rel, record=iid, detail="文件过大")]
        try:
            doc = loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return [problem(BUNDLE_RECORD_INVALID, file=where, field=rel, record=iid, detail=str(exc)[:200])]
        error = document_error(doc, iid, rid)
        if error:
            return [problem(BUNDLE_RECORD_INVALID, file=where, field=rel, record=iid, detail=error)]
        revisions[rel] = Revision.from_document(doc, rel)
        return []
    if rel.endswith((".toml", ".json")):
        if data is None:
            return [problem(BUNDLE_SETUP_INVALID, file=where, field=rel, detail="文件过大")]
        try:
            if rel.endswith(".toml"):
                tomllib.loads(data.decode("utf-8"))
            elif not isinstance(loads(data), dict):
                raise ValueError("不是 JSON 对象")
        except (ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
            return [problem(BUNDLE_SETUP_INVALID, file=where, field=rel, detail=str(exc)[:200])]
    return []


# ---------------------------------------------------------------- import


@dataclass
class ImportResult:
    kind: str
    added: dict
    skipped: dict
    added_paths: list[str]
    problems: list[Problem]
    conflicts: list[str] = field(default_factory=list)
    project: dict | None = None
    replaced: dict[str, str] = field(default_factory=dict)   # setup file -> where the old one was kept

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "added": self.added, "skipped": self.skipped, "added_paths": self.added_paths,
                "conflicts": self.conflicts, "project": self.project, "replaced": self.replaced,
                "problems": [p.to_dict() for p in self.problems]}


def _category(rel: str) -> str:
    if RAW_RE.fullmatch(rel):
        return "revisions"
    if ATT_RE.fullmatch(rel):
        return "attachments"
    return "setup"


def _empty_counts(kind: str) -> dict:
    return {"records": 0, "revisions": 0, "attachments": 0} if kind == "records" else {"setup": 0}


def _inside(root: Path, rel: str) -> bool:
    """True when every existing parent of ``root/rel`` resolves inside ``root`` (no symlink leads out)."""
    base = root.resolve()
    current = root
    for part in rel.split("/")[:-1]:
        current = current / part
        if os.path.lexists(current):
            try:
                current.resolve().relative_to(base)
            except ValueError:
                return False
    target = root / rel
    return not target.is_symlink()


def _hint(rel: str, local: Path, theirs_rev: Revision | None) -> str:
    if theirs_rev is not None:
        ok, _ = read_revision(local, theirs_rev.instance_id)
        if ok is None:
            return ("项目中的这个文件已损坏：请把它移到项目文件夹以外（保留备份），再重新导入，"
                    "数据包中的完好版本会补上。")
        return "两个同名记录文件内容不同，说明其中一个被改动过：请把两份文件交给项目负责人核对。"
    if rel.startswith("draws/"):
        return "抽样/派员记录从不覆盖：请核对两份记录，确需更换时由项目负责人另起一个编号重新抽样。"
    return ("设置文件（框架、单位名单、调查工具、抽样框或 evalkit.toml）在本机被改过，或项目负责人发来了新版本："
            "如要采用数据包中的版本，请先把本机的文件移到项目文件夹以外（保留备份），再重新导入。")


def import_bundle(root: Path, bundle: Path, *, other_project: bool = False,
                  update_setup: bool = False) -> ImportResult:
    """Verify ``bundle`` completely, then add what the project lacks (see the module docstring).

    ``update_setup``: a setup file (evalkit.toml, framework, units, instrument, frame — never a
    draw or a record) that differs from the bundle's is replaced, the local one kept as
    ``backup/<its sha256[:12]>/<path>``.
    """
    root, bundle = Path(root), Path(bundle)
    checked, problems = check_bundle(bundle)
    if checked is None:
        return ImportResult("", {}, {}, [], problems)
    kind, where = checked.index["kind"], str(bundle)
    theirs = checked.index["project"]
    added, skipped = _empty_counts(kind), _empty_counts(kind)
    result = ImportResult(kind, added, skipped, [], problems, project=theirs)
    ours = project_identity(root)
    if ours is None and (kind == "records" or (root / "evalkit.toml").exists()):
        problems.append(problem(BUNDLE_NOT_PROJECT, file=str(root)))
        return result
    if ours is not None and not same_project(ours, theirs):
        if not other_project:
            problems.append(problem(BUNDLE_OTHER_PROJECT, file=where, theirs=describe(theirs), ours=describe(ours)))
            return result
        problems.append(problem(BUNDLE_OTHER_PROJECT_FORCED, file=where, theirs=describe(theirs),
                                ours=describe(ours)))
    # plan: what is missing, what is already there, what conflicts
    todo: list[dict] = []
    for m in checked.members:
        rel = m["path"]
        if not _inside(root, rel):
            problems.append(problem(BUNDLE_OUTSIDE, file=str(root / rel)))
            continue
        local = root / rel
        if not os.path.lexists(local):
            todo.append(m)
            continue
        try:
            sha = _hash_file(local)[0] if local.is_file() else "（不是文件）"
        except OSError as exc:
            sha = f"（无法读取：{exc.strerror}）"
        if sha == m["sha256"]:
            skipped[_category(rel)] = skipped.get(_category(rel), 0) + 1
        elif update_setup and _replaceable(rel) and local.is_file():
            todo.append({**m, "replace": f"backup/{sha[:12]}/{rel}"})
        else:
            problems.append(problem(BUNDLE_FILE_DIFFERS, file=str(local), ours=sha[:12], theirs=m["sha256"][:12],
                                    hint=_hint(rel, local, checked.revisions.get(rel))))
    incoming = {r.revision_id for r in checked.revisions.values()}
    for rel, rev in sorted(checked.revisions.items()):
        if rev.parent and rev.parent not in incoming and not (root / "raw" / rev.instance_id /
                                                               f"{rev.parent}.json").is_file():
            problems.append(problem(BUNDLE_PARENT_MISSING, file=where, record=rev.instance_id,
                                    field=rev.revision_id, parent=rev.parent))
    if any(p.is_error for p in problems):
        return result
    _place(root, checked, todo, result)
    if kind == "setup" and result.ok:
        for sub in SETUP_DIRS:
            ensure_dir(root / sub)
    if kind == "records":
        result.conflicts = _conflicts(root, checked, problems)
    return result


def _replaceable(rel: str) -> bool:
    return _category(rel) == "setup" and not rel.startswith("draws/")


def _placement_order(checked: Checked, todo: list[dict]) -> list[dict]:
    """Attachments, then revisions parents first, then setup files with evalkit.toml last."""
    rank: dict[str, int] = {}
    by_record: dict[str, list[Revision]] = {}
    for rev in checked.revisions.values():
        by_record.setdefault(rev.instance_id, []).append(rev)
    for iid in sorted(by_record):
        for rev in ordered(by_record[iid]):
            rank[f"raw/{iid}/{rev.revision_id}.json"] = len(rank)

    def key(m: dict) -> tuple:
        rel = m["path"]
        if ATT_RE.fullmatch(rel):
            return (0, 0, rel)
        if rel in rank:
            return (1, rank[rel], rel)
        return (3 if rel == "evalkit.toml" else 2, 0, rel)
    return sorted(todo, key=key)


def _place(root: Path, checked: Checked, todo: list[dict], result: ImportResult) -> None:
    """Stage the missing members inside the project, then link them into place."""
    if not todo:
        return
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    staged: dict[str, Path] = {}
    placed = 0
    current = str(staging)
    try:
        ensure_dir(root)
        staging.mkdir()
        with zipfile.ZipFile(checked.path) as zf:
            for i, m in enumerate(todo):
                target = staging / f"m{i}"
                current = m["path"]
                _extract(zf, m, target, 0o444 if m["path"].startswith(("raw/", "draws/")) else 0o644)
                staged[m["path"]] = target
        fsync_dir(staging)
        new_records = set()
        for m in _placement_order(checked, todo):
            rel = m["path"]
            current = str(root / rel)
            final = root / rel
            raw = RAW_RE.fullmatch(rel)
            if raw and not (root / "raw" / raw.group(1)).exists():
                new_records.add(raw.group(1))
            ensure_dir(final.parent)
            if m.get("replace"):
                _replace_keeping(root, staged[rel], final, m["replace"])
                placed += 1
                result.replaced[rel] = m["replace"]
                result.added_paths.append(rel)
                result.added["setup"] = result.added.get("setup", 0) + 1
                continue
            try:
                link_no_replace(staged[rel], final)
            except FileExistsError:   # another import placed it meanwhile
                if _hash_file(final)[0] != m["sha256"]:
                    raise OSError(f"{final} 同时被写入了不同的内容")
                result.skipped[_category(rel)] = result.skipped.get(_category(rel), 0) + 1
                continue
            fsync_dir(final.parent)
            placed += 1
            result.added_paths.append(rel)
            result.added[_category(rel)] = result.added.get(_category(rel), 0) + 1
        if "records" in result.added:
            result.added["records"] = len(new_records)
    except _READ_ERRORS as exc:
        if "records" in result.added:
            result.added["records"] = len({RAW_RE.fullmatch(p).group(1) for p in result.added_paths
                                           if RAW_RE.fullmatch(p)})
        result.problems.append(problem(BUNDLE_WRITE_FAILED, file=current, placed=placed,
                                       detail=str(exc)[:200]))
    finally:
        for path in staged.values():
            unlink_quietly(path)
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)


def _replace_keeping(root: Path, staged: Path, final: Path, backup_rel: str) -> None:
    """Keep the local file as ``backup_rel`` (a hard link, or a copy), then rename the staged one over it."""
    backup = root / backup_rel
    ensure_dir(backup.parent)
    if not os.path.lexists(backup):
        try:
            os.link(final, backup)
        except OSError:
            shutil.copy2(final, backup)
        fsync_dir(backup.parent)
    if _hash_file(backup)[0][:12] != backup.parent.relative_to(root / "backup").parts[0]:
        raise OSError(f"备份 {backup} 与原文件不符，未替换 {final}")
    os.replace(staged, final)
    fsync_dir(final.parent)


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


def _conflicts(root: Path, checked: Checked, problems: list[Problem]) -> list[str]:
    """Records of the bundle that now have conflicting revisions (their record-conflict warnings added)."""
    out = []
    for iid in sorted({r.instance_id for r in checked.revisions.values()}):
        folder = root / "raw" / iid
        revisions = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            rev, _ = read_revision(path, iid)
            if rev is not None:
                revisions.append(rev)
        if not revisions:
            continue
        view, found = build_view(revisions)
        if view.conflicts:
            out.append(iid)
            problems += [p for p in found if p.code == RECORD_CONFLICT]
    return out


def summary_zh(result: ImportResult) -> str:
    """One Chinese line: what was added and what was already there."""
    a, s = result.added, result.skipped
    if result.kind == "records":
        text = (f"新增 {a.get('records', 0)} 条记录、{a.get('revisions', 0)} 个修订、{a.get('attachments', 0)} 个附件；"
                f"已有而跳过 {s.get('revisions', 0)} 个修订、{s.get('attachments', 0)} 个附件。")
    else:
        text = f"新增 {a.get('setup', 0) - len(result.replaced)} 个设置文件；已有而跳过 {s.get('setup', 0)} 个。"
        if result.replaced:
            text += (f"替换了 {len(result.replaced)} 个有改动的设置文件（" + "、".join(result.replaced)
                     + "），原文件保存在 " + "、".join(result.replaced.values()) + "。")
    if result.conflicts:
        text += f"有 {len(result.conflicts)} 条记录存在冲突的修订，请项目负责人在审核页面核对后以「解决冲突」方式修改。"
    return text


# ---------------------------------------------------------------- settling conflicts


def conflicts(root: Path) -> list[dict]:
    """Every record with conflicting heads: ``{record, unit, instrument, current, heads: [...]}``.

    Each head is ``{revision, who, when, kind, why, answers, deleted}``, oldest first.
    """
    from evalkit.store import Store

    store = Store(root)
    out = []
    for view in store.load()[0]:
        if not view.conflicts:
            continue
        by_id = {r.revision_id: r for r in store.history(view.instance_id)}
        heads = sorted((by_id[h] for h in (*view.conflicts, view.current)), key=Revision.order_key)
        out.append({"record": view.instance_id, "unit": view.unit, "instrument": view.instrument_id,
                    "current": view.current,
                    "heads": [{"revision": r.revision_id, "who": r.who, "when": r.when, "kind": r.kind,
                               "why": r.why, "answers": r.answers, "deleted": r.deleted} for r in heads]})
    return out


def resolve_conflict(root: Path, instance_id: str, keep: str, *, who: str, why: str,
                     now: dt.datetime | None = None) -> Revision:
    """Settle a conflict: a new revision with the answers and attachments of head ``keep``, merging the others.

    ``keep`` may be a unique prefix of the revision id.  ValueError (Chinese) when the record has
    no conflict or ``keep`` is not one of its heads.
    """
    from evalkit.store import Store

    store = Store(root)
    view = store.get(instance_id)
    if view is None:
        raise ValueError(f"找不到记录 {instance_id}。")
    heads = (view.current, *view.conflicts)
    if not view.conflicts:
        raise ValueError(f"记录 {instance_id} 没有冲突的修订，无需解决。")
    chosen = [h for h in heads if h.startswith(str(keep))] if keep else []
    if len(chosen) != 1:
        raise ValueError(f"「{keep}」不是记录 {instance_id} 的冲突修订之一（应为 " + "、".join(heads)
                         + " 之一，可只写前几位）。")
    revision = next(r for r in store.history(instance_id) if r.revision_id == chosen[0])
    return store.edit(instance_id, answers=revision.answers, attachments=list(revision.attachments), who=who,
                      why=why, now=now, resolve=True)

