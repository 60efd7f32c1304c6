"""The lead evaluator's analysis: the project as pandas tables (``tables``: records with their labels
and repeat groups — ``records`` —, scores, totals, problems, traces — ``results`` —, rater agreement —
``agreement`` —, sampling estimates — ``estimates``), what-ifs compared with the real scores
(``compare``), charts with a Chinese font (``charts``), exports for SPSS, Stata, R and Excel
(``export``) and JupyterLab on a project (``lab``).

May use: :mod:`evalkit.reports` (the masking of personal details), :mod:`evalkit.project` and
everything below them.
"""

from evalkit.analysis.tables import Tables, tables

__all__ = [
    "Tables",
    "tables",
]
