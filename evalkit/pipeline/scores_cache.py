"""Units scored by a rerun, kept for the next one: ``<output folder>/.evalkit-cache/scores.pickle``.

A lead evaluator adds an adjustment or moves a threshold, or a day's records come in for a few units, and reruns:
most units' leaves — what they counted and the shares they drew for the uncertainty (:mod:`evalkit.scoring.reuse`,
keyed by the sha256 of everything they were counted and drawn from) — are what they were, and scoring them again
is the province's costliest step.  :class:`KeptScores` gives scoring the last rerun's units and writes this run's
as they are scored, a unit at a time (nothing held in memory: a province's is about 30 MB), into a new file that
replaces the old one once the rerun has written its outputs; a unit taken is carried into it (or what scoring put
in its place, when it did not fit), a unit no longer asked for is dropped.

Trusted as the rest of the cache is (:mod:`evalkit.pipeline.cache`): the file is sealed with this user's key
(an HMAC-SHA256 over evalkit's code fingerprint and every byte of its units), and nothing of it is unpickled
before the seal is checked: a file changed, damaged, made by other code or by another user is not read (the
units are scored again, and the file is replaced).  ``evalkit rerun --no-cache`` and ``--verify`` use none.

The file: each unit as its key (64 hex digits), the length of its pickle (8 bytes, little-endian) and the
pickle of its :class:`~evalkit.scoring.reuse.UnitScored`; then the header (JSON: format, fingerprint, seal)
and the header's length (4 bytes, little-endian).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import pickle
import tempfile
from pathlib import Path
from typing import BinaryIO

import msgspec

from evalkit.pipeline.cache import CACHE_FOLDER, FORMAT, cache_key, fingerprint, sealer
from evalkit.scoring import UnitScored

SCORES_FILE = "scores.pickle"
_KEY = 64      # a key's hex digits
_LENGTH = 8    # a pickle's length
_TAIL = 4      # the header's length
_loads = pickle.loads   # the only unpickling of the file: after its seal is checked


class _Header(msgspec.Struct):
    format: str
    fingerprint: str
    seal: str


def _sealed_units(data: bytes, secret: bytes) -> dict[str, memoryview]:
    """The units of a kept file (key → its pickle), or none when the file is not sound or not sealed by this user
    with this code."""
    if len(data) < _TAIL:
        return {}
    size = int.from_bytes(data[-_TAIL:], "little")
    if size > len(data) - _TAIL:
        return {}
    body_end = len(data) - _TAIL - size
    try:
        header = msgspec.json.decode(data[body_end:-_TAIL], type=_Header)
    except msgspec.DecodeError:
        return {}
    if (header.format, header.fingerprint) != (FORMAT, fingerprint()):
        return {}
    body = memoryview(data)[:body_end]
    mac = sealer(secret)
    mac.update(body)
    if not hmac.compare_digest(mac.hexdigest(), header.seal):
        return {}
    units: dict[str, memoryview] = {}
    at = 0
    while at < body_end:
        start = at + _KEY + _LENGTH
        if start > body_end:
            return {}
        length = int.from_bytes(body[at + _KEY:start], "little")
        if start + length > body_end:
            return {}
        units[bytes(body[at:at + _KEY]).decode("ascii", "replace")] = body[start:start + length]
        at = start + length
    return units


class KeptScores:
    """The last rerun's units for scoring to take (:class:`~evalkit.scoring.reuse.UnitReuse`), and this run's
    written as they come into a hidden file of the output folder; :meth:`close` seals it once scoring is done,
    :meth:`publish` puts it in place of the last run's file once the rerun has written its outputs, and
    :meth:`discard` drops it (a rerun that stops leaves the last file, and nothing of its own).  As a context
    manager, around the scoring: closed when it is done, discarded when it stops halfway."""

    def __init__(self, out_dir: Path, secret: bytes, *, read: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / CACHE_FOLDER / SCORES_FILE
        self._secret, self._read = secret, read
        self._old: dict[str, memoryview] | None = None   # read when scoring begins (:meth:`_units`)
        self._file: BinaryIO | None = None
        self._tmp: Path | None = None
        self._mac = sealer(secret)   # fed every byte written
        self._sealed = self._broken = False
        self.taken = self.scored = 0

    def __enter__(self) -> KeptScores:
        self._units()
        return self

    def _units(self) -> dict[str, memoryview]:
        """The last run's units, read (and their seal checked) the first time they are asked for: when scoring
        begins, after the rerun's children are made — a child made while this process held the file would keep
        its pages (about 30 MB at province scale) to its end."""
        if self._old is None:
            data = b""
            if self._read:
                try:
                    data = self.path.read_bytes()
                except OSError:
                    data = b""
            self._old = _sealed_units(data, self._secret)
        return self._old

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()

    def get(self, key: str) -> UnitScored | None:
        data = self._units().get(key)
        if data is None:
            return None
        try:
            return _loads(data)
        except Exception:  # noqa: BLE001 - sealed by this user with this code, so not expected: scored again
            return None

    def took(self, key: str) -> None:
        """The unit is carried into this run's file as it was kept."""
        data = self._units().pop(key, None)
        if data is not None:
            self.taken += 1
            self._write(key, data)

    def put(self, key: str, scored: UnitScored) -> None:
        self._units().pop(key, None)   # the kept one, if any, did not fit: this run's in its place
        self.scored += 1
        self._write(key, pickle.dumps(scored, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self, key: str, data: bytes | memoryview) -> None:
        if self._broken or self._sealed:
            return
        entry = key.encode("ascii") + len(data).to_bytes(_LENGTH, "little")
        try:
            if self._file is None:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".evalkit-scores-", suffix=".tmp", dir=self.out_dir)
                self._tmp, self._file = Path(tmp), os.fdopen(fd, "wb")
            self._file.write(entry)
            self._file.write(data)
        except OSError:   # a cache that cannot be written only makes the next run slower
            self.discard()
            self._broken = True
            return
        self._mac.update(entry)
        self._mac.update(data)

    def close(self) -> None:
        """Seal what this run scored and took (the last run's units no longer asked for are let go)."""
        self._old = {}
        if self._file is None or self._sealed:
            return
        header = msgspec.json.encode(_Header(FORMAT, fingerprint(), self._mac.hexdigest()))
        try:
            self._file.write(header + len(header).to_bytes(_TAIL, "little"))
            self._file.close()
        except OSError:
            self.discard()
            return
        self._file, self._sealed = None, True

    def publish(self) -> None:
        """The sealed file in place of the last run's (nothing when nothing was sealed)."""
        if not self._sealed or self._tmp is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._tmp, self.path)
        except OSError:
            self.discard()
            return
        self._tmp = None

    def discard(self) -> None:
        """Drop what this run wrote; the last run's file stays."""
        self._old = {}
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
            self._tmp = None
        self._sealed = False


def kept_scores(out_dir: Path, *, read: bool = True) -> KeptScores | None:
    """The units the last rerun into ``out_dir`` kept (none when its file is missing or not to be trusted, or
    ``read`` is False: the rest of the cache was not), ready to keep this run's; None when there is no key to seal
    them with (``EVALKIT_CACHE=off``)."""
    secret = cache_key()
    return None if secret is None else KeptScores(out_dir, secret, read=read)
