"""The ledger's settings: ``[ledger]`` of evalkit.toml (how a unit's 100 points are spread over its
tasks: ``points = "equal"`` or ``"area"`` with ``[ledger.area_weights]``) and the as-of date of
``[evaluation]``.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.ledger.problems import LEDGER_AS_OF_INVALID, LEDGER_CONFIG_INVALID
from evalkit.problems import Problem, problem


@dataclass(frozen=True)
class LedgerSettings:
    """``[ledger]`` of evalkit.toml and the as-of date of ``[evaluation]``."""

    points: str = "equal"
    area_weights: Mapping[str, float] = field(default_factory=dict)
    as_of: datetime.date | None = None
    total: float = 100.0


def read_settings(root: Path) -> tuple[LedgerSettings, list[Problem]]:
    """``[ledger]`` (points, area_weights) and ``as_of`` from ``[evaluation]``."""
    path = Path(root) / "evalkit.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return LedgerSettings(), []  # evalkit validate reports the broken file
    problems: list[Problem] = []
    as_of_text = str(data.get("evaluation", {}).get("as_of", "") or "").strip()
    as_of = None
    if as_of_text:
        try:
            as_of = datetime.date.fromisoformat(as_of_text)
        except ValueError:
            problems.append(problem(LEDGER_AS_OF_INVALID, value=as_of_text, file=str(path), field="as_of"))
    section = data.get("ledger", {})
    mode = str(section.get("points", "equal"))
    if mode not in ("equal", "area"):
        problems.append(problem(LEDGER_CONFIG_INVALID, field="points", file=str(path),
                                detail=f"「{mode}」应为 \"equal\"（每项任务等分）或 \"area\"（按一级指标权重）。"))
        mode = "equal"
    weights: dict[str, float] = {}
    for key, value in dict(section.get("area_weights", {})).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(problem(LEDGER_CONFIG_INVALID, field=f"area_weights.{key}", file=str(path),
                                    detail=f"权重「{value}」应为不小于 0 的数字。"))
        else:
            weights[str(key)] = float(value)
    if mode == "area" and not weights:
        problems.append(problem(LEDGER_CONFIG_INVALID, field="area_weights", file=str(path),
                                detail="points = \"area\" 需要 [ledger.area_weights]，如 \"1\" = 10。"))
    return LedgerSettings(mode, weights, as_of), problems
