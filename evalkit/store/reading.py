"""Reading the record store's files into one set of revisions: packs (checked against their names,
their tables kept), loose revision files, and — for a full verification — every packed revision
against its hash, the index and its parent.  :mod:`evalkit.store.snapshot` makes the snapshot.

Pack blocks are decompressed when a revision in them is first needed: a read that only wants the
tables a pack carries (:mod:`evalkit.store.tables`) decompresses none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from evalkit.io.durable import ID_RE
from evalkit.problems import Problem, problem
from evalkit.store.history import chain, head_view, linear, make_view, ordered, share_answers, view_from_document
from evalkit.store.packs import Pack, PackEntry, PackError, pack_paths, read_pack
from evalkit.store.problems import PACK_DAMAGED, PACK_STRAY, RECORD_DAMAGED, RECORD_STRAY
from evalkit.store.revisions import (
    HASH_RE,
    SCHEMA,
    RecordView,
    Revision,
    checked,
    decode,
    parse_revision,
    revision_hash,
    revision_of,
)
from evalkit.store.tables import put_in_order, record_tables
from evalkit.store.verify import entry_mismatch, rule_problems

ATTACHMENTS = "attachments"
PACKS = "packs"


@dataclass
class Reading:
    """What has been read so far: revisions by record, the pack blocks they lie in, problems."""

    raw: Path
    verify: bool
    by_record: dict[str, dict[str, Revision | PackEntry]] = field(default_factory=dict)
    files: dict[str, tuple[Pack, bytes | None]] = field(default_factory=dict)   # pack path -> its index and file
    # (None: let go of, read again when needed, :meth:`let_go_of_files`)
    blocks: dict[tuple[str, int], bytes | None] = field(default_factory=dict)   # decompressed, when needed
    problems: list[Problem] = field(default_factory=list)
    packs: list[str] = field(default_factory=list)
    vanished: bool = False
    old: list[Path] = field(default_factory=list)
    loose: int = 0
    parsed: dict[str, Revision | RecordView] = field(default_factory=dict)   # packed heads checked, answers parsed, texts
    # shared: as revisions, or already as the record's view (:func:`~evalkit.store.history.head_view`)
    untrusted: set[str] = field(default_factory=set)   # packs whose tables disagree with their revisions
    known_clean: frozenset[str] = frozenset()   # names of packs a full verification found clean before
    clean: set[str] = field(default_factory=set)   # names of packs verified clean (now, or before by name)
    index_gone: bool = False   # let go of (:meth:`let_go_of_index`): no revision can be read again
    make_views: bool = True   # verifying, make the records' views as well (False: only find which packs are clean)

    def add(self, item: Revision | PackEntry) -> None:
        self.add_all(item.instance_id, (item,))

    def add_all(self, instance_id: str, items: Iterable[Revision | PackEntry]) -> None:
        """``items``, revisions of one record, added (a revision already there stays as it is)."""
        mine = self.by_record.setdefault(instance_id, {})
        for item in items:
            mine.setdefault(item.revision_id, item)

    def revision_bytes(self, entry: PackEntry) -> bytes | None:
        """The canonical bytes of a packed revision (its block decompressed on first use; None when it cannot be)."""
        key = (entry.pack, entry.block)
        if key not in self.blocks:
            pack, data = self.pack_file(entry.pack)
            try:
                if data is None:
                    raise PackError("记录包已无法读取")
                self.blocks[key] = pack.read_block(entry.block, data)
            except PackError:
                self.blocks[key] = None
        block = self.blocks[key]
        return None if block is None else block[entry.offset:entry.offset + entry.length]

    def pack_file(self, path: str) -> tuple[Pack, bytes | None]:
        """The pack at ``path`` and its whole file, read again if it was let go of (:meth:`let_go_of_files`); None
        when the file can no longer be read or no longer matches its name."""
        pack, data = self.files[path]
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError:
                return pack, None
            if not pack.matches(data):
                return pack, None
            self.files[path] = (pack, data)
        return pack, data

    def let_go_of_index(self) -> None:
        """Let go of every revision read (the packs' indexes, the revisions by record) and of the packs' files and
        blocks, once the records' views are made and nothing will read a revision again; :attr:`index_gone` is
        then True.  The problems, the packs' names and which of them were found clean stay."""
        self.by_record, self.files, self.blocks, self.parsed = {}, {}, {}, {}
        self.index_gone = True

    def let_go_of_files(self) -> None:
        """Let go of the files of the packs that matched their names (a province's is about 70 MB): read again
        only if needed (a pack's tables checked against its revisions), and checked against the name again.  A
        pack that did not match keeps its file: what was salvaged from it came from those bytes."""
        self.files = {path: (pack, None if pack.ok else data) for path, (pack, data) in self.files.items()}

    def drop_blocks_before(self, pack: str, block: int) -> None:
        """Let go of the decompressed blocks of ``pack`` before ``block`` (they are decompressed again if
        needed later)."""
        for key in [k for k in self.blocks if k[0] == pack and k[1] < block]:
            del self.blocks[key]

    def pack_tables(self) -> list[tuple[Pack, dict[str, pa.Table]]]:
        """The tables of every pack that carries them and matched its name (a pack whose tables cannot be
        read is left out: the records' views stand in)."""
        out = []
        for path, (pack, _) in list(self.files.items()):
            if pack.ok and pack.table_names and str(pack.path) not in self.untrusted:
                data = self.pack_file(path)[1]
                if data is None:
                    continue
                try:
                    out.append((pack, pack.read_tables(data)))
                except (PackError, ValueError):
                    continue
        return out


def _entries(directory: Path, reading: Reading) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if not p.name.startswith(".")) if directory.is_dir() else []
    except OSError as exc:
        reading.problems.append(problem(RECORD_DAMAGED, file=str(directory), detail=str(exc)[:200]))
        return []


def read_pack_file(path: Path, reading: Reading) -> None:
    """Add a pack's revisions: by its index when the file matches its name, else those that verify one by one."""
    try:
        pack, data = read_pack(path)
    except FileNotFoundError:
        reading.vanished = True
        return
    except (OSError, PackError) as exc:
        reading.problems.append(problem(PACK_DAMAGED, file=str(path), detail=str(exc)[:200],
                                        salvage="其中的修订都无法读取"))
        return
    reading.packs.append(path.name)
    reading.files[str(path)] = (pack, data)
    if pack.ok and reading.verify and path.name not in reading.known_clean:
        before = len(reading.problems)
        _verify_entries(pack, reading)
        if len(reading.problems) == before:
            reading.clean.add(path.name)
        return
    if pack.ok and reading.verify:   # its bytes match its name, and a file of that name verified clean before
        reading.clean.add(path.name)
    if pack.ok:
        for entry in pack.entries:
            reading.add(entry)
        return
    good = bad = 0
    for entry in pack.entries:
        data = reading.revision_bytes(entry)
        if data is None:
            bad += 1
            continue
        revision, found = parse_revision(data, entry.revision_id, entry.path, canonical=False)
        mismatch = entry_mismatch(entry, revision) if revision is not None else None
        if found is not None or mismatch:
            bad += 1
            reading.problems.append(found or mismatch)
            continue
        good += 1
        reading.add(revision)
    salvage = f"其中 {good} 个修订与其哈希相符，已照常读取" + (f"，{bad} 个无法采用" if bad else "")
    reading.problems.append(problem(PACK_DAMAGED, file=str(path), detail="文件内容与名称中的 sha256 不符",
                                    salvage=salvage))


def _verify_entries(pack: Pack, reading: Reading) -> None:
    """Check every revision of a pack against its hash and the index, and each record's revisions in the
    pack against their parents; keep only the (light) entries of those that verify, record by record.

    A revision is decoded with its answers left as raw JSON (:func:`~evalkit.store.revisions.checked`): the
    rules compare them as bytes, and only the record's head is parsed, its equal texts shared
    (:func:`~evalkit.store.history.share_answers`), for its record's view — made at once for a record whose
    revisions form one chain (:func:`~evalkit.store.history.head_view`), else the last revision kept for it.
    Blocks are decompressed as the records reach them and let go once the records have passed them (a
    pack's records lie in block order): the whole pack is never held decompressed."""
    name = str(pack.path)
    block, texts, times = -1, {}, set()
    problems, parsed = reading.problems, reading.parsed
    for iid, entries in pack.by_instance.items():
        if entries[0].block != block:   # equal texts shared, and valid times known, within a block
            block, texts, times = entries[0].block, {}, set()
            reading.drop_blocks_before(name, block)
        good: list = []
        kept: list[PackEntry] = []
        long = False   # a revision accepted the long way (a Revision, not a Checked)
        for entry in entries:
            data = reading.revision_bytes(entry)
            rid = entry.revision_id
            document = checked(data, rid, entry.path, iid, times) if revision_hash(data) == rid else None
            if document is None:   # the long way names what is wrong (or accepts what the short one does not)
                document, found = parse_revision(data, rid, entry.path, iid, canonical=False)
                if found is not None:
                    problems.append(found)
                    continue
            mismatch = entry_mismatch(entry, document)
            if mismatch is not None:
                problems.append(mismatch)
                continue
            good.append(document)
            kept.append(entry)
            long = long or type(document) is Revision
        if not good:
            continue
        reading.add_all(iid, kept)
        if long:   # compare like with like
            good = [d if isinstance(d, Revision) else revision_of(d) for d in good]
        line = linear(good)
        problems.extend(rule_problems(line or ordered(good)))
        if not reading.make_views:
            continue
        if line is not None and not long:   # the usual record: its view made now (its head's bytes let go at once)
            if line is not good:   # the index's entries in the chain's order
                kept = list(map(dict(zip(map(id, good), kept)).__getitem__, map(id, line)))
            view = head_view(line, kept, texts)
            parsed[view.current] = view
            continue
        last = good[-1]   # the head, as a rule: its answers parsed now, its bytes let go at once
        last = last if isinstance(last, Revision) else revision_of(last)
        share_answers(last.answers, texts)
        parsed[last.revision_id] = last   # shared: every revision in ``parsed`` has its texts shared


def read_record_folder(folder: Path, reading: Reading) -> None:
    for path in _entries(folder, reading):
        stem = path.name.removesuffix(".json")
        if path.suffix == ".json" and ID_RE.fullmatch(stem):
            reading.old.append(path)
            continue
        if not (path.suffix == ".json" and HASH_RE.fullmatch(stem) and path.is_file()):
            reading.problems.append(problem(RECORD_STRAY, file=str(path), record=folder.name))
            continue
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            reading.vanished = True   # folded into a pack meanwhile
            continue
        except OSError as exc:
            reading.problems.append(problem(RECORD_DAMAGED, file=str(path), record=folder.name,
                                            detail=str(exc)[:200]))
            continue
        revision, found = parse_revision(data, stem, str(path), folder.name)
        if found is not None:
            reading.problems.append(found)
        else:
            reading.loose += 1
            reading.add(revision)


def read_loose(reading: Reading) -> None:
    for entry in _entries(reading.raw, reading):
        if entry.name == ATTACHMENTS and entry.is_dir():
            continue
        if entry.name == PACKS and entry.is_dir():
            for stray in pack_paths(reading.raw)[1]:
                reading.problems.append(problem(PACK_STRAY, file=str(stray)))
            continue
        if not (ID_RE.fullmatch(entry.name) and entry.is_dir()):
            reading.problems.append(problem(RECORD_STRAY, file=str(entry)))
            continue
        read_record_folder(entry, reading)


def loose_rules(history: list, reading: Reading) -> list[Problem]:
    """The revision rules of a record's loose revisions (packed ones were checked as their pack was read)."""
    loose = {r.path for r in history if isinstance(r, Revision) and not _in_pack(r)}
    if not loose:
        return []
    full = [r if isinstance(r, Revision) else current_revision(r, reading) for r in history]
    return [p for p in rule_problems([r for r in full if r is not None]) if p.file in loose]


def _in_pack(revision: Revision) -> bool:
    return "#" in revision.path


def fast_view(shape, reading: Reading) -> RecordView | None:
    """The view straight from a packed current revision whose pack matched its name (None: take the long way)."""
    entry = shape.current
    data = reading.revision_bytes(entry)
    if data is None:
        return None
    try:   # the pack's file matched its name: its bytes are the packer's, who checked each revision
        doc = decode(data)
        if doc["schema"] != SCHEMA or doc["instance_id"] != entry.instance_id or doc["kind"] != entry.kind:
            return None
        return view_from_document(doc, shape)
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def current_revision(item: Revision | PackEntry, reading: Reading) -> Revision | None:
    """The current revision itself: a pack entry is read and checked against its hash and index."""
    if isinstance(item, Revision):
        return item
    found = reading.parsed.get(item.revision_id)
    if type(found) is Revision:   # (a view made as its pack was verified: the revision read again)
        return found
    data = reading.revision_bytes(item)
    if data is None:
        return None
    revision, found = parse_revision(data, item.revision_id, item.path, item.instance_id, canonical=False,
                                     trusted=True)
    mismatch = entry_mismatch(item, revision) if revision is not None else None
    if found is not None or mismatch is not None:
        reading.problems.append(found or mismatch)
        return None
    return revision


def table_problems(reading: Reading, known: Mapping[str, RecordView]) -> list[Problem]:
    """Each pack's tables against the tables of its records' current revisions there (a pack rewritten and
    renamed by hand could otherwise show one thing in its tables and hold another in its revisions).

    ``known``: views already made from the whole store, by record, in their order (:func:`order_key`); a record
    whose every revision lies in the pack has the same view from the pack alone, so only the others are parsed
    again."""
    found = []
    rank = {iid: i for i, iid in enumerate(known)} if known else {}   # the views' own order (as order_key sorts them)
    for pack, tables in reading.pack_tables():
        views, others = [], False
        for iid, entries in pack.by_instance.items():
            if iid in known and len(reading.by_record.get(iid, ())) == len(entries):
                views.append(known[iid])
                continue
            others = True
            shape = chain(entries)
            current = current_revision(shape.current, reading)
            if current is None:
                break
            views.append(make_view(shape, current))
        else:
            if others:
                put_in_order(views)
            else:   # every view already in order: their ranks give the same order without a time parsed
                views = list(map(known.__getitem__, sorted(pack.by_instance, key=rank.__getitem__)))
            expected = record_tables(views)
            wrong = sorted(n for n in set(tables) | set(expected)
                           if n not in tables or n not in expected or not tables[n].equals(expected[n], check_metadata=True))
            if not wrong:
                continue
            found.append(problem(PACK_DAMAGED, file=str(pack.path), detail="表「" + "」「".join(wrong[:5]) +
                                 "」与包中的修订内容不符", salvage="已改用修订本身，不用这些表"))
    return found


def record_revisions(raw: Path, instance_id: str,
                     packs: Callable[[], Iterable[Pack]]) -> tuple[list[Revision], list[Path]]:
    """The readable revisions of one record (its loose folder, then the packs ``packs()`` lists) and
    its old-format files.  The packs are listed after the folder is read: a loose file folded into a
    pack meanwhile is then found in the pack."""
    reading = Reading(Path(raw), False)
    read_record_folder(Path(raw) / instance_id, reading)
    for pack in packs():
        entries = pack.by_instance.get(instance_id, ())
        if not entries:
            continue
        try:
            blocks = {i: pack.read_block(i) for i in {e.block for e in entries}}
        except (OSError, PackError):
            continue
        for entry in entries:
            revision, found = parse_revision(blocks[entry.block][entry.offset:entry.offset + entry.length],
                                             entry.revision_id, entry.path, instance_id, canonical=False)
            if found is None and entry_mismatch(entry, revision) is None:
                reading.add(revision)
    revisions = list(reading.by_record.get(instance_id, {}).values())
    return revisions, reading.old

