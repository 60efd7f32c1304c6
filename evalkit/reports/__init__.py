"""The reports that go to the government: the report data with personal details masked
(``data``), the Excel workbook (``xlsx``), the HTML pages (``html``) and their SVG charts
(``charts``).

May use: :mod:`evalkit.project` and everything below it.
"""

from evalkit.reports.data import mask_free_text, mask_name, mask_phone, personal_kind, write_reports

__all__ = [
    "mask_free_text",
    "mask_name",
    "mask_phone",
    "personal_kind",
    "write_reports",
]
