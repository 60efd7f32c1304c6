"""Records to and from elsewhere: field-laptop bundles (export, verified import, conflicts) and
imports from ODK Central, KoboToolbox and questionnaire tables.

May use: :mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`,
:mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.interop.bundle import (
    BundleError,
    check_bundle,
    conflicts,
    export_bundle,
    import_bundle,
    new_project_id,
    parse_since,
    project_identity,
    resolve_conflict,
    summary_zh,
)
from evalkit.interop.imports import ImportResult, load_project_instrument, stable_id
from evalkit.interop.table import import_table, write_template
from evalkit.interop.xform import import_xform

__all__ = [
    "BundleError",
    "ImportResult",
    "check_bundle",
    "conflicts",
    "export_bundle",
    "import_bundle",
    "import_table",
    "import_xform",
    "load_project_instrument",
    "new_project_id",
    "parse_since",
    "project_identity",
    "resolve_conflict",
    "stable_id",
    "summary_zh",
    "write_template",
]
