"""The cyclic garbage collector kept off large reads and runs: :func:`paused_gc` and :func:`frozen_heap`.

A province's records are hundreds of thousands of dicts, lists and strings that live to the end of a
run and hold no cycle.  Python's cycle collector would walk them again and again, each time the work
around them makes enough new objects (tuples, rows, keys); at that scale the passes cost more than the
work.  Reference counting still frees everything dropped, at once: only cycles wait.

* :func:`paused_gc` turns the collector off for a block (a read, a validation, a scoring pass) and back
  on after, if it was on (``settle``: what it made put straight among the old objects, without a pass);
* :func:`frozen_heap` moves everything alive into the collector's permanent generation
  (``gc.freeze``) for a block: new objects are still collected, the old ones are no longer walked.
  Blocks nest — an inner block freezes what was made since, and only the outermost one thaws
  (``gc.unfreeze`` is global: without the count an inner block would thaw the outer one's objects).

:func:`give_back_free_memory` returns the C heap's free pages to the system (before a fork, say), and
:func:`kept_heap` has the C heap keep large blocks for reuse while a large run goes on.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# glibc's mallopt parameters (malloc.h) and the defaults mallopt(3) gives for them
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
DEFAULT_TRIM_THRESHOLD, DEFAULT_MMAP_MAX = 128 * 1024, 65536
KEPT_FREE = 512 << 20   # free memory at the top of the heap kept for reuse in a kept_heap block (glibc trims past it)
# past this many records a rerun keeps the C heap (evalkit.pipeline.rerun): at a million records that saved 17–28 % of
# the run; at 100,000 it saves nothing and costs about 100 MB
KEPT_HEAP_RECORDS = 250_000

_lock = threading.Lock()
_depth = 0  # how many frozen_heap blocks are open


@contextmanager
def paused_gc(*, settle: bool = False) -> Iterator[None]:
    """The cyclic garbage collector off while the block runs, and back on after if it was on.

    ``settle``: what the block made is put straight into the collector's oldest generation as it ends
    (:func:`_settle`), for a block that makes objects meant to live long (a store read's records).  Without it,
    the collector's first pass after the block walks every object the block made (the youngest generation
    grew unchecked while it was off): about 0.4 s for a province's records, each time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if settle:
                _settle()
            gc.enable()


def _settle() -> None:
    """Everything the collector tracks moved into its oldest generation without a pass over it
    (``gc.freeze`` then ``gc.unfreeze``); inside a :func:`frozen_heap` block only frozen, to be thawed with
    that block's objects (unfreezing would thaw them now).  Objects frozen by someone else are left alone:
    then nothing is moved."""
    with _lock:
        if _depth:
            gc.freeze()
        elif not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Everything alive now left out of the collector's passes while the block runs; thawed when the
    outermost such block ends."""
    global _depth
    with _lock:
        _depth += 1
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()


def frozen_depth() -> int:
    """How many :func:`frozen_heap` blocks are open (0: nothing is kept frozen by evalkit)."""
    return _depth


def give_back_free_memory() -> bool:
    """The free memory of the C heap given back to the system (glibc's ``malloc_trim(0)``, which also releases free
    pages inside the heap); False where there is no glibc (macOS, Windows, musl) and nothing was done.  Objects
    let go of (a store's index once its views are made) leave free pages that the process would reuse: after an
    ``os.fork`` each page reused is one more copy, as the child still maps the old one (:mod:`evalkit.io.forked`)."""
    trim = _libc("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _libc(name: str):
    """The function ``name`` of the C library this interpreter runs on, or None where it has none."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


@contextmanager
def kept_heap(enabled: bool = True) -> Iterator[bool]:
    """glibc's malloc made to serve every block from its heap and keep up to :data:`KEPT_FREE` of free memory
    there while the block runs (``mallopt``: ``M_MMAP_MAX`` 0, ``M_TRIM_THRESHOLD``); yields whether it was done
    (False where there is no glibc, or not ``enabled``: nothing changed).

    glibc maps each block larger than its mmap threshold (which grows with the blocks freed, up to 32 MB) as memory
    of its own and unmaps it when freed: the next such block is fresh pages again, each one faulted in and zeroed by
    the kernel.  A run over a million records makes such blocks all the time — a unit's draws (rows × draws × 8
    bytes: 240 MB), a repeat group's columns — and spent a third of its time in the kernel doing that (95 s of
    system time in a 296 s rerun).  Served from the heap and kept there, they are reused.  The price is the free
    memory kept (about 100 MB more at 100,000 records, where the blocks stay under the threshold and nothing is
    gained: :func:`evalkit.pipeline.rerun.rerun` asks for it only past :data:`KEPT_HEAP_RECORDS`).  After the block
    the free memory kept is given back (:func:`give_back_free_memory`) and glibc's defaults are set again
    (mallopt(3): at most 65,536 mapped blocks, 128 KB trim threshold; its mmap threshold no longer grows: glibc
    stops that once any of these is set).
    Process-wide, as the collector's settings are; a child forked meanwhile keeps the setting to its end."""
    mallopt = _mallopt() if enabled else None
    if mallopt is None:
        yield False
        return
    mallopt(M_MMAP_MAX, 0)
    mallopt(M_TRIM_THRESHOLD, KEPT_FREE)
    try:
        yield True
    finally:
        mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
        mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
        give_back_free_memory()   # what was kept for reuse is the system's again


@functools.cache
def _mallopt():
    """glibc's ``mallopt`` (int param, int value), or None where the C library is not glibc."""
    import platform  # noqa: PLC0415 - only here

    mallopt = _libc("mallopt") if platform.libc_ver()[0] == "glibc" else None
    if mallopt is not None:
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt
