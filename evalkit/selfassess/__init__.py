"""The units' self-assessments (自评): the workbook template sent to each unit, its import with
checks, and the claims compared with what the assessors measured.

May use: :mod:`evalkit.checks`, :mod:`evalkit.scoring`, :mod:`evalkit.framework`, :mod:`evalkit.config`,
:mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.selfassess.selfassess import (
    Claim,
    check_inputs,
    claims_table,
    deadline,
    import_workbook,
    load_selfassessments,
    template_name,
    write_selfassessment,
    write_template,
)

__all__ = [
    "Claim",
    "check_inputs",
    "claims_table",
    "deadline",
    "import_workbook",
    "load_selfassessments",
    "template_name",
    "write_selfassessment",
    "write_template",
]
