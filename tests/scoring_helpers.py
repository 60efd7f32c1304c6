"""Helpers for the scoring tests: shipped instruments, a record store in tmp, inline frameworks and units."""

from __future__ import annotations

from pathlib import Path

from evalkit.config import Category, Unit, UnitList
from evalkit.forms import load_instrument
from evalkit.framework import framework_from_markdown
from evalkit.store import Store

ROOT = Path(__file__).resolve().parent.parent
STARTED = "2018-11-20T09:00:00+08:00"
HEADER = "| 编码 | 名称 | 分值 | 类型 | 上限 | 评分依据 | 评分规则 |\n|---|---|---|---|---|---|---|\n"


def shipped_instruments() -> dict:
    found = {}
    for path in sorted((ROOT / "instruments").glob("*.xlsx")):
        inst, _ = load_instrument(path)
        found[inst.id] = inst
    return found


def framework(rows: list[tuple], total: float | None = None):
    """rows: (code, name, points, kind, cap, rule); every leaf gets 文件梳理 so only rule problems show."""
    lines = [f"| {c} | {n} | {p} | {k} | {cap} | 文件梳理 | {r} |" for c, n, p, k, cap, r in rows]
    fw, problems = framework_from_markdown(HEADER + "\n".join(lines) + "\n", total=total)
    assert fw is not None, problems
    return fw


def units(*specs: tuple[str, str], categories: tuple[Category, ...] | None = None) -> UnitList:
    """specs: (unit id, category id)."""
    cats = categories or (Category("1", "第一类", 1.0), Category("3", "第三类", 0.7),
                          Category("5", "第五类", 1.0, published_only=True))
    return UnitList(tuple(Unit(u, f"单位{u}", c) for u, c in specs), cats)


class Records:
    """Submit records to a store in ``root`` and set their review state."""

    def __init__(self, root: Path, instruments: dict) -> None:
        self.store = Store(root)
        self.instruments = instruments

    def add(self, instrument: str, unit: str, answers: dict, *, state: str = "approved",
            assessor: str = "张三") -> str:
        inst = self.instruments[instrument]
        rev = self.store.submit(instrument_id=inst.id, instrument_version=inst.version, instrument_sha256=inst.sha256,
                                unit=unit, assessor=assessor, answers={"unit": unit, "assessor": assessor, **answers},
                                started=STARTED, ended=STARTED)
        if state != "received":
            self.store.review(rev.instance_id, state=state, who="组长")
        return rev.instance_id

    def delete(self, record: str) -> None:
        self.store.delete(record, who="组长", why="重复录入")

    def views(self) -> list:
        return self.store.load()[0]
