"""An evaluation project: one plain folder the lead evaluator can zip and hand over.

Layout::

    evalkit.toml        settings (name, framework and unit files, as-of date)
    framework.xlsx      the indicator framework (tidy workbook)
    units.xlsx          assessed units and their categories
    instruments/        XLSForm instruments
    frames/ draws/      sampling frames and recorded draws
    raw/                append-only records
    selfassess/         the units' imported self-assessments (evalkit selfassess import)
    out/                derived outputs; can always be deleted

``evalkit init`` copies the shipped framework, units and instruments from the
repository's ``instruments/`` folder.  :func:`validate_path` validates a
framework, a unit list, an instrument or a whole project, whichever it is given.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from evalkit import tables
from evalkit.problems import ERROR, Problem, problem, register

CONFIG = "evalkit.toml"
# framework id -> (framework file, unit list, whether the shipped field instruments fit it).
# The shipped instruments name province indicator codes; Jilin City's method is scored from
# each unit's task ledger instead, so its projects start without them.
FRAMEWORKS = {
    "province-2018": ("province-2018.xlsx", "jilin-city-2018-units.xlsx", True),
    "jilin-city-2018": ("jilin-city-2018.xlsx", "jilin-city-2018-units.xlsx", False),
}
SUBDIRS = ("instruments", "frames", "draws", "raw", "out", "selfassess")

CONFIG_BAD = register("config-invalid", ERROR, "项目配置 {file} 无法读取：{detail}。请按 TOML 格式改正。")
PROJECT_FILE_MISSING = register(
    "project-file-missing", ERROR, "项目缺少{what}文件 {file}：请检查 evalkit.toml 中的「{key}」设置，或用 evalkit init 重新创建项目。")
UNKNOWN_INPUT = register(
    "input-kind-unknown", ERROR,
    "无法判断 {file} 是什么文件：框架工作簿应有「指标」工作表，单位名单应有「单位」工作表，调查工具应有「survey」工作表。{hint}")


def repository_root() -> Path:
    """The checkout holding the shipped ``instruments/`` (the package sits inside it)."""
    return Path(__file__).resolve().parent.parent


def shipped_dir() -> Path:
    return repository_root() / "instruments"


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    name: str
    framework: str = "framework.xlsx"
    units: str = "units.xlsx"
    as_of: str = ""

    @property
    def framework_path(self) -> Path:
        return self.root / self.framework

    @property
    def units_path(self) -> Path:
        return self.root / self.units


def load_config(root: Path) -> tuple[ProjectConfig, list[Problem]]:
    """Settings from ``evalkit.toml``; defaults when it is absent."""
    path = root / CONFIG
    if not path.exists():
        return ProjectConfig(root=root, name=root.name), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("evaluation", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return ProjectConfig(root=root, name=root.name), [problem(CONFIG_BAD, file=str(path), detail=str(exc))]
    fields = {k: str(data[k]) for k in ("name", "framework", "units", "as_of") if k in data}
    return ProjectConfig(root=root, **{"name": root.name, **fields}), []


def init_project(target: Path, framework_id: str, name: str | None = None) -> list[Path]:
    """Create a project folder from the shipped files; never overwrites an existing file."""
    framework_file, units_file, with_instruments = FRAMEWORKS[framework_id]
    source = shipped_dir()
    target.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    for sub in SUBDIRS:
        (target / sub).mkdir(exist_ok=True)
    if framework_id == "jilin-city-2018":  # each unit's task table and its states (evalkit.ledger)
        (target / "ledger").mkdir(exist_ok=True)
    copies = [(source / "frameworks" / framework_file, target / "framework.xlsx"),
              (source / "frameworks" / units_file, target / "units.xlsx")]
    if with_instruments:
        copies += [(p, target / "instruments" / p.name) for p in sorted(source.glob("*.xlsx"))]
    for src, dst in copies:
        if not dst.exists():
            shutil.copyfile(src, dst)
            created.append(dst)
    config = target / CONFIG
    if not config.exists():
        title = name or target.name
        config.write_text(
            "# evalkit 项目设置 (evaluation settings)\n[evaluation]\n"
            f'name = "{title}"\nframework = "framework.xlsx"\nunits = "units.xlsx"\n'
            f'# 评估截止日期：逾期判断与报告以此为准 (as-of date of the evaluation)\nas_of = ""\n'
            '# 评估期：记录中的日期应在此范围内，如 2018-11-20 (evaluation period)\nperiod_start = ""\nperiod_end = ""\n'
            f'# 创建自标准框架 {framework_id}\n', encoding="utf-8")
        created.append(config)
    return created


def sniff(path: Path) -> str:
    """'framework', 'units', 'instrument', 'government' or 'unknown' for a file."""
    if path.suffix.lower() in (".md", ".markdown", ".csv"):
        return "framework"
    wb, found = tables.open_workbook(path, data_only=True)
    if wb is None:
        return "unreadable"
    names = {ws.title.strip().lower() for ws in wb.worksheets}
    if names & {"指标", "indicators"}:
        return "framework"
    if names & {"单位", "units"}:
        return "units"
    if "survey" in names:
        return "instrument"
    from evalkit.govtable import _header

    if any(_header(ws, str(path)) for ws in wb.worksheets):
        return "government"
    return "unknown"


def validate_file(path: Path, framework_codes: set[str] | None = None) -> list[Problem]:
    """Validate one input file of whichever kind it is."""
    from evalkit.framework import read_framework
    from evalkit.units import read_units

    kind = sniff(path)
    if kind == "framework":
        return read_framework(path)[1]
    if kind == "units":
        return read_units(path)[1]
    if kind == "instrument":
        return _validate_instrument(path, framework_codes)
    if kind == "unreadable":
        return tables.open_workbook(path)[1]
    hint = "这像是政府发布格式的指标表，请先用 evalkit framework import 转换。" if kind == "government" else ""
    return [problem(UNKNOWN_INPUT, file=str(path), hint=hint)]


def _validate_instrument(path: Path, framework_codes: set[str] | None) -> list[Problem]:
    try:
        from evalkit.instruments import validate_instrument
    except ImportError:  # pragma: no cover - instruments arrive with the forms issue
        return []
    return validate_instrument(path, framework_codes)


def validate_project(root: Path) -> dict[str, list[Problem]]:
    """Every problem of a project folder, grouped by file."""
    from evalkit.framework import read_framework
    from evalkit.units import read_units

    config, problems = load_config(root)
    results: dict[str, list[Problem]] = {}
    if problems:
        results[str(root / CONFIG)] = problems
    codes: set[str] | None = None
    units = fw = None
    for what, key, path in (("框架", "framework", config.framework_path), ("单位名单", "units", config.units_path)):
        if not path.exists():
            results[str(path)] = [problem(PROJECT_FILE_MISSING, what=what, key=key, file=str(path))]
            continue
        if key == "framework":
            fw, found = read_framework(path)
            codes = fw.codes() if fw else None
        else:
            units, found = read_units(path)
        results[str(path)] = found
    instruments = {}
    for path in sorted((root / "instruments").glob("*.xlsx")) if (root / "instruments").is_dir() else []:
        if not path.name.startswith("~$"):
            inst, results[str(path)] = _load_instrument(path, codes)
            if inst is not None:
                instruments[inst.id] = inst
    if fw is not None:
        from evalkit.rule_checks import validate_rules

        results[str(config.framework_path)] += validate_rules(fw, instruments)
    if (root / "ledger").is_dir():
        from evalkit.ledger import load_ledger

        results[str(root / "ledger")] = load_ledger(root)[1]
    if (root / "ledger" / "roster").is_dir():  # liaison rosters (evalkit.roster)
        from evalkit.roster import load_rosters

        results[str(root / "ledger" / "roster")] = load_rosters(root)[1]
    if (root / "raw").is_dir():
        from evalkit.record_checks import check_records

        results[str(root / "raw")] = check_records(root, instruments, units)
    if (root / "selfassess").is_dir():
        from evalkit.selfassess import load_selfassessments

        results[str(root / "selfassess")] = load_selfassessments(root, fw)[1]
    return results


def _load_instrument(path: Path, framework_codes: set[str] | None):
    from evalkit.instruments import load_instrument

    return load_instrument(path, framework_codes)


def validate_path(path: Path) -> dict[str, list[Problem]]:
    """Validate a project folder or a single file; results grouped by file."""
    if path.is_dir():
        return validate_project(path)
    return {str(path): validate_file(path)}
