"""What an import is given from the opened project: the instrument to import into
(:func:`find_instrument`) and the unit list the records' units are checked against
(:func:`units_for_import`).

Nothing here reads the project folder: the caller has opened it once
(:class:`evalkit.project.Project`) and passes its instrument files and unit list.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from evalkit.config import UnitList
from evalkit.forms import Instrument
from evalkit.interop.problems import IMPORT_INSTRUMENT_UNKNOWN, IMPORT_UNITS_UNREADABLE
from evalkit.problems import Problem, did_you_mean, problem


def find_instrument(instrument_files: Mapping[Path, tuple[Instrument | None, list[Problem]]], instrument_id: str,
                    project: Path) -> tuple[Instrument | None, list[Problem]]:
    """(instrument, problems) for ``instrument_id`` among the project's instrument files.

    ``instrument_files`` maps each workbook of ``instruments/``, in file order, to what loading it
    gave (:attr:`evalkit.project.Project.instrument_files`).  A workbook named after the id that
    could not be loaded gives its problems; the instrument found gives its errors; an unknown id
    gives ``import-instrument-unknown`` naming the known ones.
    """
    known: list[str] = []
    for path, (inst, found) in instrument_files.items():
        if inst is None:
            if path.stem == instrument_id:
                return None, list(found)
            continue
        known.append(inst.id)
        if inst.id == instrument_id:
            return inst, [p for p in found if p.is_error]
    return None, [problem(IMPORT_INSTRUMENT_UNKNOWN, file=str(project), instrument=instrument_id,
                          hint=did_you_mean(instrument_id, known), known="、".join(known) or "（无）")]


def units_for_import(units: UnitList | None, units_path: Path) -> tuple[UnitList | None, list[Problem]]:
    """The unit list an import checks units against: None without one, with a warning when it is unreadable."""
    if units is not None or not Path(units_path).exists():
        return units, []
    return None, [problem(IMPORT_UNITS_UNREADABLE, file=str(units_path))]
