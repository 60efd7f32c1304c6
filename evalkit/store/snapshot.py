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
  of each record (checked against its hash) when its view is made;
* ``verify=True`` (what ``evalkit validate``, ``score``, ``check`` and ``rerun`` use through the
  :class:`~evalkit.project.Project`) also checks every packed revision against its hash and the
  index, and every revision against its parent (:mod:`evalkit.store.verify`); with ``apart`` (``evalkit
  rerun --jobs 2``) the packs are so checked in a forked child while this process makes the views
  (:mod:`evalkit.store.apart`): the same snapshot, sooner on two cores.

Both are lazy: a read lists every revision and every record's history (and, verifying, checks
each revision), but a record's view (its current revision's answers parsed) is made when
:attr:`Snapshot.views` is first asked for, and :meth:`Snapshot.tables` takes a packed record's
row from the tables its pack carries (:mod:`evalkit.store.tables`) without parsing it at all.

``only`` restricts the snapshot to a recorded set of revisions (``evalkit rerun --verify``
reproduces a run from its manifest's set); revisions of the set that are not found are listed in
:attr:`Snapshot.missing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from evalkit.io.heap import paused_gc
from evalkit.problems import Problem, problem
from evalkit.store.apart import read_apart
from evalkit.store.history import Chain, chain, chain_problems, fit_view, make_view, share_texts
from evalkit.store.packs import PackEntry, pack_paths
from evalkit.store.problems import STORE_OLD_FORMAT
from evalkit.store.reading import (
    Reading,
    current_revision,
    fast_view,
    loose_rules,
    read_loose,
    read_pack_file,
    table_problems,
)
from evalkit.store.revisions import HASH_RE, RecordView, revision_list, root_hash
from evalkit.store.tables import combine, frames, put_in_order, record_tables, without

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Snapshot:
    """The records of one read of the store, the problems met, and the revisions they came from."""

    problems: list[Problem]
    revisions: frozenset[str]
    missing: tuple[str, ...] = ()      # revisions of ``only`` that were not found
    packs: tuple[str, ...] = ()
    loose: int = 0
    left_out: int = 0                  # revisions found but not in ``only``
    _reading: Reading | None = field(default=None, repr=False)
    _shapes: dict[str, Chain] = field(default_factory=dict, repr=False)   # record -> its history's shape
    _only: bool = False

    @cached_property
    def views(self) -> list[RecordView]:
        """Every record's view, oldest submission first (made on first use)."""
        with paused_gc(settle=True):   # the views live long: no collector's pass over them as the block ends
            views, later = [], []
            parsed = self._reading.parsed if self._reading is not None else {}
            for shape in self._shapes.values():   # views made as their packs were verified (head_view)
                made = parsed.get(shape.current.revision_id)
                if type(made) is RecordView:
                    del parsed[made.current]
                    views.append(fit_view(made, shape))
                else:
                    later.append(shape)
            held = None   # the others made block by block, each block let go once its records are made
            texts: dict[str, str] = {}   # equal texts of one block's views shared (share_texts)
            for shape in sorted(later, key=_block_of):
                where = _block_of(shape)
                if where != held:
                    if held is not None and held[1] >= 0:
                        self._reading.blocks.pop(held, None)
                    texts = {}
                held = where
                view = self._view(shape)
                shared = False
                if self._reading is not None:   # its parsed revision is not needed again
                    shared = self._reading.parsed.pop(shape.current.revision_id, None) is not None  # shared as parsed
                if view is not None:
                    share_texts(view, texts, answers=not shared)
                    views.append(view)
            put_in_order(views)
            if self._reading is not None:   # what was decompressed and parsed to make them is not needed again
                self._reading.blocks.clear()
                self._reading.parsed.clear()
                if self._reading.verify:   # nor the packs' files (the tables of a verified read come from the views)
                    self._reading.let_go_of_files()
            self._shapes = {}   # the histories are not needed again (fewer objects for the collector to walk)
            return views

    def _view(self, shape: Chain) -> RecordView | None:
        reading = self._reading
        made = reading.parsed.get(shape.current.revision_id)
        if type(made) is RecordView:
            return fit_view(made, shape)
        if isinstance(shape.current, PackEntry) and made is None:
            view = fast_view(shape, reading)
            if view is not None:
                return view
        current = current_revision(shape.current, reading)
        if current is None:   # the problem naming it is in reading.problems, which self.problems is
            return None
        return make_view(shape, current)

    def let_go_of_index(self) -> None:
        """The views made (:attr:`views`), then everything read to make them let go of: each pack's index and file,
        the revisions by record — at province scale some 60 MB that a rerun would carry to its end, and that a child
        forked from it (:mod:`evalkit.io.forked`) would share and come to copy.  The views, the revision hashes
        (:meth:`revision_list`), the problems and which packs were found clean (:attr:`clean_packs`) stay.  For a
        caller that reads no revision again: checking the packs' tables (:meth:`table_problems`) then needs a new
        read of the store."""
        self.views  # noqa: B018 - made from the index first
        if self._reading is not None:
            self._reading.let_go_of_index()

    @property
    def clean_packs(self) -> frozenset[str]:
        """Names of the pack files a verified read found clean (every revision matched its hash, the index
        and its parent; no problem), checked now or known clean by name (``known_clean``)."""
        return frozenset(self._reading.clean) if self._reading is not None and self._reading.verify else frozenset()

    @property
    def record_count(self) -> int:
        """How many records the snapshot holds (without making their views)."""
        return len(self.views) if "views" in self.__dict__ else len(self._shapes)

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
        with paused_gc():
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

    def arrow_tables(self) -> dict[str, pa.Table]:
        """The current, not deleted records as Arrow tables (:mod:`evalkit.store.tables`): a record whose
        every revision lies in one pack that matched its name comes from that pack's tables, the others
        from their views; with hidden columns."""
        with paused_gc():
            return self._arrow_tables()

    def _arrow_tables(self) -> dict[str, pa.Table]:
        reading = self._reading
        parts, covered = [], set()
        if reading is not None and not reading.verify and not self._only and not reading.index_gone:
            for pack, tables in reading.pack_tables():
                mine = {iid for iid, entries in pack.by_instance.items()
                        if iid not in covered and len(reading.by_record.get(iid, ())) == len(entries)}
                others = {iid for iid in pack.by_instance if iid not in mine}
                parts.append(without(tables, others))
                covered |= mine
        if not covered:
            return record_tables(self.views)
        if "views" in self.__dict__:
            rest = [v for v in self.views if v.instance_id not in covered]
        else:
            rest = [v for v in (self._view(s) for iid, s in self._shapes.items() if iid not in covered) if v is not None]
            put_in_order(rest)
        combined = combine([*parts, record_tables(rest)])
        return combined if combined is not None else record_tables(self.views)

    def table_problems(self) -> list[Problem]:
        """Every pack's tables checked against its revisions (``evalkit validate`` and ``evalkit store verify``):
        a problem for each pack whose tables say something else; such a pack's tables are not used again."""
        if self._reading is None:
            return []
        if self._reading.index_gone:   # a caller's mistake, not the store's: a check that cannot be made must not pass
            raise RuntimeError("记录的索引已释放（let_go_of_index），无法再核对记录包中的表格：请重新读取记录库")
        known = {} if self._only else {v.instance_id: v for v in self.views}
        with paused_gc():   # the tables made to compare hold no cycle (evalkit.io.heap)
            found = table_problems(self._reading, known)
        self._reading.untrusted.update(p.file for p in found)
        if "views" in self.__dict__:
            self._reading.blocks.clear()
            if self._reading.verify:
                self._reading.let_go_of_files()
        return found

    def tables(self) -> dict[str, pd.DataFrame]:
        """:meth:`arrow_tables` as pandas DataFrames: ``<instrument>`` one row per record, ``<instrument>/<group>``
        one row per repeat entry (see :mod:`evalkit.store.tables`)."""
        with paused_gc():
            return frames(self.arrow_tables())


def _block_of(shape: Chain) -> tuple[str, int]:
    """Where a record's current revision lies: (pack, block), or ("", -1) when it is a loose file."""
    current = shape.current
    return (current.pack, current.block) if isinstance(current, PackEntry) else ("", -1)


def read_snapshot(raw: Path, *, only: Iterable[str] | None = None, verify: bool = False,
                  known_clean: Iterable[str] = (), apart: bool = False) -> Snapshot:
    """Every record of the store at ``raw`` as one snapshot (see the module docstring).

    ``known_clean``: names of pack files that a full verification found clean before (a rerun's cache,
    :mod:`evalkit.pipeline.cache`).  A pack's name is the sha256 of its bytes, and every pack is checked
    against its name on every read: a pack so named holds the very bytes that verified clean, so its
    revisions are not checked one by one again.  :attr:`Snapshot.clean_packs` names the packs found
    clean by this read.

    ``apart`` (with ``verify``): the packs are verified in a forked child while this process makes the views,
    their views already made when it returns (:mod:`evalkit.store.apart`): the same snapshot, sooner on two cores.

    The cyclic garbage collector is paused while reading: the read makes hundreds of thousands of
    small objects and no cycles, and the collector's repeated passes over them cost more than the
    parsing itself; what is kept is settled among the old objects as the read ends
    (:func:`evalkit.io.heap.paused_gc`), not walked by the collector's next pass.
    """
    with paused_gc(settle=True):
        if verify and apart:
            found = read_apart(Path(raw), frozenset(known_clean), lambda clean: _with_views(raw, only, clean))
            if found is not None:
                return found
        return _read(Path(raw), only, verify, frozenset(known_clean))


def _with_views(raw: Path, only: Iterable[str] | None, known_clean: frozenset[str]) -> Snapshot:
    snapshot = _read(Path(raw), only, True, known_clean)
    snapshot.views  # noqa: B018 - made while the child verifies
    return snapshot


def _read(raw: Path, only: Iterable[str] | None, verify: bool, known_clean: frozenset[str]) -> Snapshot:
    reading = Reading(raw, verify, known_clean=known_clean)
    first = set(pack_paths(reading.raw)[0])
    for path in sorted(first):
        read_pack_file(path, reading)
    read_loose(reading)
    for path in sorted(set(pack_paths(reading.raw)[0]) - first):   # packed while we read
        read_pack_file(path, reading)
    if reading.old:
        reading.problems.append(problem(STORE_OLD_FORMAT, file=str(reading.old[0]), count=len(reading.old),
                                        project=str(reading.raw.parent)))
    wanted = frozenset(only) if only is not None else None
    if wanted is not None:   # a file that is not one of the recorded revisions did not take part in that read
        reading.problems = [p for p in reading.problems if not _other_revision(p.file, wanted)]
    shapes, hashes = _shapes(reading, wanted)
    missing = tuple(sorted(wanted - hashes)) if wanted is not None else ()
    left_out = sum(len(revs) for revs in reading.by_record.values()) - len(hashes)
    snapshot = Snapshot(reading.problems, frozenset(hashes), missing, tuple(reading.packs), reading.loose, left_out,
                        reading, shapes, wanted is not None)
    if wanted is not None:
        snapshot.views  # noqa: B018 - a recorded set: every record parsed now
    return snapshot


def _other_revision(file: str | None, wanted: frozenset[str]) -> bool:
    name = Path(file or "").name.removesuffix(".json")
    return bool(HASH_RE.fullmatch(name)) and name not in wanted


def _shapes(reading: Reading, wanted: frozenset[str] | None) -> tuple[dict[str, Chain], set[str]]:
    """Every record's history shape (by record id), with its orphan and conflict problems (and, verifying,
    its loose revisions' rules), and the hashes of the revisions taken."""
    shapes: dict[str, Chain] = {}
    hashes: set[str] = set()
    records = reading.by_record
    for iid in sorted(records):
        mine = records[iid]   # revision id -> the revision (or its pack entry)
        if wanted is None:
            items = list(mine.values())
            hashes.update(mine)
        else:
            items = [r for r in mine.values() if r.revision_id in wanted]
            if not items:
                continue
            hashes.update(r.revision_id for r in items)
        shape = chain(items)
        if shape.others or shape.orphans:
            reading.problems.extend(chain_problems(shape, iid))
        if reading.verify and reading.loose:   # no loose revision read: every rule was checked with its pack
            reading.problems.extend(loose_rules(shape.history, reading))
        shapes[iid] = shape
    return shapes, hashes
