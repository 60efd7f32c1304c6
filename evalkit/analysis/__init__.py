"""The lead evaluator's analysis: the project as pandas tables (``tables``: records with their labels
and repeat groups — ``records`` —, scores, totals, problems, traces — ``results`` —, rater agreement —
``agreement`` —, sampling estimates — ``estimates``), what-ifs compared with the real scores
(``compare``), charts with a Chinese font (``charts``), exports for SPSS, Stata, R and Excel
(``export``) and JupyterLab on a project (``lab``).

May use: :mod:`evalkit.reports` (the masking of personal details), :mod:`evalkit.project` and
everything below them.
"""

from evalkit.analysis.charts import (
    agreement_chart,
    bump_chart,
    estimates_chart,
    profile_chart,
    use_chinese_font,
)
from evalkit.analysis.export import FORMATS, export
from evalkit.analysis.lab import LabConfig, copy_notebooks, find_project, lab_command
from evalkit.analysis.lab import run as run_lab
from evalkit.analysis.tables import Tables, tables

__all__ = [
    "FORMATS",
    "LabConfig",
    "Tables",
    "agreement_chart",
    "bump_chart",
    "copy_notebooks",
    "estimates_chart",
    "export",
    "find_project",
    "lab_command",
    "profile_chart",
    "run_lab",
    "tables",
    "use_chinese_font",
]
