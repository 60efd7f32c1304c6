"""The evaluation's reports in one call: the Excel report, the evidence workbook and the HTML reports
(:func:`write_reports`).

:func:`write_reports` gathers what every report needs into one
:class:`~evalkit.reports.data.ReportData` (:func:`~evalkit.reports.data.report_data`)
and hands it to :mod:`evalkit.reports.workbook` (``评估报告.xlsx``, ``评估证据.xlsx``) and
:mod:`evalkit.reports.pages` (``index.html`` and the pages it links).

Reports are evidence, so they are reproducible and safe:

* the same inputs give the same bytes: no wall-clock time (the as-of date of
  ``evalkit.toml`` is an input), every list in a stable order, the workbook's
  zip entries and document properties with fixed dates (:func:`evalkit.io.xlsx_stream.save_workbook`);
* text from the field never becomes a formula in the workbook and is always
  HTML-escaped in the pages;
* citizens' names and phone numbers are masked unless ``mask_personal=False``
  (:mod:`evalkit.reports.masking`);
* the output folder is only written to, never cleaned.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from evalkit.io.heap import frozen_heap
from evalkit.problems import Problem
from evalkit.project import Project
from evalkit.reports.ahead import TextsAhead
from evalkit.reports.data import report_data
from evalkit.reports.pages import write_html
from evalkit.reports.workbook import EVIDENCE_NAME, WORKBOOK_NAME, write_evidence, write_workbook


def write_reports(project: Project, out_dir: Path, evaluation, problems: list[Problem], *,
                  mask_personal: bool = True, texts: TextsAhead | None = None,
                  meanwhile: Callable[[], object] | None = None) -> list[Path]:
    """Write ``评估报告.xlsx``, ``评估证据.xlsx`` and the HTML reports into ``out_dir``; returns the paths
    written, in a stable order.

    ``project`` is the opened project ``evaluation`` was scored from: its settings, framework,
    unit list, instruments, records (:attr:`~evalkit.project.Project.records`) and draws are
    what the reports show.  Nothing else in ``out_dir`` is touched.  ``problems`` are the
    validate, input and check problems; the evaluation's own problems are added (duplicates once).
    ``texts``: the evidence workbook's 文字记录 sheet made ahead in a child (:mod:`evalkit.reports.ahead`), taken
    when it is the sheet these reports would write.  ``meanwhile()`` is called once the report and the pages are
    written, before waiting for the evidence workbook (saved by a thread or a forked child): the rerun writes its
    results then, instead of waiting.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # what is already loaded (a province: millions of records' answers) is left out of the garbage collector's
    # passes while the reports make millions of short-lived rows: those passes took a quarter of the time
    # (evalkit.io.heap: inside a rerun's own frozen block, this freezes the evaluation made since, and thaws nothing)
    with frozen_heap():
        return _write_all(project, out_dir, evaluation, problems, mask_personal, texts, meanwhile or _nothing)


def _nothing() -> None:
    """Nothing to do meanwhile."""


def _write_all(project: Project, out_dir: Path, evaluation, problems: list[Problem], mask_personal: bool,
               texts: TextsAhead | None, meanwhile: Callable[[], object]) -> list[Path]:
    data = report_data(project, evaluation, problems, mask_personal=mask_personal)
    if texts is not None and texts.give(data):  # the unit pages' free text given: the evidence can be written apart
        with texts.evidence_apart(data, out_dir / EVIDENCE_NAME) as evidence:
            if evidence is not None:
                report = write_workbook(data, out_dir / WORKBOOK_NAME)
                pages = write_html(data, out_dir)
                meanwhile()
                return [report, evidence(), *pages]
    # the evidence first (its pass over the free text keeps each unit's first answers for the unit pages); its
    # ~1 GB of sheet XML is deflated in a thread — zlib lets the report and the pages be made meanwhile
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evalkit-save") as saver:
        evidence = write_evidence(data, out_dir / EVIDENCE_NAME, saver=saver)
        report = write_workbook(data, out_dir / WORKBOOK_NAME)
        pages = write_html(data, out_dir)
        meanwhile()
        return [report, evidence.result(), *pages]
