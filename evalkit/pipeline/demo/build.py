"""The entry point :func:`generate`: a new project folder (what ``evalkit init DIR --framework
province-2018`` makes), then the frames, draws and assignment, the adjustments, the raw records with
the deliberate problems and the self-assessments, in this order, and last the project's README with
every problem a rerun reports — every random choice comes from one
``random.Random(seed)``, so the order is part of the bytes."""

from __future__ import annotations

from pathlib import Path

from evalkit.forms import load_instrument
from evalkit.framework import read_framework
from evalkit.pipeline.demo.adjustments import write_adjustments
from evalkit.pipeline.demo.frames import prepare_fieldwork
from evalkit.pipeline.demo.readme import content_lines, write_readme
from evalkit.pipeline.demo.records import deliberate_problems, plan, write_records
from evalkit.pipeline.demo.selfassessments import write_selfassessments
from evalkit.pipeline.demo.settings import FRAMEWORK_ID, PROJECT_NAME, SELF_DIR
from evalkit.pipeline.demo.state import DemoState
from evalkit.pipeline.demo.summary import DemoError, DemoSummary
from evalkit.pipeline.demo.units import unit_list, write_config, write_units
from evalkit.project import init_project


def generate(root: Path, *, seed: int = 2018, units: int | None = None, records: int | None = None,
             fast: bool = False) -> DemoSummary:
    """Build the demo project in ``root`` (must not exist or be empty); see :mod:`evalkit.pipeline.demo`.

    ``units=None, records=None``: the standard demo (the 95 Jilin City units, about
    1,000 records).  ``units=150, records=100_000``: a province-scale project.
    ``fast=True`` skips fsync and answer validation; the files are the same bytes.
    """
    root = Path(root)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise DemoError(f"随机种子「{seed}」无效：应为不小于 0 的整数。")
    if records is not None and records < 1:
        raise DemoError(f"记录数 {records} 无效：至少 1 条。")
    _check_target(root)
    g = _new_project(root, seed, units, records, fast)
    unit_ids = [u.id for u in g.units.units]
    slots = plan(unit_ids, records, g.rng)
    work = prepare_fieldwork(g, root, unit_ids)
    # ranked by latent quality, for the adjustments' best and worst units
    write_adjustments(g, root, sorted(g.units.units, key=lambda u: -g.quality[u.id]["q"]))
    written = write_records(g, slots, work, records=records)
    problems = deliberate_problems(g, root, work, written)
    g.write_pack()
    # every unit's self-assessment; a weak unit claims a perfect 即办率 (outside the sampled interval)
    self_report = write_selfassessments(g, root)
    if self_report is not None:
        problems.append(self_report)
    per_instrument = {k: v for k, v in g.per_instrument.items() if v}
    states = dict(sorted(g.states.items()))
    claims = f"{SELF_DIR}/（{len(unit_ids)} 份自评表）"
    command = "evalkit demo 目标文件夹" + (f" --seed {seed}" if seed != 2018 else "") \
        + (f" --units {units}" if units is not None else "") + (f" --records {records}" if records is not None else "")
    # last: the README lists what a rerun of the finished folder reports
    write_readme(root, seed=seed, command=command, deliberate=problems,
                 counts=content_lines(len(unit_ids), per_instrument, states, work.draws, work.assignment, claims))

    files = [p for p in root.rglob("*") if p.is_file()]
    return DemoSummary(
        root=root, seed=seed, units=len(unit_ids), records=sum(g.per_instrument.values()),
        per_instrument=per_instrument, states=states, revisions=g.revisions, attachments=len(g.attachments),
        draws=work.draws, assignment=work.assignment, problems=tuple(problems), claims=claims,
        files=len(files), bytes=sum(p.stat().st_size for p in files))


def _check_target(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise DemoError(f"{root} 已存在且不是文件夹：请换一个目标文件夹。")
    if root.is_dir() and any(root.iterdir()):
        raise DemoError(f"文件夹 {root} 不是空的：演示项目只生成到不存在或空的文件夹中，从不覆盖已有文件。")


def _new_project(root: Path, seed: int, units: int | None, records: int | None, fast: bool) -> DemoState:
    """The project folder with its units, settings, framework and instruments; the generator's state for it."""
    units_list, custom = unit_list(units)
    root.mkdir(parents=True, exist_ok=True)
    if custom:
        write_units(units_list, root / "units.xlsx")
    write_config(root, seed, len(units_list.units), records)
    init_project(root, FRAMEWORK_ID, name=PROJECT_NAME)
    fw, _ = read_framework(root / "framework.xlsx")
    instruments = {}
    for path in sorted((root / "instruments").glob("*.xlsx")):
        inst, _ = load_instrument(path, fw.codes() if fw else None)
        instruments[inst.id] = inst
    return DemoState(root, seed, fast, units_list, instruments)
