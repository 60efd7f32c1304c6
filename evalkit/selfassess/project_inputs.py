"""What the self-assessments read from the project folder: its framework and unit list
(:func:`_basics`) and the ``[selfassess] deadline`` of ``evalkit.toml`` (:func:`deadline`).

Both take the project root; the :class:`~evalkit.project.Project` that loads the folder once is
to replace them (``_basics`` is also used by ``evalkit.cli.selfassess`` until then).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from evalkit.config import load_config, read_units
from evalkit.framework import read_framework


def _basics(root: Path):
    """(framework, unit list, their errors) of the project at ``root``."""
    config, problems = load_config(Path(root))
    fw, found = read_framework(config.framework_path)
    problems += [p for p in found if p.is_error]
    units, found = read_units(config.units_path)
    problems += [p for p in found if p.is_error]
    return fw, units, problems


def deadline(root: Path) -> str:
    """``deadline`` of ``[selfassess]`` in evalkit.toml (text as written), or ''."""
    path = Path(root) / "evalkit.toml"
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("selfassess", {}).get("deadline", ""))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ""
