"""One snapshot of the record store: loose revisions and packs read together, once.

:func:`read_snapshot` takes the set of revisions in ``raw/`` at one moment and builds every
record's view from it.  Packs are listed first and again at the end, so a ``store pack`` that
folds loose files into a pack while the snapshot is taken loses nothing (a loose file that
vanished is in the new pack); a revision found twice (in a pack and still loose after a crash)
counts once.  The snapshot knows its revisions, and their **root hash** (sha256 of the sorted
revision hashes, :func:`evalkit.store.revisions.root_hash`) names the set: packing does not
change it, any added, removed or changed revision does.

Two depths:

* the default (what the forms and pages use) checks every loose file completely and each pack
  file against its name, finds heads from the pack indexes and parses only the current revision
  of each record (checked against its hash);
* ``verify=True`` (what ``evalkit validate``, ``score``, ``check`` and ``rerun`` use through the
  :class:`~evalkit.project.Project`) also checks every packed revision against its hash and the
  index, and every revision against its parent (:mod:`evalkit.store.verify`).

``only`` restricts the snapshot to a recorded set of revisions (``evalkit rerun --verify``
reproduces a run from its manifest's set); revisions of the set that are not found are listed in
:attr:`Snapshot.missing`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from evalkit.io.durable import ID_RE, aware_time
from evalkit.problems import Problem, problem
from evalkit.store.packs import Pack, PackEntry, PackError, pack_paths, read_pack
from evalkit.store.problems import (
    PACK_DAMAGED,
    PACK_STRAY,
    RECORD_DAMAGED,
    RECORD_STRAY,
    STORE_OLD_FORMAT,
)
from evalkit.store.revisions import (
    HASH_RE,
    SCHEMA,
    RecordView,
    Revision,
    chain,
    chain_problems,
    decode,
    make_view,
    ordered,
    parse_revision,
    revision_list,
    root_hash,
    view_from_document,
)
from evalkit.store.verify import entry_mismatch, rule_problems

ATTACHMENTS = "attachments"
PACKS = "packs"


@dataclass
class Snapshot:
    """The records of one read of the store, the problems met, and the revisions they came from."""

    views: list[RecordView]
    problems: list[Problem]
    revisions: frozenset[str]
    missing: tuple[str, ...] = ()      # revisions of ``only`` that were not found
    packs: tuple[str, ...] = ()
    loose: int = 0
    left_out: int = 0                  # revisions found but not in ``only``

    @cached_property
    def root(self) -> str:
        return root_hash(self.revisions)

    def revision_list(self) -> bytes:
        """The sorted revision hashes, one per line (its sha256 is :attr:`root`)."""
        return revision_list(self.revisions)

    def columns(self, *, include_deleted: bool = False) -> dict[str, dict[str, list]]:
        """Per instrument, its current records as columns — ``record``, ``unit``, ``assessor``, ``state``, then
        every top-level answer in first-seen order (None where a record lacks it; a repeat stays a list) —
        ready for ``pandas.DataFrame(columns)``, without a dict per row."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            groups: dict[str, list[RecordView]] = {}
            for v in self.views:
                if include_deleted or not v.deleted:
                    groups.setdefault(v.instrument_id, []).append(v)
            out = {}
            for instrument, views in groups.items():
                answers = [v.answers for v in views]
                cols = {"record": [v.instance_id for v in views], "unit": [v.unit for v in views],
                        "assessor": [v.assessor for v in views], "state": [v.state for v in views]}
                for k in dict.fromkeys(k for a in answers for k in a):
                    cols.setdefault(k, [a.get(k) for a in answers])
                out[instrument] = cols
            return out
        finally:
            if enabled:
                gc.enable()


@dataclass
class _Reading:
    """What has been read so far: revisions by record, the pack blocks they lie in, problems."""

    raw: Path
    verify: bool
    by_record: dict[str, dict[str, Revision | PackEntry]] = field(default_factory=dict)
    blocks: dict[str, list[bytes]] = field(default_factory=dict)   # pack path -> decompressed blocks
    problems: list[Problem] = field(default_factory=list)
    packs: list[str] = field(default_factory=list)
    vanished: bool = False
    old: list[Path] = field(default_factory=list)
    loose: int = 0

    def add(self, item: Revision | PackEntry) -> None:
        self.by_record.setdefault(item.instance_id, {}).setdefault(item.revision_id, item)


def _entries(directory: Path, reading: _Reading) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if not p.name.startswith(".")) if directory.is_dir() else []
    except OSError as exc:
        reading.problems.append(problem(RECORD_DAMAGED, file=str(directory), detail=str(exc)[:200]))
        return []


def _read_pack(path: Path, reading: _Reading) -> None:
    """Add a pack's revisions: by its index when the file matches its name, else those that verify one by one."""
    try:
        pack, data = read_pack(path)
        blocks = pack.read_all(data) if pack.ok else _salvage_blocks(pack, data)
    except FileNotFoundError:
        reading.vanished = True
        return
    except (OSError, PackError) as exc:
        reading.problems.append(problem(PACK_DAMAGED, file=str(path), detail=str(exc)[:200],
                                        salvage="其中的修订都无法读取"))
        return
    reading.packs.append(path.name)
    reading.blocks[str(path)] = blocks
    if pack.ok and reading.verify:
        _verify_entries(pack, blocks, reading)
        return
    if pack.ok:
        for entry in pack.entries:
            reading.add(entry)
        return
    good = bad = 0
    for entry in pack.entries:
        if blocks[entry.block] is None:
            bad += 1
            continue
        revision, found = parse_revision(pack.revision_bytes(entry, blocks), entry.revision_id, entry.path,
                                         canonical=False)
        mismatch = entry_mismatch(entry, revision) if revision is not None else None
        if found is not None or mismatch:
            bad += 1
            reading.problems.append(found or mismatch)
            continue
        good += 1
        reading.add(revision)
    if not pack.ok:
        salvage = f"其中 {good} 个修订与其哈希相符，已照常读取" + (f"，{bad} 个无法采用" if bad else "")
        reading.problems.append(problem(PACK_DAMAGED, file=str(path), detail="文件内容与名称中的 sha256 不符",
                                        salvage=salvage))


def _verify_entries(pack: Pack, blocks: list[bytes], reading: _Reading) -> None:
    """Check every revision of a pack against its hash and the index, and each record's revisions in the
    pack against their parents; keep only the (light) entries of those that verify, record by record."""
    for entries in pack.by_instance.values():
        revisions = []
        for entry in entries:
            revision, found = parse_revision(pack.revision_bytes(entry, blocks), entry.revision_id, entry.path,
                                             entry.instance_id, canonical=False)
            found = found or (entry_mismatch(entry, revision) if revision is not None else None)
            if found is not None:
                reading.problems.append(found)
                continue
            revisions.append(revision)
            reading.add(entry)
        reading.problems.extend(rule_problems(ordered(revisions)))


def _salvage_blocks(pack: Pack, data: bytes) -> list[bytes | None]:
    """The blocks of a damaged pack that still decompress (None for the others)."""
    out: list[bytes | None] = []
    for i in range(len(pack.blocks)):
        try:
            out.append(pack.read_block(i, data))
        except PackError:
            out.append(None)
    return out


def _read_record_folder(folder: Path, reading: _Reading) -> None:
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


def _read_loose(reading: _Reading) -> None:
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
        _read_record_folder(entry, reading)


def read_snapshot(raw: Path, *, only: Iterable[str] | None = None, verify: bool = False) -> Snapshot:
    """Every record of the store at ``raw`` as one snapshot (see the module docstring).

    The cyclic garbage collector is paused while reading: the read makes hundreds of thousands of
    small objects and no cycles, and the collector's repeated passes over them cost more than the
    parsing itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(Path(raw), only, verify)
    finally:
        if enabled:
            gc.enable()


def _read(raw: Path, only: Iterable[str] | None, verify: bool) -> Snapshot:
    reading = _Reading(raw, verify)
    first = set(pack_paths(reading.raw)[0])
    for path in sorted(first):
        _read_pack(path, reading)
    _read_loose(reading)
    for path in sorted(set(pack_paths(reading.raw)[0]) - first):   # packed while we read
        _read_pack(path, reading)
    if reading.old:
        reading.problems.append(problem(STORE_OLD_FORMAT, file=str(reading.old[0]), count=len(reading.old),
                                        project=str(reading.raw.parent)))
    wanted = frozenset(only) if only is not None else None
    if wanted is not None:   # a file that is not one of the recorded revisions did not take part in that read
        reading.problems = [p for p in reading.problems if not _other_revision(p.file, wanted)]
    views, hashes = _views(reading, wanted)
    missing = tuple(sorted(wanted - hashes)) if wanted is not None else ()
    left_out = sum(len(revs) for revs in reading.by_record.values()) - len(hashes)
    views.sort(key=_submitted)
    return Snapshot(views, reading.problems, frozenset(hashes), missing, tuple(reading.packs), reading.loose,
                    left_out)


def _other_revision(file: str | None, wanted: frozenset[str]) -> bool:
    name = Path(file or "").name.removesuffix(".json")
    return bool(HASH_RE.fullmatch(name)) and name not in wanted


def _submitted(view: RecordView) -> tuple:
    """Sort key: when the record was submitted (as a POSIX timestamp: comparing aware datetimes is slow)."""
    try:
        moment = datetime.fromisoformat(view.submitted)   # checked when the revision was read
    except ValueError:
        moment = aware_time(view.submitted, "submitted")
    return (moment.timestamp(), view.instance_id)


def _views(reading: _Reading, wanted: frozenset[str] | None) -> tuple[list[RecordView], set[str]]:
    views: list[RecordView] = []
    hashes: set[str] = set()
    for iid in sorted(reading.by_record):
        items = [r for r in reading.by_record[iid].values() if wanted is None or r.revision_id in wanted]
        if not items:
            continue
        hashes.update(r.revision_id for r in items)
        shape = chain(items)
        view = _fast_view(shape, reading) if isinstance(shape.current, PackEntry) else None
        if view is None:
            current = _revision(shape.current, reading)
            if current is None:
                continue
            view = make_view(shape, current)
        if shape.others or shape.orphans:
            reading.problems.extend(chain_problems(shape, iid))
        if reading.verify:
            reading.problems.extend(_loose_rules(shape.history, reading))
        views.append(view)
    return views, hashes


def _loose_rules(history: list, reading: _Reading) -> list[Problem]:
    """The revision rules of a record's loose revisions (packed ones were checked as their pack was read)."""
    loose = {r.path for r in history if isinstance(r, Revision) and not _in_pack(r)}
    if not loose:
        return []
    full = [r if isinstance(r, Revision) else _revision(r, reading) for r in history]
    return [p for p in rule_problems([r for r in full if r is not None]) if p.file in loose]


def _in_pack(revision: Revision) -> bool:
    return "#" in revision.path


def _fast_view(shape, reading: _Reading) -> RecordView | None:
    """The view straight from a packed current revision whose pack matched its name (None: take the long way)."""
    entry = shape.current
    data = reading.blocks[entry.pack][entry.block][entry.offset:entry.offset + entry.length]
    try:   # the pack's file matched its name: its bytes are the packer's, who checked each revision
        doc = decode(data)
        if doc["schema"] != SCHEMA or doc["instance_id"] != entry.instance_id or doc["kind"] != entry.kind:
            return None
        return view_from_document(doc, shape)
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def _revision(item: Revision | PackEntry, reading: _Reading) -> Revision | None:
    """The current revision itself: a pack entry is read and checked against its hash and index."""
    if isinstance(item, Revision):
        return item
    blocks = reading.blocks[item.pack]
    data = blocks[item.block][item.offset:item.offset + item.length]
    revision, found = parse_revision(data, item.revision_id, item.path, item.instance_id, canonical=False,
                                     trusted=True)
    mismatch = entry_mismatch(item, revision) if revision is not None else None
    if found is not None or mismatch is not None:
        reading.problems.append(found or mismatch)
        return None
    return revision


def record_revisions(raw: Path, instance_id: str,
                     packs: Callable[[], Iterable[Pack]]) -> tuple[list[Revision], list[Path]]:
    """The readable revisions of one record (its loose folder, then the packs ``packs()`` lists) and
    its old-format files.  The packs are listed after the folder is read: a loose file folded into a
    pack meanwhile is then found in the pack."""
    reading = _Reading(Path(raw), False)
    _read_record_folder(Path(raw) / instance_id, reading)
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

