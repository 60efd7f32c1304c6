"""The append-only record store: records and their revisions (edit, delete, review), attachments,
drafts, and the check of every stored record against its instrument.

May use: :mod:`evalkit.forms`, :mod:`evalkit.config`, :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.store.checks import UNIT_UNKNOWN, check_records
from evalkit.store.drafts import Drafts
from evalkit.store.records import ATTACHMENT_RE, ReviewRefused, Store, review_problems
from evalkit.store.revisions import (
    RECORD_CONFLICT,
    RECORD_DAMAGED,
    SCHEMA,
    STATES,
    Revision,
    build_view,
    document_error,
    ordered,
    read_revision,
)

__all__ = [
    "ATTACHMENT_RE",
    "Drafts",
    "RECORD_CONFLICT",
    "RECORD_DAMAGED",
    "Revision",
    "SCHEMA",
    "STATES",
    "Store",
    "UNIT_UNKNOWN",
    "build_view",
    "ReviewRefused",
    "review_problems",
    "check_records",
    "document_error",
    "ordered",
    "read_revision",
]
