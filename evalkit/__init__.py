"""evalkit: a workbench for the third-party assessment of the 只跑一次 service reform.

The indicator framework (:mod:`evalkit.framework.model`), unit lists (:mod:`evalkit.config.units`),
instruments, records, sampling, statistics, scoring and reports, with the
``evalkit`` command line (:mod:`evalkit.cli.main`).  Problems are data
(:mod:`evalkit.problems`).
"""

from __future__ import annotations

import importlib
import pkgutil

__version__ = "0.1.0"


def load_all() -> None:
    """Import every module so that every problem code is registered."""
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        importlib.import_module(info.name)
