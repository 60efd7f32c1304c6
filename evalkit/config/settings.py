"""The project's settings: ``evalkit.toml``, read once into one typed configuration.

Sections and keys (every one optional; a missing file gives the defaults)::

    [evaluation]  name, framework, units (files inside the project), as_of (date),
                  period_start / period_end (dates, both or neither), year (the evaluation
                  year: a deadline written without a year falls in it), project_id
    [scoring]     include_received (bool), seed (int), draws (int ≥ 0), rank_provisional (bool: rank
                  units whose total is provisional, marked 待定, instead of leaving them unranked)
    [ledger]      points = "equal" | "area", [ledger.area_weights] area code = weight ≥ 0
    [selfassess]  deadline (text as it goes into the self-assessment workbook)
    [demo]        seed, units, records (how ``evalkit demo`` made the project)

:func:`load_config` reads the file with :mod:`tomllib` and never raises for a user's mistake:
an unreadable file, a value of the wrong kind or an unknown key is a problem naming the file and
the key, and the setting keeps its default.  Dates may be written as TOML dates
(``as_of = 2018-12-20``) or as text (``as_of = "2018-12-20"``).

The file is written only through :mod:`tomlkit` (:mod:`evalkit.config.writing`), so
comments survive an update and no value is ever pasted into TOML text by string formatting.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from evalkit.config.problems import CONFIG_BAD, CONFIG_KEY_UNKNOWN, CONFIG_VALUE_INVALID
from evalkit.problems import Problem, did_you_mean, problem

CONFIG = "evalkit.toml"
DEFAULT_SEED = 20181102
DEFAULT_DRAWS = 1000


@dataclass(frozen=True)
class EvaluationConfig:
    """``[evaluation]``: what is evaluated, from which files, as of when."""

    name: str = ""
    framework: str = "framework.xlsx"
    units: str = "units.xlsx"
    as_of: dt.date | None = None
    period: tuple[dt.date, dt.date] | None = None
    project_id: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class ScoringConfig:
    """``[scoring]``: which records count, the seed and number of the uncertainty draws, and whether units
    with a provisional total (a leaf without a score) are ranked anyway (marked 待定)."""

    include_received: bool = False
    seed: int = DEFAULT_SEED
    draws: int = DEFAULT_DRAWS
    rank_provisional: bool = False


@dataclass(frozen=True)
class LedgerConfig:
    """``[ledger]``: how a unit's 100 points are spread over its tasks (Jilin City's method)."""

    points: str = "equal"
    area_weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SelfassessConfig:
    """``[selfassess]``: the deadline printed on the units' self-assessment workbooks."""

    deadline: str = ""


@dataclass(frozen=True)
class DemoConfig:
    """``[demo]``: the arguments ``evalkit demo`` was run with (informational)."""

    seed: int | None = None
    units: int | None = None
    records: int | None = None


@dataclass(frozen=True)
class ProjectConfig:
    """Every section of ``evalkit.toml`` of the project at ``root``."""

    root: Path
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    ledger: LedgerConfig = field(default_factory=LedgerConfig)
    selfassess: SelfassessConfig = field(default_factory=SelfassessConfig)
    demo: DemoConfig = field(default_factory=DemoConfig)

    @property
    def path(self) -> Path:
        return self.root / CONFIG

    @property
    def name(self) -> str:
        return self.evaluation.name or self.root.name

    @property
    def framework_path(self) -> Path:
        return self.root / self.evaluation.framework

    @property
    def units_path(self) -> Path:
        return self.root / self.evaluation.units

    @property
    def as_of(self) -> str:
        """The as-of date as ISO text, '' when none is set (what reports and manifests print)."""
        return self.evaluation.as_of.isoformat() if self.evaluation.as_of else ""

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        return self.evaluation.period


# ---------------------------------------------------------------- reading


class _Reader:
    """Turns one parsed section into typed values, collecting a problem for each bad one."""

    def __init__(self, path: Path, name: str, data: object, problems: list[Problem]):
        self.path, self.name, self.problems = path, name, problems
        if not isinstance(data, dict):
            if data is not None:
                self.bad("", data, f"应为一个表（[{name}] 段）")
            data = {}
        self.data: dict = data

    def bad(self, key: str, value: object, expected: str) -> None:
        where = f"{self.name}.{key}" if key else self.name
        self.problems.append(problem(CONFIG_VALUE_INVALID, file=str(self.path), field=where, key=where,
                                     value=_show(value), expected=expected))

    def known(self, keys: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in keys:
                where = f"{self.name}.{key}"
                self.problems.append(problem(CONFIG_KEY_UNKNOWN, file=str(self.path), field=where, key=where,
                                             hint=_hint(key, keys)))

    def given(self, key: str) -> bool:
        """Whether the key has a value (an empty string counts as not given)."""
        value = self.data.get(key)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if isinstance(value, str):
            return value.strip()
        self.bad(key, value, "应为文字，写在英文双引号中")
        return default

    def file(self, key: str, default: str) -> str:
        value = self.text(key, default) or default
        pure = PurePosixPath(value.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or (len(value) > 1 and value[1] == ":"):
            self.bad(key, value, "应为项目文件夹中的文件名（相对路径，不能含「..」或盘符），如 \"framework.xlsx\"")
            return default
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key, "")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.bad(key, value, "应为 年-月-日 格式的日期，如 \"2018-11-20\"")
        return None

    def integer(self, key: str, default: int, minimum: int | None = None) -> int:
        value = self.data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum):
            return value
        floor = f"不小于 {minimum} 的" if minimum is not None else ""
        self.bad(key, value, f"应为{floor}整数")
        return default

    def optional_integer(self, key: str) -> int | None:
        return self.integer(key, 0) if key in self.data else None

    def year(self, key: str) -> int | None:
        """A calendar year (1900–2100, also as text), None when not given (or written as "")."""
        value = self.data.get(key)
        number = int(value.strip()) if isinstance(value, str) and value.strip().isdigit() else value
        if not self.given(key) or (type(number) is int and 1900 <= number <= 2100):
            return number if self.given(key) else None
        self.bad(key, value, "应为四位数的年份，如 2018")
        return None

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if isinstance(value, bool):
            return value
        self.bad(key, value, "应为 true 或 false（不加引号）")
        return default


def _hint(word: str, known: tuple[str, ...]) -> str:
    close = did_you_mean(word, known)
    return close.removeprefix("，") if close else "可用的有：" + "、".join(known) + "。"


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"\"{value}\""
    return text if len(text) <= 60 else text[:57] + "…"


def _evaluation(r: _Reader, root: Path) -> EvaluationConfig:
    r.known(("name", "framework", "units", "as_of", "period_start", "period_end", "year", "project_id"))
    start, end = r.date("period_start"), r.date("period_end")
    period = None
    if start and end:
        if start <= end:
            period = (start, end)
        else:
            r.bad("period_end", end.isoformat(), f"评估期结束日期应不早于开始日期 {start.isoformat()}")
    elif (start or end) and not (r.given("period_start") and r.given("period_end")):  # one end not written at all
        r.bad("period_end" if start else "period_start", "",
              "period_start 和 period_end 应同时填写（或都留空）")
    project_id = r.text("project_id") or None
    return EvaluationConfig(name=r.text("name"), framework=r.file("framework", "framework.xlsx"),
                            units=r.file("units", "units.xlsx"), as_of=r.date("as_of"), period=period,
                            project_id=project_id, year=r.year("year"))


def _scoring(r: _Reader) -> ScoringConfig:
    r.known(("include_received", "seed", "draws", "rank_provisional"))
    return ScoringConfig(include_received=r.flag("include_received", False), seed=r.integer("seed", DEFAULT_SEED),
                         draws=r.integer("draws", DEFAULT_DRAWS, minimum=0),
                         rank_provisional=r.flag("rank_provisional", False))


def _ledger(r: _Reader) -> LedgerConfig:
    r.known(("points", "area_weights"))
    points = r.text("points", "equal") or "equal"
    if points not in ("equal", "area"):
        r.bad("points", points, "应为 \"equal\"（每项任务等分）或 \"area\"（按一级指标权重）")
        points = "equal"
    weights: dict[str, float] = {}
    raw = r.data.get("area_weights", {})
    if not isinstance(raw, dict):
        r.bad("area_weights", raw, "应为一个表，如 [ledger.area_weights] 下写 \"1\" = 10")
        raw = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            r.bad(f"area_weights.{key}", value, "权重应为不小于 0 的数字")
        else:
            weights[str(key)] = float(value)
    if points == "area" and not weights:
        r.bad("area_weights", "", "points = \"area\" 需要 [ledger.area_weights]，如 \"1\" = 10")
    return LedgerConfig(points=points, area_weights=weights)


def _selfassess(r: _Reader) -> SelfassessConfig:
    r.known(("deadline",))
    value = r.data.get("deadline", "")
    if isinstance(value, dt.date):
        return SelfassessConfig(deadline=value.isoformat())
    return SelfassessConfig(deadline=r.text("deadline"))


def _demo(r: _Reader) -> DemoConfig:
    r.known(("seed", "units", "records"))
    return DemoConfig(seed=r.optional_integer("seed"), units=r.optional_integer("units"),
                      records=r.optional_integer("records"))


SECTIONS = ("evaluation", "scoring", "ledger", "selfassess", "demo")


def parse_config(root: Path, data: Mapping[str, Any], path: Path | None = None) -> tuple[ProjectConfig, list[Problem]]:
    """The typed configuration from an already parsed TOML mapping, with a problem per bad value."""
    path = path or Path(root) / CONFIG
    problems: list[Problem] = []
    for key in data:
        if key not in SECTIONS:
            problems.append(problem(CONFIG_KEY_UNKNOWN, file=str(path), field=key, key=f"[{key}]",
                                    hint=_hint(key, SECTIONS)))

    def reader(name: str) -> _Reader:
        return _Reader(path, name, data.get(name), problems)

    config = ProjectConfig(root=Path(root), evaluation=_evaluation(reader("evaluation"), Path(root)),
                           scoring=_scoring(reader("scoring")), ledger=_ledger(reader("ledger")),
                           selfassess=_selfassess(reader("selfassess")), demo=_demo(reader("demo")))
    return config, problems


def load_config(root: Path) -> tuple[ProjectConfig, list[Problem]]:
    """Settings from ``root/evalkit.toml``; defaults (and a problem) when it cannot be read."""
    root = Path(root)
    path = root / CONFIG
    if not path.exists():
        return ProjectConfig(root=root), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        return ProjectConfig(root=root), [problem(CONFIG_BAD, file=str(path), detail=str(exc))]
    return parse_config(root, data, path)
