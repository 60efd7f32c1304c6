"""The evidence workbook's 文字记录 sheet made ahead, in a forked child, while the rerun validates, scores and
checks: :func:`texts_ahead`.

The sheet holds every free-text answer (a province has 1.5 million): cleaning, masking and writing them as
sheet XML was a third of a rerun's time, all on one core, while the machine has two.  It needs only the records,
the instruments and the names to mask — nothing of the evaluation — so once the records are read a child
made with ``os.fork`` (:func:`evalkit.io.forked.forked`) makes it (:func:`evalkit.reports.workbook.made_texts`)
from the same records the reports will have (:func:`evalkit.reports.data.text_data`), deflates the sheet's whole
zip entry into a file, and hands back the rows' styles and each unit's first answers for its page.

The evidence workbook takes those rows only when they are the very rows it would write
(:func:`evalkit.io.xlsx_made.take_rows`: the same sheet head, its styles as they were in the child, then the
same entry tail when it is saved); otherwise, or when the child gave no result, the sheet is made in the rerun
as before.  Once the rerun has scored, the evidence workbook itself is written by another child while the
rerun makes the report and the pages (:meth:`TextsAhead.evidence_apart`).  After the sheet the child may do more
work that needs only the records (``also``: the rerun's record checks), rather than a second child copying them —
unless the rerun, done scoring first, has claimed that work for itself (:meth:`TextsAhead.claim_also`: when a few
records changed, most units' scores are taken from the last rerun and the sheet is the longer task).
The bytes are the same either way.  A rerun asks for it with ``jobs=2`` (``evalkit rerun``'s default on a machine
with two cores or more and ``fork``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from evalkit.io.durable import link_or_copy
from evalkit.io.forked import Forked, forked, room_for_a_copy
from evalkit.io.xlsx_made import MadeRows
from evalkit.project import Project
from evalkit.reports.data import ReportData, text_data
from evalkit.reports.workbook import made_texts, write_evidence

ALSO_CLAIM = "also.claim"   # made, in the child's folder, by whichever of the rerun and the child does ``also``


def _claim(folder: str) -> bool:
    """Whether this process has the ``also`` work to itself: the first to make the claim file in ``folder`` has
    it (``O_EXCL``: one of the two, however close); a claim that cannot be made for another reason is not had."""
    try:
        os.close(os.open(os.path.join(folder, ALSO_CLAIM), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        return False
    return True


class MadeTexts(NamedTuple):
    """The child's result: the 文字记录 sheets' rows, a :class:`MadeRows` per sheet (``None`` when they could not be
    made apart), each unit's first free-text answers and their count
    (:meth:`evalkit.reports.data.ReportData.unit_texts`), and what the child was also asked to work out
    (``also``: :func:`texts_ahead`; None when nothing, or it failed) — never kept for the next rerun."""

    sheets: tuple[MadeRows, ...] | None
    heads: dict
    counts: dict
    also: object = None


class TextsAhead:
    """The 文字记录 sheet being made in a child (:func:`texts_ahead`, its files in ``folder``)."""

    def __init__(self, child: Forked, folder: str, *, apart: bool = True, fresh: bool = True) -> None:
        self.child, self.folder = child, folder
        self.apart = apart  # the evidence workbook may be written by a forked child (evidence_apart)
        self.fresh = fresh  # made in this run (by a child or here), not kept by the last one: to be kept
        self.note = ""  # why the child's rows (or the evidence workbook's child) were not used, when they were not
        self.kept: list[str] | None = None  # a second name of each of the child's deflated entries, left when the
        # workbook is saved

    def give(self, data: ReportData) -> bool:
        """The child's rows and texts put into the report data ``data`` (waiting for the child); False when the
        child gave none (:attr:`note` says why): the sheet is then made from ``data`` as usual."""
        ok, made = self.child.result()
        if not ok or made is None or made.sheets is None:
            self.note = str(made) if not ok else "子进程未写出文字记录"
            return False
        data.texts_made = made.sheets
        data._text_heads, data._text_counts = made.heads, made.counts
        if self.fresh:   # the workbook removes each deflated entry once it is copied in: a second name keeps it
            kept = []    # for the next rerun
            with contextlib.suppress(OSError):
                for sheet in made.sheets:
                    if sheet.deflated is not None:
                        link_or_copy(sheet.deflated[1], sheet.deflated[1] + ".kept")
                        kept.append(sheet.deflated[1] + ".kept")
                self.kept = kept
        return True

    @contextmanager
    def evidence_apart(self, data: ReportData, path: Path) -> Iterator[Callable[[], Path] | None]:
        """The evidence workbook written to ``path`` from ``data`` (given the child's rows, :meth:`give`) by another
        forked child while the caller makes the report and the pages; yields the call that waits for it and gives
        ``path`` — written here when that child gave no result — or ``None`` when no child can be made (or may:
        ``--jobs 1``)."""
        if not self.apart or not room_for_a_copy():
            yield None
            return
        with forked(lambda: write_evidence(data, path), self.folder) as child:
            yield None if child is None else lambda: self._written(child, data, path)

    def _written(self, child: Forked, data: ReportData, path: Path) -> Path:
        ok, why = child.result()
        if ok:
            return path
        self.note = str(why)  # a half-written file of the child's: save_workbook writes the same ".tmp" and renames it
        data.texts_made = None  # its entry went with the child's sheet, or may have: the sheet is made here again
        return write_evidence(data, path)

    def claim_also(self) -> bool:
        """Whether the caller is to do the ``also`` work itself: True when the child has not begun it (it then skips
        it) or there is no child; False when the child has it (:meth:`also` waits for it)."""
        return not isinstance(self.child, Forked) or _claim(self.folder)

    def also(self) -> object:
        """What the child was also asked to work out (:func:`texts_ahead`'s ``also``), waiting for it; None when the
        child gave nothing, was not asked, or failed at it (the caller then works it out itself)."""
        ok, made = self.child.result()
        return made.also if ok and made is not None else None

    def made(self) -> MadeTexts | None:
        """The sheet the child made, once it has been used without a hitch (for the next rerun to keep,
        :mod:`evalkit.pipeline.texts_cache`); ``None`` when it gave none or something went wrong with it."""
        ok, made = self.child.result()
        if not ok or self.note or made is None or made.sheets is None or self.kept is None:
            return None
        kept, sheets = iter(self.kept), []
        for sheet in made.sheets:
            if sheet.deflated is not None:
                tail, _, crc, size = sheet.deflated
                sheet = sheet._replace(deflated=(tail, next(kept), crc, size))
            sheets.append(sheet)
        return made._replace(sheets=tuple(sheets), also=None)


class _Given:
    """A child's answer had without a child: the sheet the last rerun kept (:func:`texts_given`)."""

    pid = 0

    def __init__(self, made: MadeTexts) -> None:
        self._made = made

    def result(self, stall: float = 0.0) -> tuple[bool, MadeTexts]:
        return True, self._made

    def stop(self) -> None:
        """Nothing to stop."""


def texts_given(made: MadeTexts, folder: str, *, apart: bool = True) -> TextsAhead:
    """The 文字记录 sheet already made (``made``: kept by the last rerun, :mod:`evalkit.pipeline.texts_cache`) as
    :class:`TextsAhead` gives a child's: taken by the evidence workbook when it is the very sheet it would write
    (``apart``: written by a forked child of its own)."""
    return TextsAhead(_Given(made), folder, apart=apart, fresh=False)  # type: ignore[arg-type] - as a Forked


@contextmanager
def texts_here(project: Project, near: Path, *, mask_personal: bool = True) -> Iterator[TextsAhead]:
    """The 文字记录 sheet made in this process, as a child makes it (:func:`texts_ahead`; its files in a folder made
    in ``near``, removed on leaving), to be kept for the next rerun: ``--jobs 1``, or no ``fork``.  The same work as
    the evidence workbook making the sheet itself, and the same bytes."""
    folder = tempfile.mkdtemp(prefix=".evalkit-ahead-", dir=near)
    try:
        yield TextsAhead(_Given(_make(project, folder, mask_personal)), folder, apart=False)  # type: ignore[arg-type]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _make(project: Project, folder: str, mask_personal: bool, also: Callable[[], object] | None = None) -> MadeTexts:
    data = text_data(project, mask_personal=mask_personal)
    sheets = made_texts(data, folder)
    done = None
    if also is not None and _claim(folder):   # unless the rerun has claimed it first
        try:
            done = also()
        except Exception:  # noqa: BLE001 - the sheets still count: the rerun works it out itself (TextsAhead.also)
            done = None
    return MadeTexts(sheets, data._text_heads or {}, data._text_counts or {}, done)


@contextmanager
def texts_ahead(project: Project, near: Path, *, mask_personal: bool = True,
                also: Callable[[], object] | None = None) -> Iterator[TextsAhead | None]:
    """The 文字记录 sheet of ``project``'s evidence workbook started in a forked child (its records read first),
    its files in a folder made in ``near`` (the output folder: the entry is about a tenth of a gigabyte) and
    removed on leaving; yields ``None`` when this system cannot fork, or when the machine has not the memory for
    a child that copies this process (:func:`evalkit.io.forked.room_for_a_copy`): the rerun makes it then.
    ``also()``, called in the child after the sheet, is more work that needs only the records (the rerun's record
    checks: no second child copying them), given by :meth:`TextsAhead.also`, unless the rerun claimed it first
    (:meth:`TextsAhead.claim_also`); it must return something picklable."""
    project.records  # noqa: B018 - read before the fork: the child has them
    if not room_for_a_copy():
        yield None
        return
    folder = tempfile.mkdtemp(prefix=".evalkit-ahead-", dir=near)
    try:
        with forked(lambda: _make(project, folder, mask_personal, also), folder) as child:
            yield TextsAhead(child, folder) if child is not None else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
