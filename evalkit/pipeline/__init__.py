"""Whole runs: the reproducible rerun (``rerun``) with its manifest (``manifest``) and verification
(``verify``), progress reported through a callback (``progress``), and the seeded demo project
(``demo``).

May use: :mod:`evalkit.reports`, :mod:`evalkit.project` and everything below them.
"""

from evalkit.pipeline.demo import DEMO_README, INSTRUMENTS, DemoError, Listed, generate, listed_problems
from evalkit.pipeline.manifest import MANIFEST, PROBLEMS, RESULTS, RerunError, hash_inputs, read_manifest
from evalkit.pipeline.progress import Progress, Stages, Step
from evalkit.pipeline.rerun import STAGES, Computed, RerunResult, compute, rerun, sorted_problems
from evalkit.pipeline.verify import VerifyResult, verify

__all__ = [
    "DEMO_README",
    "INSTRUMENTS",
    "MANIFEST",
    "PROBLEMS",
    "RESULTS",
    "STAGES",
    "Computed",
    "DemoError",
    "Listed",
    "Progress",
    "RerunError",
    "RerunResult",
    "Stages",
    "Step",
    "VerifyResult",
    "compute",
    "generate",
    "hash_inputs",
    "listed_problems",
    "read_manifest",
    "rerun",
    "sorted_problems",
    "verify",
]
