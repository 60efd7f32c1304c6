"""The ledger's settings, taken from the project's typed configuration: ``[ledger]`` of
evalkit.toml (how a unit's 100 points are spread over its tasks: ``points = "equal"`` or
``"area"`` with ``[ledger.area_weights]``) and the as-of date of ``[evaluation]``.

The file is read and checked once by :mod:`evalkit.config` (a bad value is its
``config-value-invalid``); the ledger only takes the values.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from evalkit.config import ProjectConfig


@dataclass(frozen=True)
class LedgerSettings:
    """``[ledger]`` of evalkit.toml and the as-of date of ``[evaluation]``."""

    points: str = "equal"
    area_weights: Mapping[str, float] = field(default_factory=dict)
    as_of: datetime.date | None = None
    total: float = 100.0


def ledger_settings(config: ProjectConfig) -> LedgerSettings:
    """The ledger's settings of a project: ``[ledger]`` (points, area_weights) and ``as_of``."""
    return LedgerSettings(config.ledger.points, dict(config.ledger.area_weights), config.evaluation.as_of)
