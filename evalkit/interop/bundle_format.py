"""The bundle format ``evalkit.bundle/2``: names, limits, member paths and checksums.

A bundle is a zip file::

    bundle.json      the index: format, kind (records / setup), project identity, exporter,
                     selection, counts, the root hash of the revisions, and every member's path,
                     sha256 and size
    bundle.sha256    "<sha256 of bundle.json>  bundle.json" (``sha256sum -c`` can check it)
    bundle.sig       the Ed25519 signature of bundle.json by the exporting device's key
                     (:mod:`evalkit.interop.signing`); absent in an unsigned bundle
    raw/packs/pack-<sha256>.pack, raw/attachments/<sha256><ext>       (records: one pack)
    evalkit.toml, *.xlsx, instruments/*.xlsx, frames/*, draws/*.json, keys/*.json   (setup)

The signature covers bundle.json, and bundle.json lists every member's sha256: it covers all.

Members are in a fixed order (index, checksum, then paths sorted) with fixed timestamps,
so the same selection gives the same bytes.  A member path must match a strict pattern
(never ``..``, an absolute path or a hidden name).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from pathlib import Path

from evalkit.problems import Problem
from evalkit.store import ATTACHMENT_RE

FORMAT = "evalkit.bundle/2"
OLD_FORMAT = "evalkit.bundle/1"
INDEX, CHECKSUM, SIGNATURE = "bundle.json", "bundle.sha256", "bundle.sig"
KINDS = ("records", "setup")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MAX_INDEX = 64 << 20
MAX_JSON = 16 << 20          # a revision / draw / evalkit.toml read into memory
MAX_MEMBER = 512 << 20       # any member (photos are limited to far less by the forms)
CHUNK = 1 << 20
STAGING_PREFIX = ".bundle-import-"

RAW_RE = re.compile(r"raw/([0-9a-f]{32})/([0-9a-f]{64})\.json")   # where an imported revision is placed
PACK_MEMBER_RE = re.compile(r"raw/packs/pack-([0-9a-f]{64})\.pack")
ATT_RE = re.compile(r"raw/attachments/(" + ATTACHMENT_RE.pattern + ")")
_NAME = r"[^\x00-\x1f\x7f/\\:*?\"<>|.~][^\x00-\x1f\x7f/\\:*?\"<>|]{0,150}"
SETUP_RES = (
    re.compile(r"evalkit\.toml"),
    re.compile(_NAME + r"\.(?:xlsx|csv)"),
    re.compile(r"instruments/" + _NAME + r"\.xlsx"),
    re.compile(r"frames/" + _NAME + r"\.(?:xlsx|csv)"),
    re.compile(r"draws/" + _NAME + r"\.json"),
    re.compile(r"keys/[0-9a-f]{16}(?:\.revoked)?\.json"),
)
SETUP_DIRS = ("instruments", "frames", "draws", "raw", "out", "keys")

# Everything the zip and zlib readers raise on damaged input.
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, OSError,
               NotImplementedError, RuntimeError, struct.error, KeyError, IndexError, OverflowError,
               UnicodeDecodeError, TypeError)


class BundleError(Exception):
    """Export or import refused; ``problems`` say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def setup_path_ok(path: str) -> bool:
    return any(r.fullmatch(path) for r in SETUP_RES) and not path.rstrip().endswith((" ", "."))


def member_path_ok(kind: str, path: str) -> bool:
    if kind == "records":
        return bool(PACK_MEMBER_RE.fullmatch(path) or ATT_RE.fullmatch(path))
    return setup_path_ok(path)


def category(rel: str) -> str:
    """What a member is: ``revisions``, ``attachments`` or ``setup``."""
    if RAW_RE.fullmatch(rel) or PACK_MEMBER_RE.fullmatch(rel):
        return "revisions"
    if ATT_RE.fullmatch(rel):
        return "attachments"
    return "setup"


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
