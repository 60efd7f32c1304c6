"""The demo's files and ids: ids and phone numbers derived from the seed, the PNG of a signed form,
files written exactly as :mod:`evalkit.io.durable` writes them (``fast`` skips fsync), and the
answers encoded as they appear inside a revision's canonical bytes."""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from pathlib import Path

from evalkit.io import durable
from evalkit.store import encode


def derived_id(seed: int, *parts: object) -> str:
    """A 32-hex id derived from the seed and parts (no uuid4: the same seed, the same ids)."""
    key = "/".join(str(p) for p in ("evalkit-demo", seed, *parts))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def phone_number(n: int) -> str:
    """A unique mobile number for index n (a bijection of n mod 10^9)."""
    return f"13{(n * 7919 + 12345) % 10**9:09d}"


def png(rgb: tuple[int, int, int], width: int = 48, height: int = 32) -> bytes:
    """A small deterministic PNG (a 'photo' of a signed form)."""
    rows = []
    for y in range(height):
        line = bytearray([0])
        for x in range(width):
            ink = (x + 2 * y) % 11 == 0 or y in (4, height - 5)
            line += bytes((30, 30, 60) if ink else rgb)
        rows.append(bytes(line))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


class FileWriter:
    """Writes files exactly as :mod:`evalkit.io.durable` / :class:`evalkit.store.Store` do; ``fast`` skips fsync."""

    def __init__(self, fast: bool) -> None:
        self.fast = fast
        self.dirs: set[Path] = set()

    def new(self, path: Path, data: bytes) -> None:
        if not self.fast:
            durable.write_new(path, data)
            return
        if path.parent not in self.dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o444)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def encode_answers(answers: dict) -> bytes:
    """The answers as they appear inside a revision's canonical bytes."""
    durable.check_json(answers, "answers")
    return encode(answers)
