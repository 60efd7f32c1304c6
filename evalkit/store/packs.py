"""Packs: immutable files that hold many revisions, for fast reading (``evalkit store pack``).

A pack lies in ``raw/packs/pack-<sha256>.pack``, named by the sha256 of the whole file::

    evalkit.pack/1\\n
    <header: compact JSON>\\n
    <index block><data block 0><data block 1>…<table 0><table 1>…

The header says ``format``, ``compression`` (``zstd``), the number of ``revisions`` and ``records``,
the ``root`` hash of its revisions and where the index, every data block and every table lie in the
body (offset and size, from the end of the header line; ``tables`` also names each).  Each block and
each table is one zstd frame.  The index holds one
line per revision, ``<hash> <record> <parent|-> <merges,…|-> <when> <kind> <block> <offset>
<length>``, records in id order and each record's revisions parents first; a data block holds the
canonical bytes of whole records' revisions one after the other (about 1 MiB per block).

The tables are the records' current state as columns (:mod:`evalkit.store.tables`: one Arrow IPC
stream per instrument and per repeat group), made by the packer from the same revisions' views.

Why this format: the canonical bytes are what a revision's hash is computed over, so they must be
kept byte for byte; JSON lines in zstd frames keep exactly those bytes, decompress at about
1 GB/s, and let one record be read by decompressing one block.  The index lets a reader find
every record's heads without parsing a single revision.  Parsing 100,000 current revisions into
Python objects is the floor of a row layout (about 3 s here), so the pack also carries the
columnar copy: a read into tables decompresses the tables and hands Arrow's columns to pandas
(about a second for a province) and parses no revision.  The copy is derived and never trusted
alone: it is read only from a pack whose file matches its name (the packer wrote both from checked
revisions), a full verification reads the canonical bytes instead, and a record that has revisions
outside the pack comes from its views.  Parquet would add a second container format for no gain
over Arrow's own stream; SQLite is a mutable database file, not an object that can be named by
its hash.

Reading checks the whole file against its name (one sha256 of the compressed bytes); a pack
that fails is reported and what can still be verified revision by revision is salvaged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import zstandard

from evalkit.store.history import chain, ordered, view_from_document
from evalkit.store.revisions import RecordView, Revision, decode, root_hash
from evalkit.store.tables import decode_table, encode_tables, put_in_order, record_tables

PACK_FORMAT = "evalkit.pack/1"
MAGIC = PACK_FORMAT.encode("ascii") + b"\n"
PACKS = "packs"
PACK_RE = re.compile(r"pack-([0-9a-f]{64})\.pack")
BLOCK_SIZE = 1 << 20
LEVEL = 3
MAX_HEADER = 1 << 24


class PackError(ValueError):
    """A pack that cannot be read; the message says what is wrong (Chinese)."""


class PackEntry(NamedTuple):
    """Where one revision lies in a pack, with what the index says of it (a tuple: a pack holds many)."""

    revision_id: str
    instance_id: str
    parent: str | None
    merges: tuple[str, ...]
    when: str
    kind: str
    block: int
    offset: int
    length: int
    pack: str

    @property
    def path(self) -> str:
        return f"{self.pack}#{self.revision_id}"


@dataclass
class Pack:
    """A pack's header and index; blocks are read from the file when asked for."""

    path: Path
    header: dict
    entries: list[PackEntry]
    body: int                      # where the body starts in the file
    blocks: list[tuple[int, int]]  # (offset, size) of each data block in the body
    ok: bool = True                # the file's sha256 equals its name

    @property
    def name_hash(self) -> str:
        return PACK_RE.fullmatch(self.path.name).group(1)

    def matches(self, data: bytes) -> bool:
        """Whether ``data``, the pack's whole file, has the sha256 its name says."""
        return hashlib.sha256(data).hexdigest() == self.name_hash

    @cached_property
    def by_instance(self) -> dict[str, list[PackEntry]]:
        out: dict[str, list[PackEntry]] = {}
        for e in self.entries:
            out.setdefault(e.instance_id, []).append(e)
        return out

    def read_block(self, i: int, data: bytes | None = None) -> bytes:
        """Data block ``i``, decompressed (from ``data``, the whole file, when given)."""
        offset, size = self.blocks[i]
        start = self.body + offset
        if data is None:
            with open(self.path, "rb") as fh:
                raw = os.pread(fh.fileno(), size, start)
        else:
            raw = data[start:start + size]
        return _decompress(raw, f"数据块 {i}")

    def read_all(self, data: bytes) -> list[bytes]:
        """Every data block of the whole file ``data``, decompressed (two threads)."""
        if len(self.blocks) < 4:
            return [self.read_block(i, data) for i in range(len(self.blocks))]
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda i: self.read_block(i, data), range(len(self.blocks))))

    @property
    def table_names(self) -> list[str]:
        return [t[0] for t in self.header.get("tables", ())]

    def read_tables(self, data: bytes) -> dict[str, pa.Table]:
        """The tables the pack carries (:mod:`evalkit.store.tables`), from the whole file ``data``;
        PackError / ValueError when one cannot be read."""
        out = {}
        for name, offset, size in self.header.get("tables", ()):
            start = self.body + int(offset)
            out[str(name)] = decode_table(_decompress(data[start:start + int(size)], f"表 {name}"))
        return out

    def revision_bytes(self, entry: PackEntry, blocks: list[bytes]) -> bytes:
        return blocks[entry.block][entry.offset:entry.offset + entry.length]


def _decompress(raw: bytes, what: str) -> bytes:
    try:
        return zstandard.ZstdDecompressor().decompress(raw)
    except zstandard.ZstdError as exc:
        raise PackError(f"{what}无法解压（{exc}）") from None


def _compress(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=LEVEL, write_checksum=False).compress(data)


# ---------------------------------------------------------------- reading


def parse_pack(path: Path, data: bytes) -> Pack:
    """The header and index of the pack file ``data``; PackError when they cannot be read."""
    match = PACK_RE.fullmatch(path.name)
    if match is None:
        raise PackError("文件名不是 pack-<sha256>.pack")
    if not data.startswith(MAGIC):
        raise PackError(f"不是 {PACK_FORMAT} 格式的记录包")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    if end < 0:
        raise PackError("缺少包头")
    try:
        header = json.loads(data[len(MAGIC):end].decode("utf-8"))
        index_at = header["index"]
        blocks = [(int(o), int(s)) for o, s in header["blocks"]]
        if header.get("format") != PACK_FORMAT or header.get("compression") != "zstd":
            raise ValueError("格式或压缩方式不符")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise PackError(f"包头无法读取（{exc}）") from None
    body = end + 1
    try:
        text = _decompress(data[body + int(index_at[0]):body + int(index_at[0]) + int(index_at[1])], "索引")
        entries = _entries(text.decode("ascii"), str(path), len(blocks))
    except (ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise PackError(f"索引无法读取（{str(exc)[:120]}）") from None
    return Pack(path, header, entries, body, blocks)


_ENTRY = tuple.__new__   # a PackEntry made from its ten fields without the named tuple's __new__ (a Python call)


def _entries(text: str, where: str, nblocks: int) -> list[PackEntry]:
    """The index's lines as entries.  Equal texts of neighbouring lines are one string: a record's id (its
    revisions' lines follow one another), a parent named by the line before (the usual chain) and the kind
    (a province's index is 196,090 lines: some 30 MB less than a string per field of each)."""
    out: list[PackEntry] = []
    append, kinds = out.append, {}
    kind_of = kinds.setdefault
    last_rid = last_iid = ""
    for line in text.splitlines():
        rid, iid, parent, merges, when, kind, block, offset, length = line.split(" ")
        b = int(block)
        if not 0 <= b < nblocks:
            raise ValueError(f"修订 {rid[:16]} 的数据块 {b} 不存在")
        if iid == last_iid:
            iid = last_iid
        append(_ENTRY(PackEntry, (rid, iid, None if parent == "-" else last_rid if parent == last_rid else parent,
                                  () if merges == "-" else tuple(merges.split(",")), when, kind_of(kind, kind),
                                  b, int(offset), int(length), where)))
        last_rid, last_iid = rid, iid
    return out


def read_pack(path: Path) -> tuple[Pack, bytes]:
    """The pack at ``path`` and its whole file; ``Pack.ok`` says whether the file's sha256 equals its name.

    OSError when the file cannot be read, PackError when its header or index cannot.
    """
    data = Path(path).read_bytes()
    pack = parse_pack(Path(path), data)
    pack.ok = pack.matches(data)
    return pack, data


_CACHE: dict[str, tuple[tuple, Pack]] = {}
_CACHE_LOCK = threading.Lock()


def cached_pack(path: Path) -> Pack:
    """:func:`read_pack` remembered for as long as the file is unchanged (packs are immutable; the
    forms look single records up in them).  OSError / PackError as :func:`read_pack`."""
    st = os.stat(path)
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        hit = _CACHE.get(str(path))
    if hit is not None and hit[0] == key:
        return hit[1]
    pack, _ = read_pack(path)
    with _CACHE_LOCK:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[str(path)] = (key, pack)
    return pack


def pack_paths(raw: Path) -> tuple[list[Path], list[Path]]:
    """(packs, stray files) in ``raw/packs/``, sorted; hidden temp files are skipped."""
    folder = Path(raw) / PACKS
    try:
        names = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []
    except OSError:
        return [], []
    packs = [p for p in names if PACK_RE.fullmatch(p.name) and p.is_file()]
    return packs, [p for p in names if p not in packs]


# ---------------------------------------------------------------- writing


def build_pack(items: Iterable[tuple[Revision, bytes]]) -> bytes:
    """The bytes of a pack holding ``items`` (each revision with its canonical bytes), deterministically."""
    by_record: dict[str, dict[str, tuple[Revision, bytes]]] = {}
    for rev, data in items:
        by_record.setdefault(rev.instance_id, {})[rev.revision_id] = (rev, data)
    lines: list[str] = []
    blocks: list[bytes] = []
    current: list[bytes] = []
    size = 0
    for iid in sorted(by_record):
        revs = by_record[iid]
        for rev in ordered(r for r, _ in revs.values()):
            data = revs[rev.revision_id][1]
            lines.append(" ".join((rev.revision_id, iid, rev.parent or "-", ",".join(rev.merges) or "-", rev.when,
                                   rev.kind, str(len(blocks)), str(size), str(len(data)))))
            current.append(data)
            size += len(data)
        if size >= BLOCK_SIZE:
            blocks.append(b"".join(current))
            current, size = [], 0
    if current:
        blocks.append(b"".join(current))
    tables = encode_tables(record_tables(_views(by_record)))
    parts = [_compress(("\n".join(lines) + "\n").encode("ascii"))] + [_compress(b) for b in blocks]
    parts += [_compress(t) for t in tables.values()]
    offsets, at = [], 0
    for part in parts:
        offsets.append([at, len(part)])
        at += len(part)
    header = {"format": PACK_FORMAT, "compression": "zstd", "revisions": len(lines), "records": len(by_record),
              "root": root_hash(line.split(" ", 1)[0] for line in lines), "index": offsets[0],
              "blocks": offsets[1:1 + len(blocks)],
              "tables": [[name, *at] for name, at in zip(tables, offsets[1 + len(blocks):], strict=True)]}
    head = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("ascii")
    return MAGIC + head + b"\n" + b"".join(parts)


def _views(by_record: dict[str, dict[str, tuple[Revision, bytes]]]) -> list[RecordView]:
    """The view of every record of a pack from its revisions there, oldest submission first (the order of
    :attr:`evalkit.store.Snapshot.views`)."""
    views = []
    for revs in by_record.values():
        shape = chain(r for r, _ in revs.values())
        views.append(view_from_document(decode(revs[shape.current.revision_id][1]), shape))
    put_in_order(views)
    return views


def pack_name(data: bytes) -> str:
    return f"pack-{hashlib.sha256(data).hexdigest()}.pack"
