"""Work done in a forked child process while this one goes on: :func:`forked`.

A rerun is Python stepping through every answer of every record, one core at a time; the machine it runs
on has two.  A child made with ``os.fork`` is a copy of this process: it sees every record already read
without reading or sending anything, does one piece of work that needs nothing this process does after
the fork, and hands its result back pickled in a file.  This process goes on meanwhile and takes the
result when it needs it (:meth:`Forked.result`).

The child only computes and writes its own files: it leaves through ``os._exit`` (no ``atexit``
handlers, no buffered output written twice), and whatever it raises comes back as text.  When the
child cannot give a result — it failed, was killed, or this system has no ``fork`` (Windows) —
:meth:`Forked.result` says so and the caller does the work itself: the outputs are the same either way,
only slower.  Leaving the block stops a child still running and removes its file.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from evalkit.io.heap import give_back_free_memory

STALL = 60.0  # seconds without CPU time after which a child is taken for stuck


def can_fork() -> bool:
    """Whether this system makes child processes by ``fork`` (POSIX; not Windows)."""
    return hasattr(os, "fork") and hasattr(os, "waitpid")


def room_for_a_copy() -> bool:
    """Whether the machine has memory for a child that comes to copy all of this process: its available memory
    (``MemAvailable`` of ``/proc/meminfo``) at least this process's resident size.  A forked child shares its
    parent's pages until either writes one — and Python writes to every object it reads (the reference count) —
    so a child going through every record ends up with a copy of most of them.  True where it cannot be known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            available = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
        with open("/proc/self/status", encoding="ascii") as f:
            resident = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return True
    return available >= resident


class Forked:
    """A child process working on one call (:func:`forked`); :meth:`result` waits for it."""

    def __init__(self, pid: int, path: str) -> None:
        self.pid, self.path = pid, path
        self._done: tuple[bool, Any] | None = None

    def result(self, stall: float = STALL) -> tuple[bool, Any]:
        """``(True, value)`` once the child has returned ``value``; ``(False, why)`` when it gave none (``why``: its
        error's traceback, or how it ended).  Waits for the child — but a child that has used no CPU time for
        ``stall`` seconds is stuck (a lock another thread held at the fork, say) and is stopped.  The same answer
        each time."""
        if self._done is None:
            self._done = self._wait(stall)
        return self._done

    def _wait(self, stall: float) -> tuple[bool, Any]:
        ticks, since = _cpu_ticks(self.pid), time.monotonic()
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else (a SIGCHLD handler): its file says how it went
                pid, status = self.pid, 0
            if pid:
                break
            now, used = time.monotonic(), _cpu_ticks(self.pid)
            if used is None or used != ticks:  # None: not known here (no /proc), never taken for stuck
                ticks, since = used, now
            elif now - since > stall:
                self.stop()
                return False, f"子进程 {stall:g} 秒未用 CPU 时间，已终止"
            time.sleep(0.02)
        self.pid = 0
        try:
            with open(self.path, "rb") as f:
                ok, value = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            ok, value = False, f"子进程未留下结果（{_ended(status)}；{exc}）"
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        return ok, value

    def stop(self) -> None:
        """The child stopped if it is still running, and its file removed."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0
        for leftover in (self.path, self.path + ".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


def _cpu_ticks(pid: int) -> int | None:
    """The CPU time process ``pid`` has used so far, in clock ticks (``/proc/PID/stat``); ``None`` where it cannot
    be read — a child is then never taken for stuck."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    except (OSError, IndexError, ValueError):
        return None


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"被信号 {os.WTERMSIG(status)} 终止"
    return f"退出码 {os.waitstatus_to_exitcode(status)}"


@contextmanager
def forked(work: Callable[[], Any], folder: str | os.PathLike) -> Iterator[Forked | None]:
    """``work()`` called in a forked child, its result pickled into a file in ``folder``; yields the
    :class:`Forked` child (``None`` when this system cannot fork).  Leaving the block stops the child if it is
    still running and removes its file, whether or not :meth:`Forked.result` was asked for.

    ``work`` must need nothing this process changes after the fork, and must leave this process's own files,
    sockets and threads alone: the child has a copy of its memory and only the forking thread.
    """
    if not can_fork():
        yield None
        return
    fd, path = tempfile.mkstemp(prefix=".evalkit-child-", suffix=".pickle", dir=folder)
    os.close(fd)
    give_back_free_memory()   # free pages left in the heap would be copied as this process comes to reuse them
    with warnings.catch_warnings():
        # Python 3.12+ warns that a thread of a library (pyarrow's pool) may hold a lock the child then waits for:
        # the child here takes none of them (it only computes and writes its own files)
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        _child(work, path)
    child = Forked(pid, path)
    try:
        yield child
    finally:
        child.stop()


def _child(work: Callable[[], Any], path: str) -> None:
    code = 1
    try:
        try:
            value: tuple[bool, Any] = (True, work())
        except BaseException:  # noqa: BLE001 - everything goes back to the parent as text
            value = (False, traceback.format_exc())
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent finds no result and does the work itself
        pass
    finally:
        os._exit(code)
