"""Whole runs: the reproducible rerun with its manifest and verification (``rerun``) and the
seeded demo project (``demo``).

May use: :mod:`evalkit.reports`, :mod:`evalkit.project` and everything below them.
"""

from evalkit.pipeline.demo import DemoError, INSTRUMENTS, generate
from evalkit.pipeline.rerun import (
    MANIFEST,
    PROBLEMS,
    Progress,
    RESULTS,
    RerunError,
    compute_scores,
    read_once,
    rerun,
    verify,
)

__all__ = [
    "DemoError",
    "INSTRUMENTS",
    "MANIFEST",
    "PROBLEMS",
    "Progress",
    "RESULTS",
    "RerunError",
    "compute_scores",
    "generate",
    "read_once",
    "rerun",
    "verify",
]
