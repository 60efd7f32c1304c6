"""What an import needs from the project folder: the instrument to import into and the unit list."""

from __future__ import annotations

from pathlib import Path

from evalkit.config import load_config, read_units
from evalkit.forms import load_instrument
from evalkit.framework import read_framework
from evalkit.interop.problems import IMPORT_INSTRUMENT_UNKNOWN, IMPORT_UNITS_UNREADABLE
from evalkit.problems import did_you_mean, problem


def load_project_instrument(root: Path, instrument_id: str):
    """(instrument, problems) for ``instrument_id`` among ``root/instruments/*.xlsx``."""
    config, problems = load_config(root)
    known, found = [], None
    folder = root / "instruments"
    codes = None
    try:
        fw, _ = read_framework(config.framework_path) if config.framework_path.exists() else (None, [])
        codes = fw.codes() if fw is not None else None
    except Exception:  # pragma: no cover - the framework is only used to check indicator codes
        codes = None
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
        if path.name.startswith("~$"):
            continue
        inst, found_problems = load_instrument(path, codes)
        if inst is None:
            if path.stem == instrument_id:
                return None, problems + found_problems
            continue
        known.append(inst.id)
        if inst.id == instrument_id:
            found = inst
            problems += [p for p in found_problems if p.is_error]
            break
    if found is None:
        problems.append(problem(IMPORT_INSTRUMENT_UNKNOWN, file=str(root), instrument=instrument_id,
                                hint=did_you_mean(instrument_id, known), known="、".join(known) or "（无）"))
    return found, problems


def project_units(root: Path):
    """The project's unit list, or (None, [warning]) when it cannot be read."""
    config, _ = load_config(root)
    if not config.units_path.exists():
        return None, []
    units, found = read_units(config.units_path)
    if units is None:
        return None, [problem(IMPORT_UNITS_UNREADABLE, file=str(config.units_path))]
    return units, []
