"""Jilin City's task ledger (任务台账): each unit's 任务分解表 read as its office fills it in,
deadlines read from free text, task states with closing materials, per-unit task points and
overdue / lead deductions for scoring, liaison rosters and the progress reports.

The package reads only its own files (``ledger/`` of a project folder): the settings, the
framework and the unit list are passed in as :class:`evalkit.project.Project` has read them
(``config``, ``fw``, ``units``), and scoring takes the ledger the project loaded once.

Modules, bottom to top: ``problems`` (the catalogue), ``paths``, ``model`` (Task, TaskState,
Ledger, the words of 不涉及), ``deadlines``, ``settings`` (the ledger's values of the typed config,
the evaluation year), ``points``, ``states`` (state rules and entries), ``unit_lines`` (the
填报单位 line), ``table_rows`` (rows that are not tasks, merged spans), ``task_table`` (reading a
任务分解表), ``overrides`` (时限认定.xlsx), ``loading`` (the project's ledger), ``importing``,
``recording``, ``template``, ``events`` (overdue and lead events), ``scoring_inputs`` (what
scoring takes, :class:`LedgerTasks`);
rosters: ``roster_model``, ``contacts``, ``roster_reading``, ``rosters``, ``roster_template``;
reports: ``progress``, ``progress_workbook``.

May use: :mod:`evalkit.scoring`, :mod:`evalkit.framework`, :mod:`evalkit.config`, :mod:`evalkit.io`,
:mod:`evalkit.stats`, :mod:`evalkit.problems`.
"""

from evalkit.ledger.contacts import valid_email, valid_mobile, valid_phone
from evalkit.ledger.deadlines import EMPTY, EXACT, FROM_TEXT, INVALID, UNREADABLE, parse_deadline
from evalkit.ledger.events import lead_events, overdue_events, read_leads
from evalkit.ledger.importing import import_table
from evalkit.ledger.loading import framework_tasks_of, load_ledger
from evalkit.ledger.model import STATUSES, Ledger, Task, TaskState, framework_tasks, not_applicable_word, short_text
from evalkit.ledger.points import largest_remainder
from evalkit.ledger.progress import (
    CADENCES,
    COUNT_HEADERS,
    ProgressReport,
    period_for,
    progress_report,
    summary_text,
)
from evalkit.ledger.progress_workbook import write_report_xlsx
from evalkit.ledger.recording import record_status, store_material
from evalkit.ledger.roster_model import Liaison
from evalkit.ledger.roster_reading import read_roster
from evalkit.ledger.roster_template import write_roster_template
from evalkit.ledger.rosters import import_roster, liaison_for, load_rosters, roster_path, task_matches, task_numbers
from evalkit.ledger.scoring_inputs import LedgerTasks, ledger_leaf, scoring_inputs, unit_framework
from evalkit.ledger.settings import LedgerSettings, ledger_settings
from evalkit.ledger.template import write_template
from evalkit.ledger.unit_lines import written_unit

__all__ = [
    "CADENCES",
    "COUNT_HEADERS",
    "EMPTY",
    "EXACT",
    "FROM_TEXT",
    "INVALID",
    "Ledger",
    "LedgerSettings",
    "LedgerTasks",
    "Liaison",
    "ProgressReport",
    "STATUSES",
    "Task",
    "TaskState",
    "UNREADABLE",
    "framework_tasks",
    "framework_tasks_of",
    "import_roster",
    "import_table",
    "largest_remainder",
    "lead_events",
    "ledger_leaf",
    "ledger_settings",
    "liaison_for",
    "load_ledger",
    "load_rosters",
    "not_applicable_word",
    "overdue_events",
    "parse_deadline",
    "period_for",
    "progress_report",
    "read_leads",
    "read_roster",
    "record_status",
    "roster_path",
    "scoring_inputs",
    "short_text",
    "store_material",
    "summary_text",
    "task_matches",
    "task_numbers",
    "unit_framework",
    "valid_email",
    "valid_mobile",
    "valid_phone",
    "write_report_xlsx",
    "write_roster_template",
    "write_template",
    "written_unit",
]
