"""Build the shipped framework and unit-list workbooks from their csv sources.

Sources (reviewable text, in instruments/frameworks/src/):
  province-2018.csv            the province index system, gaps resolved (see 处理说明)
  province-2018.faithful.csv   the same, transcribed faithfully with its gaps
  jilin-city-2018.*.csv        Jilin City's 7 areas / 76 tasks, units and categories
  jilin-city-2018.unit-names.csv  the units' full official names (全称) and aliases (别名), not
                               from 002: what stands on their seals and in their 填报单位 lines

Outputs (instruments/frameworks/):
  province-2018.xlsx, province-2018-faithful.xlsx, province-2018-gov.xlsx (the
  faithful table in the government's published layout, for `framework import`),
  jilin-city-2018.xlsx, jilin-city-2018-units.xlsx

Run:  .venv/bin/python tools/build_frameworks.py
tests/test_shipped_frameworks.py checks the workbooks still match the sources.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalkit.config import Category, Unit, UnitList, split_aliases, write_units  # noqa: E402
from evalkit.framework import (  # noqa: E402
    POINTS_PER_UNIT,
    framework_from_table,
    write_framework,  # noqa: E402
    write_government_layout,  # noqa: E402
)
from evalkit.io import tables  # noqa: E402

SRC = ROOT / "instruments" / "frameworks" / "src"
OUT = ROOT / "instruments" / "frameworks"

PROVINCE_SOURCE = "吉林省文化厅《关于做好“只跑一次”改革回头看及迎接评估工作的方案》附件（2018年11月2日）"
META = {
    "province-2018": dict(id="province-2018", name="吉林省“只跑一次”改革评估指标体系（中省直部门）",
                          total=100.0, source=PROVINCE_SOURCE, version="2018"),
    "province-2018.faithful": dict(id="province-2018-faithful", name="吉林省“只跑一次”改革评估指标体系（原表照录，未处理）",
                                   total=100.0, source=PROVINCE_SOURCE + "，照录原表，含原表缺陷", version="2018"),
    "jilin-city-2018.indicators": dict(
        id="jilin-city-2018", name="吉林市“只跑一次”改革考核指标（任务分解表）", total=100.0,
        points_mode=POINTS_PER_UNIT, version="2018",
        source="中共吉林市委办公厅 吉林市人民政府办公厅《吉林市“只跑一次”改革考核办法》（吉市办发〔2018〕15号）附件"),
}


def framework_from_csv(stem: str):
    table, problems = tables.csv_table(SRC / f"{stem}.csv")
    assert table is not None, problems
    fw, problems = framework_from_table(table, META[stem])
    assert fw is not None, problems
    return fw


def read_csv(name: str) -> list[dict[str, str]]:
    with open(SRC / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build_units() -> UnitList:
    cats = tuple(Category(r["编号"], r["名称"], float(r["绩效权重"]), r["仅通报"] == "是", r["说明"])
                 for r in read_csv("jilin-city-2018.categories.csv"))
    kinds = {"部门": "department", "地区": "region"}
    names = {r["编号"]: r for r in read_csv("jilin-city-2018.unit-names.csv")}
    units = tuple(Unit(r["编号"], r["名称"], r["类别"], kinds[r["类型"]], r["上级地区"],
                       full_name=names[r["编号"]]["全称"], aliases=split_aliases(names[r["编号"]]["别名"]))
                  for r in read_csv("jilin-city-2018.units.csv"))
    return UnitList(units, cats)


def main() -> None:
    write_framework(framework_from_csv("province-2018"), OUT / "province-2018.xlsx")
    faithful = framework_from_csv("province-2018.faithful")
    write_framework(faithful, OUT / "province-2018-faithful.xlsx")
    write_government_layout(replace(faithful, name="吉林省“只跑一次”改革评估指标体系"), OUT / "province-2018-gov.xlsx")
    write_framework(framework_from_csv("jilin-city-2018.indicators"), OUT / "jilin-city-2018.xlsx")
    write_units(build_units(), OUT / "jilin-city-2018-units.xlsx")
    for path in sorted(OUT.glob("*.xlsx")):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
