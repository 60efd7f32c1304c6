"""The project folder as a whole: the :class:`Project` that reads each input once
(``project``), its validation (``validate``), scoring and checking it (``evaluate``), what-ifs scored
in memory with changed thresholds, points, rules, grades or adjustments (``whatif``) and a new
project from the shipped files (``init``).

May use every domain subpackage below it (:mod:`evalkit.interop`, :mod:`evalkit.selfassess`,
:mod:`evalkit.ledger`, :mod:`evalkit.checks`, :mod:`evalkit.scoring`, :mod:`evalkit.sampling`,
:mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`) and
the ground (:mod:`evalkit.io`, :mod:`evalkit.stats`, :mod:`evalkit.problems`).
"""

from evalkit.project.evaluate import evaluate, project_checks, project_record_checks, scoring_settings
from evalkit.project.init import init_project
from evalkit.project.project import LedgerInputs, Project, SelfassessInputs, open_project
from evalkit.project.validate import sniff, validate_file, validate_path, validate_project
from evalkit.project.whatif import OverrideError, Overrides, grade_bands, rule_with

__all__ = [
    "LedgerInputs",
    "OverrideError",
    "Overrides",
    "Project",
    "SelfassessInputs",
    "evaluate",
    "grade_bands",
    "init_project",
    "open_project",
    "project_checks",
    "project_record_checks",
    "rule_with",
    "scoring_settings",
    "sniff",
    "validate_file",
    "validate_path",
    "validate_project",
]
