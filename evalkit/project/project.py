"""The Project: one evaluation folder, each of its inputs read once.

``open_project(path)`` gives a :class:`Project`; the command line, the pages, ``evalkit rerun``
and the lead evaluator's notebooks all work through it.  Every input is read the first time it
is asked for and then kept on the object — the settings, the framework, the unit and assessor
lists, the instruments, a snapshot of the record store, the adjustments, the task ledger, the
liaison rosters, the self-assessments and the recorded draws — together with the problems
found while reading it.  Nothing is read twice, so validation, scoring, the checks and the
reports of one run all see the same inputs.

The record store itself (:attr:`Project.store`) is never cached: the forms write through it and
must always see the files as they are.  :attr:`Project.records` is the snapshot one run uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from evalkit.config import CONFIG, ProjectConfig, UnitList, load_config, read_units
from evalkit.forms import Instrument, load_instrument
from evalkit.framework import Framework, read_framework
from evalkit.ledger import Ledger, load_ledger, load_rosters, scoring_inputs
from evalkit.problems import ERROR, Problem
from evalkit.sampling import Assessor, SamplingError, list_draws, read_assessors, read_draw
from evalkit.scoring import Event, ManualScore, UnitsInMemory, read_adjustments
from evalkit.selfassess import check_inputs
from evalkit.store import Drafts, Snapshot, Store

ASSESSORS = "assessors.xlsx"


@dataclass(frozen=True)
class LedgerInputs:
    """What a per-unit (台账) framework adds to scoring: the ledger and the events it implies."""

    ledger: Ledger | None
    events: tuple[Event, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class SelfassessInputs:
    """The units' imported self-assessments as the checks compare them with the scores."""

    reports: tuple
    claimed: tuple
    submitted: frozenset[str] | None
    problems: tuple[Problem, ...]


class Project:
    """One evaluation project folder (see the module docstring).

    ``root`` is kept as given (relative paths stay relative in problem locations); the
    project need not exist — every missing input is a problem, never an exception.
    """

    def __init__(self, root: Path | str, revisions: frozenset[str] | None = None, *,
                 known_clean: frozenset[str] = frozenset(), known_answers: Mapping | None = None,
                 jobs: int = 1) -> None:
        self.root = Path(root)
        self.revisions = revisions   # a recorded set of revisions to read (rerun --verify), or all
        # what an earlier rerun worked out of unchanged content (evalkit.pipeline.cache): the record packs a
        # full verification found clean, and records' answer issues (evalkit.store.check_records' known)
        self.known_clean = known_clean
        self.known_answers = known_answers or {}
        self.checked_answers: dict = {}   # every record's answer issues as validate_project found them
        self.jobs = jobs   # 2 or more: the record packs verified in a forked child while the views are made

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    @property
    def exists(self) -> bool:
        """Whether the folder is an evalkit project (has ``evalkit.toml``)."""
        return (self.root / CONFIG).is_file()

    @cached_property
    def scored_units(self) -> UnitsInMemory:
        """The units this project was scored into, held in memory for whatever scores it again in this process
        (:func:`evaluate`'s ``reuse``): the scoring page's what-if and the notebooks' take each unit whose tallies
        and draws it shares with the scoring before, whatever thresholds, points or adjustments they try."""
        return UnitsInMemory()

    # ------------------------------------------------------------ settings and set-up files
    @cached_property
    def _config(self) -> tuple[ProjectConfig, list[Problem]]:
        return load_config(self.root)

    @property
    def config(self) -> ProjectConfig:
        return self._config[0]

    @property
    def config_problems(self) -> list[Problem]:
        return list(self._config[1])

    @cached_property
    def _framework(self) -> tuple[Framework | None, list[Problem]]:
        return read_framework(self.config.framework_path)

    @property
    def framework(self) -> Framework | None:
        return self._framework[0]

    @property
    def framework_problems(self) -> list[Problem]:
        return list(self._framework[1])

    @cached_property
    def _units(self) -> tuple[UnitList | None, list[Problem]]:
        return read_units(self.config.units_path)

    @property
    def units(self) -> UnitList | None:
        return self._units[0]

    @property
    def units_problems(self) -> list[Problem]:
        return list(self._units[1])

    @cached_property
    def instrument_files(self) -> dict[Path, tuple[Instrument | None, list[Problem]]]:
        """Each instrument workbook of ``instruments/`` with what loading it gave (instrument or None, problems)."""
        folder = self.root / "instruments"
        codes = self.framework.codes() if self.framework else None
        paths = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$")) if folder.is_dir() else []
        return {path: load_instrument(path, codes) for path in paths}

    @property
    def instruments(self) -> dict[str, Instrument]:
        """The project's instruments by id (those that could be loaded)."""
        return {inst.id: inst for inst, _ in self.instrument_files.values() if inst is not None}

    @cached_property
    def _assessors(self) -> tuple[list[Assessor] | None, list[Problem]]:
        path = self.root / ASSESSORS
        if not path.exists():
            return None, []
        return read_assessors(path, self.units)

    @property
    def assessor_problems(self) -> list[Problem]:
        """The problems of ``assessors.xlsx`` (a bad 账号 or 角色 named with its row, …)."""
        return self._assessors[1]

    @property
    def assessors(self) -> list[Assessor] | None:
        """The assessor list (``assessors.xlsx``), or None when the project has none."""
        return self._assessors[0]

    @cached_property
    def known_assessors(self) -> set[str] | None:
        """Ids and names of the listed assessors (records may carry either); None without a list."""
        return {x for a in self.assessors or () for x in (a.id, a.name) if x} or None

    # ------------------------------------------------------------ records
    @property
    def store(self) -> Store:
        """The live record store (uncached: what the forms write and read)."""
        return Store(self.root)

    @property
    def drafts(self) -> Drafts:
        return Drafts(self.root)

    @cached_property
    def record_snapshot(self) -> Snapshot:
        """The one read of the record store this project object uses, verified revision by revision:
        the records, the problems met and the set of revisions with its root hash."""
        return self.store.snapshot(only=self.revisions, verify=True, known_clean=self.known_clean,
                                   apart=self.jobs > 1)

    @property
    def records(self) -> list:
        """Every record as this project object first read them (deleted ones included)."""
        return self.record_snapshot.views

    @property
    def record_problems(self) -> list[Problem]:
        """The damaged, changed or stray files and the broken revision rules met while reading the records."""
        return list(self.record_snapshot.problems)

    # ------------------------------------------------------------ the lead evaluator's inputs
    @cached_property
    def _adjustments(self) -> tuple[list[Event], list[ManualScore], list[Problem]]:
        return read_adjustments(self.root)

    @property
    def events(self) -> list[Event]:
        """The events of ``adjustments.xlsx`` (加减分事项)."""
        return self._adjustments[0]

    @property
    def manual_scores(self) -> list[ManualScore]:
        """The manual scores of ``adjustments.xlsx`` (人工评分)."""
        return self._adjustments[1]

    @property
    def adjustment_problems(self) -> list[Problem]:
        """What could not be read in ``adjustments.xlsx``."""
        return list(self._adjustments[2])

    @cached_property
    def _ledger(self) -> tuple[Ledger, list[Problem]]:
        return load_ledger(self.root, self.config, self.framework, self.units)

    @property
    def ledger(self) -> Ledger:
        """The task ledger (``ledger/``) as this project object first read it: every imported unit's
        tasks and their latest states (empty unless the framework is per unit)."""
        return self._ledger[0]

    @property
    def ledger_problems(self) -> list[Problem]:
        """What was found reading the ledger (the tables, the deadlines, the state entries)."""
        return list(self._ledger[1])

    @cached_property
    def ledger_inputs(self) -> LedgerInputs:
        """The task ledger of a per-unit (台账) framework and the events it implies (empty otherwise)."""
        if self.framework is None or self.units is None:
            return LedgerInputs(None, (), ())
        ledger, events, problems = scoring_inputs(self.root, self.framework, self.units, self._ledger)
        return LedgerInputs(ledger, tuple(events), tuple(problems))

    @cached_property
    def selfassess_inputs(self) -> SelfassessInputs:
        """The imported self-assessments, as the checks use them."""
        reports, claimed, submitted, problems = check_inputs(self.root)
        return SelfassessInputs(tuple(reports), tuple(claimed),
                                None if submitted is None else frozenset(submitted), tuple(problems))

    @cached_property
    def rosters(self) -> tuple[dict, list[Problem]]:
        """The liaison rosters (``ledger/roster/``) and their problems."""
        return load_rosters(self.root)

    @cached_property
    def draws(self) -> list:
        """Every readable draw record of ``draws/``, by id (damaged ones are named by validate)."""
        found = []
        for draw_id in list_draws(self.root):
            try:
                found.append(read_draw(self.root, draw_id))
            except SamplingError:
                continue
        return found

    # ------------------------------------------------------------ problems of reading
    def load_problems(self) -> dict[str, list[Problem]]:
        """Problems of the settings and set-up files by file (what the pages show on opening)."""
        found: dict[str, list[Problem]] = {}
        for file, problems in ((str(self.root / CONFIG), self._config[1]),
                               (str(self.config.framework_path), self._framework[1]),
                               (str(self.config.units_path), self._units[1]),
                               *((str(path), probs) for path, (_, probs) in self.instrument_files.items())):
            if problems:
                found.setdefault(file, []).extend(problems)
        return found

    def load_errors(self) -> list[Problem]:
        """The errors among :meth:`load_problems`, in file order."""
        return [p for problems in self.load_problems().values() for p in problems if p.severity == ERROR]


def open_project(root: Path | str) -> Project:
    """The project at ``root`` (nothing is read until asked for)."""
    return Project(root)
