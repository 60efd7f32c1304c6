"""Whole runs: the reproducible rerun (``rerun``) with its manifest (``manifest``) and verification
(``verify``), progress reported through a callback (``progress``), and the seeded demo project
(``demo``).

May use: :mod:`evalkit.reports`, :mod:`evalkit.project` and everything below them.
"""

from evalkit.pipeline.demo import INSTRUMENTS, DemoError, generate
from evalkit.pipeline.manifest import MANIFEST, PROBLEMS, RESULTS, RerunError, hash_inputs, read_manifest
from evalkit.pipeline.progress import Progress, Stages, Step
from evalkit.pipeline.rerun import STAGES, Computed, RerunResult, compute, rerun, sorted_problems
from evalkit.pipeline.verify import VerifyResult, verify

__all__ = [
    "INSTRUMENTS",
    "MANIFEST",
    "PROBLEMS",
    "RESULTS",
    "STAGES",
    "Computed",
    "DemoError",
    "Progress",
    "RerunError",
    "RerunResult",
    "Stages",
    "Step",
    "VerifyResult",
    "compute",
    "generate",
    "hash_inputs",
    "read_manifest",
    "rerun",
    "sorted_problems",
    "verify",
]
