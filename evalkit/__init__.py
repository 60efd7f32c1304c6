"""evalkit: a workbench for the third-party assessment of the 只跑一次 service reform.

The stable entry points (everything else is private to its subpackage and may change):

- :func:`open_project` / :class:`Project` — one evaluation folder, each input read once; with
  :func:`validate_project`, :func:`evaluate` (score every unit with the project's adjustments and
  settings) and :func:`project_checks` (the cross-record checks);
- :func:`rerun` / :func:`verify` — the whole evaluation with its reports and manifest, and its check;
- :class:`Store` — the append-only record store of a project folder;
- :func:`load_instrument` — an XLSForm instrument with its problems;
- :func:`load_framework` — a framework workbook (or markdown/csv table) with its problems;
- :func:`score` — scoring of loaded inputs (a framework, units, instruments and records);
- :func:`tables` / :class:`Tables` — the project as pandas tables for the lead evaluator's notebooks, with
  what-ifs (:class:`Overrides`) scored in memory (loaded on first use: the forms' kernels never load pandas
  tables, matplotlib or pyreadstat);
- :class:`Problem` and :func:`catalogue` — problems are data, every code with its template.

The house: ``evalkit.problems`` and ``io`` / ``stats`` at the ground; ``config``; ``framework`` and
``forms``; ``store``; ``scoring`` and ``sampling``; ``checks``; ``ledger``, ``selfassess`` and
``interop``; ``project``; ``reports``; ``pipeline`` and ``analysis``; and at the edges ``app`` (the Voila pages) and
``cli`` (the ``evalkit`` command).  Each imports only what lies below it (checked by import-linter).
"""

from __future__ import annotations

import importlib

from evalkit.forms import load_instrument
from evalkit.framework import read_framework as load_framework
from evalkit.problems import Problem, catalogue
from evalkit.project import OverrideError, Overrides, Project, evaluate, open_project, project_checks, validate_project
from evalkit.scoring import score
from evalkit.store import Store
from evalkit.version import __version__

__all__ = [
    "OverrideError",
    "Overrides",
    "Problem",
    "Project",
    "Store",
    "Tables",
    "__version__",
    "catalogue",
    "evaluate",
    "load_framework",
    "load_instrument",
    "open_project",
    "project_checks",
    "rerun",
    "score",
    "tables",
    "validate_project",
    "verify",
]

# imported when first asked for: a form's kernel (evalkit.app) never loads the rerun and its reports, the demo's
# sampling (scipy.stats), pandas tables, matplotlib or pyreadstat (tests/test_page_imports.py)
_LAZY = {"Tables": "evalkit.analysis", "tables": "evalkit.analysis", "rerun": "evalkit.pipeline",
         "verify": "evalkit.pipeline"}


def __getattr__(name: str):
    """``evalkit.tables``, ``evalkit.Tables``, ``evalkit.rerun`` and ``evalkit.verify``, imported when first asked for."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
