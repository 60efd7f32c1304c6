"""The ledger's settings, taken from the project's typed configuration: ``[ledger]`` of
evalkit.toml (how a unit's 100 points are spread over its tasks: ``points = "equal"`` or
``"area"`` with ``[ledger.area_weights]``), the as-of date of ``[evaluation]``, and the
evaluation year a deadline written without a year falls in.

The evaluation year is ``[evaluation] year`` of evalkit.toml (``evalkit init`` writes it), else
the framework's version when it is a year (jilin-city-2018: 2018 — the year its tasks belong to,
even when the cut-off date falls in January of the next), else the year of the as-of date; the
same at import, at loading and at scoring, and named in every note of a deadline read with it.

The file is read and checked once by :mod:`evalkit.config` (a bad value is its
``config-value-invalid``); the ledger only takes the values.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from evalkit.config import ProjectConfig
from evalkit.framework import Framework


@dataclass(frozen=True)
class LedgerSettings:
    """``[ledger]`` of evalkit.toml, the as-of date of ``[evaluation]`` and the evaluation year."""

    points: str = "equal"
    area_weights: Mapping[str, float] = field(default_factory=dict)
    as_of: datetime.date | None = None
    total: float = 100.0
    year: int | None = None
    year_source: str = ""          # where the year comes from, for the notes


def evaluation_year(config: ProjectConfig, fw: Framework | None = None) -> tuple[int | None, str]:
    """The evaluation year and where it comes from (see the module docstring); (None, "") when unknown."""
    ev = config.evaluation
    if ev.year is not None:
        return ev.year, "项目设置 evalkit.toml 的 year"
    version = re.fullmatch(r"\s*((?:19|20)\d\d)\s*", fw.version or "") if fw is not None else None
    if version:
        return int(version.group(1)), f"框架 {fw.id} 的版本 {version.group(1)}"
    if ev.as_of is not None:
        return ev.as_of.year, f"项目设置 evalkit.toml 的评估截止日期 {ev.as_of.isoformat()}"
    return None, ""


def ledger_settings(config: ProjectConfig, fw: Framework | None = None) -> LedgerSettings:
    """The ledger's settings of a project: ``[ledger]`` (points, area_weights), ``as_of`` and the
    evaluation year (``fw``, the project's framework, gives it when evalkit.toml does not)."""
    year, source = evaluation_year(config, fw)
    return LedgerSettings(config.ledger.points, dict(config.ledger.area_weights), config.evaluation.as_of,
                          year=year, year_source=source)
