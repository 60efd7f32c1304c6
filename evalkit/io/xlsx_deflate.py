"""A zip entry deflated in a thread of its own while its data is still being made (:class:`Deflater`), and
written into a zip with the bytes :mod:`zipfile` gives it (:func:`write_deflated`).

A province's evidence workbook is a gigabyte of sheet XML: deflating it took five seconds after its rows were
made.  Here a sheet's XML is deflated as its rows come (zlib and crc32 let other threads run: the rows are made
on one core while they are deflated on the other) and the entry is copied into the zip already compressed.

The bytes are those of ``ZipFile.open(entry, "w")`` given the whole entry at once: the same ``zlib.compressobj``
(zipfile's level, :data:`LEVEL`, or the workbook's, :data:`DEFLATE_LEVEL`; raw deflate) — whose output does not
depend on how its input is cut — the same CRC, and zipfile's own header and zip64 choice (:func:`write_deflated` lets
zipfile write the entry, only skipping its compressor).  The entry must start with a known part (a sheet's
XML up to its rows, ``head``); when it turns out different at saving, :meth:`Deflater.rows_file` gives back
what came after the head, decompressed, and the entry is written the ordinary way.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import queue
import shutil
import tempfile
import threading
import zipfile
import zlib
from functools import cache
from io import BytesIO
from typing import NamedTuple

LEVEL = zlib.Z_DEFAULT_COMPRESSION  # what ZipFile(…, ZIP_DEFLATED) uses when no compresslevel is given
# the level of the workbook being made: a Deflater made meanwhile deflates with it (evalkit.io.xlsx_stream.stream_workbook)
DEFLATE_LEVEL: contextvars.ContextVar[int] = contextvars.ContextVar("evalkit_deflate_level", default=LEVEL)
QUEUED = 4                          # batches waiting to be deflated at most (the rows wait when deflate is behind)
BATCH = 4 << 20                     # chunks go to the thread together, 4 MB at a time: each handing over takes the GIL
_DONE = None


class Deflated(NamedTuple):
    """A finished entry: its deflated bytes (a temporary file at its start), CRC-32 and size before deflate."""

    file: object
    crc: int
    size: int


class Deflater:
    """The data of one zip entry, deflated by a thread while it is written (:meth:`write`).

    ``head`` is the first part of the entry; the rest comes in chunks (handed to the thread
    :data:`BATCH` bytes at a time), then :meth:`finish` adds the entry's last part and gives the
    :class:`Deflated` entry.  The deflated bytes go to a temporary file in ``folder``.  At most
    :data:`QUEUED` batches wait: a writer faster than deflate waits for it.  An error in the
    thread comes back to the writer.
    """

    def __init__(self, head: bytes, folder: str | None = None, *, into: str | None = None) -> None:
        self.head, self.level = head, DEFLATE_LEVEL.get()
        # ``into``: a file of that name, left behind (a forked child's sheet, :class:`Predeflated` in its parent)
        self.out = open(into, "w+b") if into else tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed in close
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUED)
        self._batch: list[bytes] = []
        self._batched = 0
        self._crc = 0
        self._size = 0
        self._error: BaseException | None = None
        self._finished: Deflated | None = None
        self._thread = threading.Thread(target=self._run, name="evalkit-deflate", daemon=True)
        self._thread.start()
        self.write(head)

    def _run(self) -> None:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        crc, size, out = 0, 0, self.out
        try:
            while True:
                chunk = self._queue.get()
                if chunk is _DONE:
                    break
                chunk = b"".join(chunk)
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                out.write(compressor.compress(chunk))
            out.write(compressor.flush())
        except BaseException as error:  # given to the writer (write, finish)
            self._error = error
            while self._queue.get() is not _DONE:  # let the writer go on to its end
                pass
        self._crc, self._size = crc, size

    def write(self, chunk: bytes) -> None:
        """Add ``chunk`` to the entry (deflated in the thread)."""
        if self._error is not None:
            raise self._error
        if self._finished is not None or not self._thread.is_alive():
            raise RuntimeError("deflater already finished")
        if chunk:
            self._batch.append(chunk)
            self._batched += len(chunk)
            if self._batched >= BATCH:
                self._hand_over()

    def _hand_over(self) -> None:
        if self._batch:
            self._queue.put(self._batch)
            self._batch, self._batched = [], 0

    def finish(self, tail: bytes = b"") -> Deflated:
        """The entry's last part added and its deflate finished: the deflated entry (once)."""
        if self._finished is None:
            self.write(tail)
            self._hand_over()
            self._queue.put(_DONE)
            self._thread.join()
            if self._error is not None:
                raise self._error
            self.out.seek(0)
            self._finished = Deflated(self.out, self._crc, self._size)
        return self._finished

    def ends_with(self, tail: bytes) -> bool:
        """Whether the entry can end with ``tail`` (:meth:`finish`): always, its deflate is not finished yet."""
        return True

    def rows_file(self, folder: str | None = None):
        """What was written after the head, decompressed into a temporary file at its start (the entry is then
        written the ordinary way: its head was not the one expected)."""
        return _inflated(self.finish(), len(self.head), 0, folder)

    def close(self) -> None:
        """Stop the thread (whatever was written is dropped) and remove the temporary file."""
        if self._finished is None and self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        self.out.close()


class Predeflated:
    """A zip entry deflated whole elsewhere (a forked child's sheet, :mod:`evalkit.reports.ahead`): its ``head``,
    its rows, then its ``tail``, deflated into the file ``path`` (CRC-32 ``crc``, ``size`` bytes before deflate) at
    zlib's ``level``.

    It stands for a :class:`Deflater` whose rows are all written (:func:`evalkit.io.xlsx_made.take_rows`):
    :func:`evalkit.io.xlsx.fixed_zip` copies it as it is when the entry's own head and tail are these
    (:meth:`ends_with`), else splices its rows in decompressed (:meth:`rows_file`).
    """

    def __init__(self, head: bytes, tail: bytes, path: str, crc: int, size: int, level: int = LEVEL) -> None:
        self.head, self.tail, self.path, self.crc, self.size, self.level = head, tail, path, crc, size, level
        self._file = None

    def ends_with(self, tail: bytes) -> bool:
        return tail == self.tail

    def finish(self, tail: bytes = b"") -> Deflated:
        """The deflated entry; only with the tail it was deflated with."""
        if not self.ends_with(tail):
            raise ValueError("a predeflated entry ends with its own tail only")
        return Deflated(self._open(), self.crc, self.size)

    def rows_file(self, folder: str | None = None):
        """What came between the head and the tail, decompressed into a temporary file at its start."""
        return _inflated(Deflated(self._open(), self.crc, self.size), len(self.head), len(self.tail), folder)

    def _open(self):
        if self._file is None:
            self._file = open(self.path, "rb")  # noqa: SIM115 - closed in close
        self._file.seek(0)
        return self._file

    def close(self) -> None:
        """Close and remove its file."""
        if self._file is not None:
            self._file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def _inflated(done: Deflated, skip: int, drop: int, folder: str | None):
    """The entry ``done`` decompressed into a temporary file at its start, without its first ``skip`` and last
    ``drop`` bytes."""
    rows = tempfile.TemporaryFile(dir=folder)
    decompressor = zlib.decompressobj(-15)
    done.file.seek(0)
    while chunk := done.file.read(1 << 20):
        data = decompressor.decompress(chunk)
        if skip:
            data, skip = data[skip:], max(0, skip - len(data))
        rows.write(data)
    rows.write(decompressor.flush()[skip:])
    if drop:
        rows.truncate(rows.tell() - drop)
    rows.seek(0)
    return rows


class _AsIs:
    """A "compressor" that leaves data as it is: the data is deflated already."""

    @staticmethod
    def compress(data: bytes) -> bytes:
        return data

    @staticmethod
    def flush() -> bytes:
        return b""


def write_deflated(zout: zipfile.ZipFile, entry: zipfile.ZipInfo, done: Deflated) -> None:
    """Write ``done`` (deflated at the entry's level, :func:`at_level`) as ``entry`` of ``zout``: the bytes of writing
    its data through ``zout.open(entry, "w")``, entry size set first, as :func:`evalkit.io.xlsx.fixed_zip` does.

    zipfile writes the entry's header, sizes, CRC and zip64 fields itself; only its compressor is
    replaced by one that leaves the bytes as they are, and the CRC and size of the data before
    deflate are set before it closes the entry.
    """
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise ValueError(f"{entry.filename}: a deflated entry only")
    entry.file_size = done.size  # zipfile chooses zip64 by it, as for the entry written whole
    with zout.open(entry, "w") as out:
        out._compressor = _AsIs()
        shutil.copyfileobj(done.file, out, 1 << 20)
        out._crc, out._file_size = done.crc, done.size


def at_level(entry: zipfile.ZipInfo, level: int) -> zipfile.ZipInfo:
    """``entry`` to be deflated at zlib's ``level`` when written (zipfile takes an entry's own level, not its
    archive's: ``compress_level`` from Python 3.13, ``_compresslevel`` before), unchanged at the default :data:`LEVEL`."""
    if level != LEVEL:
        if hasattr(entry, "compress_level"):
            entry.compress_level = level
        else:
            entry._compresslevel = level
    return entry


@cache
def copies_as_is(level: int = LEVEL) -> bool:
    """Whether this Python's :mod:`zipfile` writes an entry through :func:`write_deflated` with the very bytes
    it gives the same data written the ordinary way at zlib's ``level`` (checked once, on a small entry of mixed text).

    :func:`write_deflated` relies on the inside of zipfile's write handle (its compressor, CRC and size);
    on a Python whose zipfile works otherwise this is False and :func:`evalkit.io.xlsx.fixed_zip` writes
    the entry the ordinary way, from the decompressed rows: slower, never wrong.
    """
    data = "".join(f'<row r="{i}"><c t="inlineStr"><is><t>第{i}行 &amp; {i * i}</t></is></c></row>'
                   for i in range(3000)).encode("utf-8")
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    with tempfile.TemporaryFile() as deflated:
        deflated.write(compressor.compress(data) + compressor.flush())
        deflated.seek(0)
        fast, plain = BytesIO(), BytesIO()
        try:
            with zipfile.ZipFile(fast, "w", zipfile.ZIP_DEFLATED) as zout:
                write_deflated(zout, at_level(_probe_entry(), level), Deflated(deflated, zlib.crc32(data), len(data)))
        except Exception:  # noqa: BLE001 - any failure of the inside-out path means: not on this Python
            return False
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as zout:
        entry = at_level(_probe_entry(), level)
        entry.file_size = len(data)
        with zout.open(entry, "w") as out:
            out.write(data)
    return fast.getvalue() == plain.getvalue()


def _probe_entry() -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(2000, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry
