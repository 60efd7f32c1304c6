"""The project folder as a whole: the :class:`Project` that reads each input once
(``project``), its validation (``validate``), scoring and checking it (``evaluate``) and a new
project from the shipped files (``init``).

May use every domain subpackage below it (:mod:`evalkit.interop`, :mod:`evalkit.selfassess`,
:mod:`evalkit.ledger`, :mod:`evalkit.checks`, :mod:`evalkit.scoring`, :mod:`evalkit.sampling`,
:mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`) and
the ground (:mod:`evalkit.io`, :mod:`evalkit.stats`, :mod:`evalkit.problems`).
"""

from evalkit.project.evaluate import evaluate, project_checks, scoring_settings
from evalkit.project.init import init_project
from evalkit.project.project import LedgerInputs, Project, SelfassessInputs, open_project
from evalkit.project.validate import sniff, validate_file, validate_path, validate_project

__all__ = [
    "LedgerInputs",
    "Project",
    "SelfassessInputs",
    "evaluate",
    "init_project",
    "open_project",
    "project_checks",
    "scoring_settings",
    "sniff",
    "validate_file",
    "validate_path",
    "validate_project",
]
