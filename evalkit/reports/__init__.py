"""The reports that go to the government: all of them in one call (``write``), from the report
data gathered once (``data``; the records' free text a block at a time, ``texts``) with personal details
masked (``masking``): the Excel workbook
(``workbook``, written as a stream by :mod:`evalkit.io.xlsx_stream`), the HTML pages (``pages``,
jinja2 templates in ``templates/``), their SVG charts (``charts``, also drawn by the scoring
page) and the method section both share (``method``).

May use: :mod:`evalkit.project` and everything below it.
"""

from evalkit.reports.ahead import MadeTexts, TextsAhead, texts_ahead, texts_given, texts_here
from evalkit.reports.charts import bars_against_max, grade_distribution, ranking_bars
from evalkit.reports.data import report_data
from evalkit.reports.masking import mask_free_text, mask_name, mask_phone, mask_value, personal_kind
from evalkit.reports.scorecard import grade_text, pending_text, rank_text, total_text, uncertainty_texts
from evalkit.reports.write import write_reports

__all__ = [
    "MadeTexts",
    "TextsAhead",
    "bars_against_max",
    "grade_distribution",
    "grade_text",
    "mask_free_text",
    "mask_name",
    "mask_phone",
    "mask_value",
    "pending_text",
    "personal_kind",
    "rank_text",
    "ranking_bars",
    "report_data",
    "texts_ahead",
    "texts_given",
    "texts_here",
    "total_text",
    "uncertainty_texts",
    "write_reports",
]
