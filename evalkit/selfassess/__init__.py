"""The units' self-assessments (自评, seed 004): the workbook template sent to each unit, its import
with checks, and the claims compared with what the assessors measured.

Seed 004 (吉林省文化厅方案 二（一）) has every unit assess itself against the province's index
system before the third-party assessment.  The modules, bottom to top:

* ``problems`` — the catalogue of ``selfassess-*`` problem codes;
* ``layout`` — the workbook's sheets and columns and what it shows of the framework;
* ``claims`` — :class:`Claim`, :class:`SelfAssessment` and the claims as :mod:`evalkit.checks`
  compares them (a claimed share against the sampled interval, a self-score against the points);
* ``template`` — the workbook written for a unit (:func:`write_template`);
* ``reading`` — the filled workbook read back with every check (:func:`read_workbook`);
* ``storage`` — ``selfassess/`` in the project: import, history, load, hand-over to ``evalkit check``.

Nothing here reads ``evalkit.toml``, the framework or the unit list: the caller opens the
project (:class:`evalkit.project.Project`) and passes the framework, the unit list and the
``[selfassess]`` deadline (``project.config.selfassess.deadline``).

May use: :mod:`evalkit.checks`, :mod:`evalkit.scoring`, :mod:`evalkit.framework`, :mod:`evalkit.config`,
:mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.selfassess.claims import Claim, SelfAssessment, claims_table
from evalkit.selfassess.layout import measures_share, template_name
from evalkit.selfassess.reading import read_workbook
from evalkit.selfassess.storage import (
    check_inputs,
    import_workbook,
    load_selfassessments,
    stored_paths,
    write_selfassessment,
)
from evalkit.selfassess.template import write_template

__all__ = [
    "Claim",
    "SelfAssessment",
    "check_inputs",
    "claims_table",
    "import_workbook",
    "load_selfassessments",
    "measures_share",
    "read_workbook",
    "stored_paths",
    "template_name",
    "write_selfassessment",
    "write_template",
]
