"""``evalkit init``: a new project folder from the shipped framework, units and instruments, with
the evaluation's cut-off date (as_of), its period and its year in ``evalkit.toml``."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

from evalkit.config import CONFIG, FRAMEWORKS, SUBDIRS, new_config, shipped_dir, write_config
from evalkit.framework import read_framework


def init_project(target: Path, framework_id: str, name: str | None = None, *, as_of: datetime.date | None = None,
                 period: tuple[datetime.date, datetime.date] | None = None) -> list[Path]:
    """Create a project folder from the shipped files; never overwrites an existing file.

    ``as_of`` (the cut-off date deadlines are judged against) and ``period`` go into evalkit.toml,
    with the evaluation year: the framework's version when it is a year, else the year of ``as_of``."""
    framework_file, units_file, with_instruments = FRAMEWORKS[framework_id]
    source = shipped_dir()
    target.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    for sub in SUBDIRS:
        (target / sub).mkdir(exist_ok=True)
    if framework_id == "jilin-city-2018":  # each unit's task table and its states (evalkit.ledger.ledger)
        (target / "ledger").mkdir(exist_ok=True)
    copies = [(source / "frameworks" / framework_file, target / "framework.xlsx"),
              (source / "frameworks" / units_file, target / "units.xlsx")]
    if with_instruments:
        copies += [(p, target / "instruments" / p.name) for p in sorted(source.glob("*.xlsx"))]
    for src, dst in copies:
        if not dst.exists():
            shutil.copyfile(src, dst)
            created.append(dst)
    if not (target / CONFIG).exists():
        year = _framework_year(target / "framework.xlsx") or (as_of.year if as_of else None)
        days = (period[0].isoformat(), period[1].isoformat()) if period else ("", "")
        created.append(write_config(target, new_config(name or target.name, framework_id,
                                                       as_of=as_of.isoformat() if as_of else "", period=days,
                                                       year=year)))
    return created


def _framework_year(path: Path) -> int | None:
    """The framework's version when it is a year (2018 for the shipped frameworks)."""
    fw, _ = read_framework(path)
    match = re.fullmatch(r"\s*((?:19|20)\d\d)\s*", fw.version or "") if fw is not None else None
    return int(match.group(1)) if match else None
