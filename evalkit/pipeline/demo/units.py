"""The demo's units and project settings: the shipped 95 Jilin City units of 吉市办发〔2018〕15号
第六条, a subset of them, or — at province scale — those plus synthesised county departments and
township service centres (with their 上级地区); the unit list written when it is not the
shipped one; and ``evalkit.toml`` with the period, the as-of date and the generator's parameters."""

from __future__ import annotations

from pathlib import Path

from evalkit.config import KIND_ZH, Unit, UnitList, read_units, shipped_dir
from evalkit.io import xlsx
from evalkit.pipeline.demo.settings import AS_OF, FRAMEWORK_ID, PERIOD, PROJECT_NAME
from evalkit.pipeline.demo.summary import DemoError
from evalkit.pipeline.demo.texts import COUNTY_DEPTS, TOWNS


def unit_list(count: int | None) -> tuple[UnitList, bool]:
    """The unit list: the shipped 95 Jilin City units, a subset, or those plus synthesised ones;
    and whether it differs from the shipped list (then the project gets its own units.xlsx)."""
    shipped, _ = read_units(shipped_dir() / "frameworks" / "jilin-city-2018-units.xlsx")
    base = list(shipped.units)
    if count is None or count == len(base):
        return shipped, False
    if count < 1:
        raise DemoError(f"单位数 {count} 无效：至少 1 个。")
    if count < len(base):
        return _subset(shipped, count), True
    return _with_synthesised(shipped, count), True


def _subset(shipped: UnitList, count: int) -> UnitList:
    """The first ``count`` units taking one category after the other, in the shipped order."""
    base = list(shipped.units)
    by_cat = {c.id: [u for u in base if u.category == c.id] for c in shipped.categories}
    picked: list = []
    while len(picked) < count:
        for units in by_cat.values():
            if units and len(picked) < count:
                picked.append(units.pop(0))
    order = {u.id: i for i, u in enumerate(shipped.units)}
    return UnitList(tuple(sorted(picked, key=lambda u: order[u.id])), shipped.categories)


def _with_synthesised(shipped: UnitList, count: int) -> UnitList:
    """The shipped units plus county departments and township service centres up to ``count``."""
    base = list(shipped.units)
    regions = [u for u in base if u.kind == "region" and u.id in TOWNS]
    extra: list = []
    counters = {c.id: len([u for u in base if u.category == c.id]) for c in shipped.categories}
    candidates = []
    for dept, cat in COUNTY_DEPTS:       # county departments first, region by region
        for region in regions:
            candidates.append((f"{region.name}{dept}", cat, "department", region.id))
    towns = [(f"{region.name}{town}便民服务中心", "2", "region", region.id)
             for i in range(3) for region in regions for town in TOWNS[region.id][i:i + 1]]
    # interleave towns and county departments so every size mixes both
    mixed = [x for pair in zip(candidates, towns + [None] * len(candidates), strict=False) for x in pair
             if x is not None]
    seen = set()
    for name, cat, kind, parent in mixed:
        if len(base) + len(extra) >= count:
            break
        if name in seen:
            continue
        seen.add(name)
        counters[cat] += 1
        extra.append(Unit(f"c{cat}-{counters[cat]:02d}", name, cat, kind, parent))
    n = 0
    while len(base) + len(extra) < count:  # beyond the named combinations
        n += 1
        region = regions[n % len(regions)]
        counters["4"] += 1
        extra.append(Unit(f"c4-{counters['4']:02d}", f"{region.name}第{n}服务站", "4", "department", region.id))
    units = sorted(base + extra, key=lambda u: (u.category, int(u.id.split("-")[1])))
    return UnitList(tuple(units), shipped.categories)


def write_units(units: UnitList, path: Path) -> None:
    wb = xlsx.new_workbook()
    xlsx.write_table(wb.create_sheet("单位"), ["编号", "名称", "类别", "类型", "上级地区"],
                     [(u.id, u.name, u.category, KIND_ZH.get(u.kind, "部门"), u.parent) for u in units.units],
                     text_columns=(0, 2))
    xlsx.write_table(wb.create_sheet("类别"), ["编号", "名称", "绩效权重", "仅通报", "说明"],
                     [(c.id, c.name, c.weight, "是" if c.published_only else "否", c.note) for c in units.categories],
                     text_columns=(0,), wrap_columns=(4,))
    xlsx.save(wb, path)


def write_config(root: Path, seed: int, units: int, records: int | None) -> None:
    """``evalkit.toml``: the project's name, files, as-of date and period, scoring settings and ``[demo]``."""
    text = (
        "# evalkit 项目设置 (evaluation settings)\n[evaluation]\n"
        f'name = "{PROJECT_NAME}"\nframework = "framework.xlsx"\nunits = "units.xlsx"\n'
        f'# 评估截止日期：逾期判断与报告以此为准 (as-of date of the evaluation)\nas_of = "{AS_OF.isoformat()}"\n'
        f'# 评估期：记录中的日期应在此范围内 (evaluation period)\nperiod_start = "{PERIOD[0].isoformat()}"\n'
        f'period_end = "{PERIOD[1].isoformat()}"\n'
        f"# 创建自标准框架 {FRAMEWORK_ID}，由 evalkit demo 生成\n\n"
        f"[scoring]\ninclude_received = false\nseed = 20181102\ndraws = 1000\n\n"
        f"# 演示数据的生成参数：evalkit demo DIR --seed {seed}"
        + (f" --units {units} --records {records}" if records else "")
        + f"\n[demo]\nseed = {seed}\nunits = {units}\n" + (f"records = {records}\n" if records else ""))
    (root / "evalkit.toml").write_text(text, encoding="utf-8")
