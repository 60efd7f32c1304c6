"""Records to and from elsewhere: field-laptop bundles and imports from ODK Central, KoboToolbox
and questionnaire tables.

Bundles: the format and its checksums (``bundle_format``), project identity (``identity``),
device keys and the project's register of them (``keys``), signatures (``signing``), export
(``bundle_export``), verified reading (``bundle_check``), the import rules (``bundle_rules``), import
planning (``bundle_import``), staging and placing files (``bundle_place``), what an import did
(``bundle_result``) and its receipt (``receipts``), and conflicting revisions and their resolution
(``conflict_resolution``).

Imports: candidate records and where their values came from (``candidates``), answers as the
form holds and stores them (``answers``), the instrument and unit list an import is given from the
opened project (``import_inputs``), checking and writing records (``import_writing``), tables of source files
(``source_tables``); ODK / Kobo exports (``xform`` with ``xform_files``, ``xform_columns``,
``xform_repeats``) and questionnaire tables (``table`` with ``table_mapping``).
The problem codes of both are in ``problems``.

May use: :mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`,
:mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.interop.bundle_check import check_bundle
from evalkit.interop.bundle_export import ExportResult, export_bundle, parse_since
from evalkit.interop.bundle_format import BundleError
from evalkit.interop.bundle_import import import_bundle
from evalkit.interop.bundle_result import BundleImportResult, summary_zh
from evalkit.interop.candidates import stable_id
from evalkit.interop.conflict_resolution import conflicts, resolve_conflict
from evalkit.interop.identity import new_project_id, project_identity
from evalkit.interop.import_inputs import find_instrument, units_for_import
from evalkit.interop.import_writing import ImportResult
from evalkit.interop.keys import (
    ROLES,
    PublicKey,
    key_dir,
    load_signing_key,
    new_key,
    register_key,
    registered_keys,
    revoke_key,
)
from evalkit.interop.receipts import receipt_problems
from evalkit.interop.table import import_table, write_template
from evalkit.interop.xform import import_xform

__all__ = [
    "ROLES",
    "BundleError",
    "BundleImportResult",
    "ExportResult",
    "ImportResult",
    "check_bundle",
    "conflicts",
    "export_bundle",
    "find_instrument",
    "import_bundle",
    "import_table",
    "import_xform",
    "key_dir",
    "load_signing_key",
    "new_key",
    "PublicKey",
    "receipt_problems",
    "register_key",
    "registered_keys",
    "revoke_key",
    "new_project_id",
    "parse_since",
    "project_identity",
    "resolve_conflict",
    "stable_id",
    "summary_zh",
    "units_for_import",
    "write_template",
]
