"""The append-only record store: content-addressed, chained revisions (edit, delete, review),
loose files for new writes and verified packs for fast reads, one snapshot per read with its root
hash, the conversion of old-format stores, attachments, drafts, the review-comment rule, and the
check of every stored record against its instrument.

May use: :mod:`evalkit.forms`, :mod:`evalkit.config`, :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.store.checks import UNIT_UNKNOWN, check_records
from evalkit.store.convert import ConvertResult, convert_store
from evalkit.store.drafts import Drafts
from evalkit.store.history import build_view, ordered
from evalkit.store.packing import PackBusy, PackResult, pack_store, stored_revisions
from evalkit.store.packs import PackEntry, PackError, build_pack, pack_name, parse_pack, read_pack
from evalkit.store.problems import RECORD_CONFLICT, RECORD_DAMAGED
from evalkit.store.records import ATTACHMENT_RE, ReviewRefused, Store, review_problems
from evalkit.store.revisions import (
    HASH_RE,
    SCHEMA,
    STATES,
    SUBMISSION_ORDER,
    RecordView,
    Revision,
    decode,
    document_error,
    encode,
    new_document,
    parse_revision,
    revision_hash,
    revision_list,
    root_hash,
)
from evalkit.store.snapshot import Snapshot
from evalkit.store.verify import entry_mismatch, revision_rule

__all__ = [
    "ATTACHMENT_RE",
    "ConvertResult",
    "Drafts",
    "HASH_RE",
    "PackBusy",
    "PackEntry",
    "PackError",
    "PackResult",
    "RECORD_CONFLICT",
    "RECORD_DAMAGED",
    "RecordView",
    "ReviewRefused",
    "Revision",
    "SCHEMA",
    "STATES",
    "SUBMISSION_ORDER",
    "Snapshot",
    "Store",
    "UNIT_UNKNOWN",
    "build_pack",
    "build_view",
    "check_records",
    "convert_store",
    "decode",
    "document_error",
    "encode",
    "entry_mismatch",
    "new_document",
    "ordered",
    "pack_name",
    "pack_store",
    "parse_pack",
    "parse_revision",
    "read_pack",
    "review_problems",
    "revision_hash",
    "revision_list",
    "revision_rule",
    "root_hash",
    "stored_revisions",
]
