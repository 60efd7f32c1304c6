"""The indicator framework (指标体系): the tree of indicators with points, types and evidence
methods (``model``), reading it from the tidy workbook, csv or markdown (``read``), its
consistency checks (``checks``), the vocabulary of evidence methods (``vocabulary``), the
government's published table layout read (``govtable``) and written (``govtable_write``), and the
tidy workbook written back (``write``).

May use: :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.framework.checks import check_framework
from evalkit.framework.govtable import import_government_table, is_government_table, parse_cell
from evalkit.framework.govtable_write import write_government_layout
from evalkit.framework.model import POINTS_PER_UNIT, Framework, Indicator, code_order
from evalkit.framework.read import framework_from_markdown, framework_from_table, read_framework
from evalkit.framework.vocabulary import method_zh
from evalkit.framework.write import format_tree, write_framework

__all__ = [
    "POINTS_PER_UNIT",
    "Framework",
    "Indicator",
    "check_framework",
    "code_order",
    "format_tree",
    "framework_from_markdown",
    "framework_from_table",
    "import_government_table",
    "is_government_table",
    "method_zh",
    "parse_cell",
    "read_framework",
    "write_framework",
    "write_government_layout",
]
