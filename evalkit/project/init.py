"""``evalkit init``: a new project folder from the shipped framework, units and instruments."""

from __future__ import annotations

import shutil
from pathlib import Path

from evalkit.config import FRAMEWORKS, SUBDIRS, shipped_dir
from evalkit.config import CONFIG


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
