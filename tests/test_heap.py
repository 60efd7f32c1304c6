"""evalkit.io.heap: the cycle collector paused or kept off what a run has loaded, and given back after."""

from __future__ import annotations

import gc
import importlib
import platform
import weakref

import pytest
from test_rerun import make_project

import evalkit.io.heap as heap
from evalkit.io.heap import frozen_depth, frozen_heap, give_back_free_memory, kept_heap, paused_gc
from evalkit.pipeline import rerun
from evalkit.reports import write_reports

rerun_module = importlib.import_module("evalkit.pipeline.rerun")   # the package's own `rerun` is the function


class Node:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self):
        self.me = self


def test_paused_gc_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it off and left it off
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # not switched on by a block that found it off
    finally:
        gc.enable()


def test_an_inner_frozen_block_thaws_nothing_and_the_outer_one_thaws_all():
    assert frozen_depth() == 0 and gc.get_freeze_count() == 0
    before = []
    with frozen_heap():
        outer = gc.get_freeze_count()
        assert outer > 0 and frozen_depth() == 1
        made_inside = [[i] for i in range(1000)]
        with frozen_heap():
            assert frozen_depth() == 2
            assert gc.get_freeze_count() >= outer + len(made_inside)  # what was made since is frozen too
        assert frozen_depth() == 1
        assert gc.get_freeze_count() >= outer  # the outer block's objects are still left out of the passes
        before.append(gc.get_freeze_count())
    assert frozen_depth() == 0 and gc.get_freeze_count() == 0
    assert before[0] > 0


def test_a_frozen_block_still_frees_cycles_made_inside_it():
    with frozen_heap():
        node = Node()
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
    assert gc.get_freeze_count() == 0


def test_a_rerun_keeps_the_records_frozen_through_the_reports_and_thaws_at_its_end(tmp_path):
    root = tmp_path / "eval"
    make_project(root)
    seen = []

    def reports(*args, **kwargs):
        seen.append((frozen_depth(), gc.get_freeze_count()))
        paths = write_reports(*args, **kwargs)
        seen.append((frozen_depth(), gc.get_freeze_count()))
        return paths

    result = rerun(root, tmp_path / "out", write_reports=reports, use_cache=False)
    assert result.outputs
    (depth_in, frozen_in), (depth_after, frozen_after) = seen
    assert depth_in == 1 and frozen_in > 0  # the reports run with the records out of the collector's passes
    assert depth_after == 1 and frozen_after >= frozen_in  # write_reports' own block thawed nothing
    assert frozen_depth() == 0 and gc.get_freeze_count() == 0  # given back when the rerun ends


def test_a_settled_block_puts_what_it_made_among_the_old_objects_and_they_are_still_collected():
    gc.collect()
    with paused_gc(settle=True):
        made = [[i] for i in range(1000)]
        node = Node()
        gone = weakref.ref(node)
        del node
    assert gc.isenabled() and gc.get_freeze_count() == 0 and frozen_depth() == 0
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(x) in oldest for x in made)   # no pass of the young generations walks them
    assert gone() is not None
    gc.collect()   # a full pass still frees a cycle made in the block
    assert gone() is None


def test_a_settled_block_inside_a_frozen_one_is_thawed_with_it_and_a_foreign_freeze_is_left_alone():
    with frozen_heap():
        outer = gc.get_freeze_count()
        with paused_gc(settle=True):
            made = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= outer + len(made) and frozen_depth() == 1
    assert gc.get_freeze_count() == 0

    gc.freeze()   # frozen by someone else: a settled block thaws none of it
    try:
        foreign = gc.get_freeze_count()
        with paused_gc(settle=True):
            more = [[i] for i in range(10)]
        assert gc.get_freeze_count() >= foreign and gc.isenabled() and more   # nothing thawed
    finally:
        gc.unfreeze()


def _resident_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_free_memory_inside_the_heap_is_given_back():
    """Memory freed in the middle of the C heap (a store's index let go of while the views after it live on) stays
    resident until given back: then it leaves the process, as it must before a fork (evalkit.io.forked)."""
    blocks = [bytearray(1500) for _ in range(40_000)]   # 60 MB in the C heap (above pymalloc's 512 bytes)
    last = bytearray(1500)   # keeps the top of the heap where it is: freeing the others cannot shrink it
    del blocks
    before = _resident_mb()
    assert give_back_free_memory() is True
    assert before - _resident_mb() > 30
    assert len(last) == 1500


def _faults_of_a_fresh_block(size: int) -> int:
    """Minor page faults taken by malloc-ing ``size`` bytes, writing every page of it, and freeing it."""
    import ctypes
    import resource

    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = libc.malloc(size)
    assert block
    ctypes.memset(block, 1, size)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    libc.free(block)
    return faults


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_kept_heap_reuses_a_large_block_freed_where_plain_malloc_maps_fresh_pages_again():
    """64 MB is past glibc's largest mmap threshold (32 MB): plain malloc maps it afresh each time (every page faulted
    in and zeroed again); in a kept heap the second block is the first one's pages, already there."""
    size = 64 << 20
    pages = size // 4096
    _faults_of_a_fresh_block(size)
    assert _faults_of_a_fresh_block(size) > pages // 2    # mapped again: each page faulted in once more
    with kept_heap() as kept:
        assert kept is True
        _faults_of_a_fresh_block(size)                     # the heap grows once
        assert _faults_of_a_fresh_block(size) < pages // 20   # then its pages are reused
    assert _faults_of_a_fresh_block(size) > pages // 2    # glibc's defaults again after the block


def test_kept_heap_sets_glibcs_parameters_and_sets_its_defaults_again(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "_mallopt", lambda: lambda param, value: calls.append((param, value)) or 1)
    with kept_heap() as kept:
        assert kept is True
        assert calls == [(heap.M_MMAP_MAX, 0), (heap.M_TRIM_THRESHOLD, heap.KEPT_FREE)]
    assert calls[2:] == [(heap.M_MMAP_MAX, heap.DEFAULT_MMAP_MAX), (heap.M_TRIM_THRESHOLD, heap.DEFAULT_TRIM_THRESHOLD)]
    calls.clear()
    with kept_heap(False) as kept:   # not asked for: nothing set
        assert kept is False
    monkeypatch.setattr(heap, "_mallopt", lambda: None)   # no glibc: nothing to set
    with kept_heap() as kept:
        assert kept is False
    assert calls == []


@pytest.mark.parametrize("limit", [None, 0])
def test_a_rerun_keeps_the_heap_only_past_its_record_limit_and_gives_the_same_bytes(tmp_path, monkeypatch, limit):
    root = tmp_path / "eval"
    make_project(root)
    plain = rerun(root, tmp_path / "plain", use_cache=False)
    asked = []
    real = rerun_module.kept_heap

    def spy(enabled=True):
        asked.append(enabled)
        return real(enabled)

    monkeypatch.setattr(rerun_module, "kept_heap", spy)
    if limit is not None:
        monkeypatch.setattr(rerun_module, "KEPT_HEAP_RECORDS", limit)
    kept = rerun(root, tmp_path / "kept", use_cache=False)
    assert asked == [limit == 0]   # the demo-sized project is far below the limit; past it (0 here) the heap is kept
    names = sorted(plain.outputs)
    assert names == sorted(kept.outputs)
    for name in names:
        assert (tmp_path / "plain" / name).read_bytes() == (tmp_path / "kept" / name).read_bytes(), name


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_a_rerun_makes_its_matrix_products_on_one_thread_and_gives_the_threads_back(tmp_path):
    """OpenBLAS's threads spin while they wait for work (at a million records 30 s of CPU the free-text child
    needed): a rerun limits BLAS to one thread, and gives back what there was when it ends."""
    root = tmp_path / "eval"
    make_project(root)
    before = _blas_threads()
    assert before   # numpy's BLAS is loaded and seen
    seen = []

    def reports(*args, **kwargs):
        seen.append(_blas_threads())
        return write_reports(*args, **kwargs)

    rerun(root, tmp_path / "out", write_reports=reports, use_cache=False)
    assert seen == [[1] * len(before)]
    assert _blas_threads() == before
