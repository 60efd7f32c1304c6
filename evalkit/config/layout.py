"""Where things live: the project folder's layout and the shipped frameworks, units and instruments.

Layout of a project folder::

    evalkit.toml        settings (name, framework and unit files, as-of date)
    framework.xlsx      the indicator framework (tidy workbook)
    units.xlsx          assessed units and their categories
    assessors.xlsx      the assessors (评估员) and their links to units
    adjustments.xlsx    the lead evaluator's events and manual scores
    instruments/        XLSForm instruments
    frames/ draws/      sampling frames and recorded draws
    raw/                append-only records
    drafts/             unfinished form entries
    ledger/             Jilin City's task tables, states and rosters
    selfassess/         the units' imported self-assessments (evalkit selfassess import)
    out/                derived outputs; can always be deleted
"""

from __future__ import annotations

from pathlib import Path

# framework id -> (framework file, unit list, whether the shipped field instruments fit it).
# The shipped instruments name province indicator codes; Jilin City's method is scored from
# each unit's task ledger instead, so its projects start without them.
FRAMEWORKS = {
    "province-2018": ("province-2018.xlsx", "jilin-city-2018-units.xlsx", True),
    "jilin-city-2018": ("jilin-city-2018.xlsx", "jilin-city-2018-units.xlsx", False),
}
SUBDIRS = ("instruments", "frames", "draws", "raw", "out", "selfassess")


def repository_root() -> Path:
    """The checkout holding the shipped ``instruments/`` (the package sits inside it)."""
    return Path(__file__).resolve().parents[2]


def shipped_dir() -> Path:
    return repository_root() / "instruments"
