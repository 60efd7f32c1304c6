"""The evidence workbook's 文字记录 sheets kept for the next rerun: ``<output folder>/.evalkit-cache/texts*``.

A lead evaluator changes a threshold, a rule or an adjustment and reruns: the records are the same, and so is
the sheet of every free-text answer — at province scale 1.5 million answers, 900 MB of sheet XML that took
about ten seconds of a core to clean, mask, write and deflate (:mod:`evalkit.reports.ahead`).  The sheet is a
function of the records (the root hash of their revisions, :attr:`evalkit.store.Snapshot.root`), the instruments
(each workbook's sha256), the project's name and closing date (the sheet's heading), whether personal data is
masked, and evalkit's code (:func:`~evalkit.pipeline.cache.fingerprint`): :func:`texts_key` hashes exactly
these.  A rerun whose key is the last one's takes the sheet as it was made (:func:`load_texts`); any other
change — a record saved, edited or deleted, an instrument changed — makes it again.

Trusted as the rest of the cache is (:mod:`evalkit.pipeline.cache`): the kept sheet is sealed with this user's
key — an HMAC-SHA256 over its key, its rows and the sha256 of each sheet's deflated entry (a sheet holds a
million answers: a province's go on in 「文字记录（2）」), each hashed again before use — so no one who can only
write into the output folder can put other texts into the evidence workbook.
The evidence workbook still takes the rows only when they are the very rows it would write (the same sheet head
and styles, :func:`evalkit.io.xlsx_made.take_rows`): the bytes are the same with and without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import shutil
from pathlib import Path

import msgspec

from evalkit.io.durable import link_or_copy
from evalkit.pipeline.cache import CACHE_FOLDER, FORMAT, cache_key, fingerprint, seal
from evalkit.pipeline.manifest import sha256_file
from evalkit.reports import MadeTexts

TEXTS_FILE = "texts.pickle"        # the sheets' rows and each unit's first answers, sealed
TEXTS_ENTRY = "texts-{}.deflated"  # a sheet's whole zip entry, deflated (a large sheet's; by its place, from 1)


class _Header(msgspec.Struct):
    format: str
    fingerprint: str
    key: str
    entries: list[str]   # sha256 of each sheet's deflated entry ("" for a sheet whose rows are in the body)
    seal: str


def texts_key(root_hash: str, instruments: dict, name: str, as_of: object, mask_personal: bool) -> str:
    """What the 文字记录 sheet is a function of, hashed: the records' root hash, every instrument's workbook, the
    project's name and closing date, whether personal data is masked (and evalkit's code: :func:`_seal`)."""
    parts = [root_hash, str(name), str(as_of), "mask" if mask_personal else "plain",
             *(f"{k}={getattr(inst, 'sha256', '')}" for k, inst in sorted(instruments.items()))]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _seal(secret: bytes, key: str, entries: list[str], body: bytes) -> str:
    """The rerun cache's seal (:func:`evalkit.pipeline.cache.seal`) over the sheets' key, their entries' sha256 and
    their body."""
    return seal(secret, f"{key}\n{' '.join(entries)}\n".encode() + body)


def load_texts(out_dir: Path, key: str) -> MadeTexts | None:
    """The sheets the last rerun into ``out_dir`` made, when their key is ``key`` and their seal and entries are sound;
    ``None`` otherwise (nothing kept, another key, another user's or a changed file: the sheet is made again)."""
    secret = cache_key()
    folder = Path(out_dir) / CACHE_FOLDER
    if secret is None:
        return None
    try:
        first, _, body = (folder / TEXTS_FILE).read_bytes().partition(b"\n")
        header = msgspec.json.decode(first, type=_Header)
    except (OSError, msgspec.DecodeError):
        return None
    if (header.format, header.fingerprint, header.key) != (FORMAT, fingerprint(), key):
        return None
    if not hmac.compare_digest(_seal(secret, key, header.entries, body), header.seal):
        return None
    try:
        for place, entry in enumerate(header.entries, start=1):
            if entry and sha256_file(folder / TEXTS_ENTRY.format(place)) != entry:
                return None
        made = pickle.loads(body)   # noqa: S301 - sealed above with this user's key: written by this user's evalkit
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if not isinstance(made, MadeTexts) or made.sheets is None or len(made.sheets) != len(header.entries):
        return None
    for stale in folder.glob(".texts-in-use-*"):   # left by a rerun that was stopped
        with contextlib.suppress(OSError):
            stale.unlink()
    sheets = []
    for place, sheet in enumerate(made.sheets, start=1):
        if sheet.deflated is not None and not header.entries[place - 1]:   # an entry not hashed: not used
            return None
        if sheet.deflated is not None:   # the entry under a second name: the workbook removes it once copied in
            tail, _, crc, size = sheet.deflated
            in_use = folder / f".texts-in-use-{os.getpid()}-{secrets.token_hex(4)}.deflated"
            try:
                link_or_copy(folder / TEXTS_ENTRY.format(place), in_use)   # no hard links there: a copy (60 MB
            except OSError:                                                # at province scale)
                return None
            sheet = sheet._replace(deflated=(tail, str(in_use), crc, size))
        sheets.append(sheet)
    return made._replace(sheets=tuple(sheets))


def save_texts(out_dir: Path, key: str, made: MadeTexts) -> None:
    """Keep ``made`` (the sheets a child made this run) for the next rerun into ``out_dir``, sealed; their deflated
    entries moved (or copied) into the cache folder.  Nothing when there is no key; a sheet that cannot be kept
    only makes the next rerun slower."""
    secret = cache_key()
    if secret is None or made.sheets is None:
        return
    folder = Path(out_dir) / CACHE_FOLDER
    entries, sheets = [], []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            (folder / TEXTS_FILE).unlink()   # the old sheets gone first: never a new entry under the old seal
        for old in folder.glob("texts*.deflated"):   # older entries are of no use (texts.deflated: before the sheets
            old.unlink()                              # went on past a worksheet's rows)
        for place, sheet in enumerate(made.sheets, start=1):
            entry = ""
            if sheet.deflated is not None:   # a small sheet's rows are in the body
                tail, source, crc, size = sheet.deflated
                target = folder / TEXTS_ENTRY.format(place)
                try:
                    os.replace(source, target)
                except OSError:
                    shutil.copyfile(source, target)
                entry = sha256_file(target)
                sheet = sheet._replace(deflated=(tail, "", crc, size))
            entries.append(entry)
            sheets.append(sheet)
        body = pickle.dumps(made._replace(sheets=tuple(sheets)), protocol=pickle.HIGHEST_PROTOCOL)
        header = msgspec.json.encode(_Header(FORMAT, fingerprint(), key, entries,
                                             _seal(secret, key, entries, body)))
        tmp = folder / f".{TEXTS_FILE}.tmp"
        tmp.write_bytes(header + b"\n" + body)
        os.replace(tmp, folder / TEXTS_FILE)
    except OSError:
        return
