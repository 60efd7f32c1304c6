"""``evalkit init``: a new project folder from the shipped framework, units and instruments."""

from __future__ import annotations

import shutil
from pathlib import Path

from evalkit.config import CONFIG, FRAMEWORKS, SUBDIRS, new_config, shipped_dir, write_config


def init_project(target: Path, framework_id: str, name: str | None = None) -> list[Path]:
    """Create a project folder from the shipped files; never overwrites an existing file."""
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
        created.append(write_config(target, new_config(name or target.name, framework_id)))
    return created
