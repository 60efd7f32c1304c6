"""The one form engine: XLSForm workbooks read through pyxform (``xlsform``), instruments and
their validation (``instruments``), the safe expression language of ``constraint`` /
``relevant`` / ``calculation`` (``expressions``) and the rules that judge answers
(``responses``) — for the live form and for stored records alike.

No widgets here (they are in :mod:`evalkit.app`).  May use: :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.forms.expressions import (
    FUNCTIONS,
    ExpressionError,
    check,
    evaluate,
    parse,
    references,
    truthy,
    uses_current,
)
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
