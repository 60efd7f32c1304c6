"""The one form engine, for the live form and for stored records alike.

XLSForm workbooks are read cell by cell and through pyxform (``xlsform``), checked and loaded
(``instruments``) into a frozen model (``model``: instrument, fields, choices, and the facts the
engine needs of them, kept on the objects).  The safe expression language of ``constraint`` /
``relevant`` / ``calculation`` is parsed (``expression_syntax``), checked
(``expression_checks``) and evaluated (``expression_evaluation``, with the value semantics of
``expression_values`` and the functions of ``expression_functions``).  The rules of one answer
are ``responses``; ``engine`` walks a whole record with them and returns the answers as stored,
the issues by path, the hidden fields and the calculated values; ``columns`` validates the
stored records of one instrument all at once, column by column, with the same issues.  The
problem codes are ``problems``.

No widgets here (they are in :mod:`evalkit.app`).  May use: :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.forms.columns import validate_many
from evalkit.forms.engine import FieldIssue, FormState, Mode, evaluate_form, validate_answers
from evalkit.forms.expression_checks import check
from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_functions import FUNCTIONS
from evalkit.forms.expression_syntax import ExpressionError, parse, references, uses_current
from evalkit.forms.expression_values import truthy
from evalkit.forms.instruments import ANY_INDICATOR, SUPPORTED_TYPES, load_instrument, validate_instrument
from evalkit.forms.model import Choice, Field, Instrument, base_type, field_by_name, iter_fields
from evalkit.forms.responses import default_value, is_empty

__all__ = [
    "ANY_INDICATOR",
    "Choice",
    "ExpressionError",
    "FUNCTIONS",
    "Field",
    "FieldIssue",
    "FormState",
    "Instrument",
    "Mode",
    "SUPPORTED_TYPES",
    "base_type",
    "check",
    "default_value",
    "evaluate",
    "evaluate_form",
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
    "validate_many",
]
