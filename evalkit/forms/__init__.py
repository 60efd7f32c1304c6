"""The one form engine: XLSForm workbooks read through pyxform (``xlsform``), instruments and
their validation (``instruments``), the safe expression language of ``constraint`` /
``relevant`` / ``calculation`` (``expression_syntax``, ``expression_values``, ``expression_functions``,
``expression_checks``, ``expression_evaluation``) and the rules that judge answers
(``responses``) — for the live form and for stored records alike.

No widgets here (they are in :mod:`evalkit.app`).  May use: :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.forms.expression_checks import check
from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_functions import FUNCTIONS
from evalkit.forms.expression_syntax import ExpressionError, parse, references, uses_current
from evalkit.forms.expression_values import truthy
from evalkit.forms.instruments import (
    ANY_INDICATOR,
    SUPPORTED_TYPES,
    Field,
    Instrument,
    field_by_name,
    iter_fields,
    load_instrument,
    validate_instrument,
)
from evalkit.forms.responses import FieldIssue, base_type, is_empty, validate_answers

__all__ = [
    "ANY_INDICATOR",
    "ExpressionError",
    "FUNCTIONS",
    "Field",
    "FieldIssue",
    "Instrument",
    "SUPPORTED_TYPES",
    "base_type",
    "check",
    "evaluate",
    "field_by_name",
    "is_empty",
    "iter_fields",
    "load_instrument",
    "parse",
    "references",
    "truthy",
    "uses_current",
    "validate_answers",
    "validate_instrument",
]
