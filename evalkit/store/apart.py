"""A verified read on two cores: the packs verified in a forked child while this process makes the views.

Verifying a pack (:func:`evalkit.store.reading.read_pack_file` with ``verify``) checks every revision in it
against its hash, the index and its parent, and makes each record's view on the way; a province's pack takes
about 4.5 s, all on one core.  A pack found clean by a full verification may be read as known clean — by its
name, which is the sha256 of its bytes, checked on every read — which makes the very same views from the index
in about 3 s (the rerun's cache relies on this, :mod:`evalkit.pipeline.cache`).  So the packs not known clean
are verified in a child made with ``os.fork`` (:func:`evalkit.io.forked.forked`), without views
(:func:`clean_packs`), while this process reads them as known clean; the read is kept only when the child found
every one of them clean.  Otherwise — a pack with a problem, or a child that gave no answer — the store is read
again the long way, which names every problem: the snapshot is the same either way (:func:`read_apart`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from evalkit.io.forked import can_fork, forked
from evalkit.store.packs import pack_paths
from evalkit.store.reading import Reading, read_pack_file


def clean_packs(raw: Path, paths: list[Path]) -> set[str]:
    """The names of the packs at ``paths`` (in the store at ``raw``) that verify clean: every revision matches its
    hash, the index and its parent, with no problem — as a verified read finds them, without making any view."""
    reading = Reading(raw, True, make_views=False)
    for path in paths:
        read_pack_file(path, reading)
        reading.by_record.clear()
        reading.files.clear()
        reading.blocks.clear()
    return set(reading.clean)


def read_apart(raw: Path, known_clean: frozenset[str], read: Callable[[frozenset[str]], object]):
    """``read(known_clean)`` — a verified read, views made — with the packs in ``raw`` that ``known_clean`` does
    not name verified meanwhile in a forked child and passed to ``read`` as known clean; ``None`` when there is no
    such pack, no ``fork``, or the child did not find every one of them clean: the caller then reads the long way."""
    paths = [path for path in sorted(pack_paths(raw)[0]) if path.name not in known_clean]
    if not paths or not can_fork():
        return None
    names = {path.name for path in paths}
    with forked(lambda: clean_packs(raw, paths), tempfile.gettempdir()) as child:
        if child is None:
            return None
        found = read(known_clean | names)
        ok, clean = child.result()
    return found if ok and clean == names else None
