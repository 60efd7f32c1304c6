"""The demo's fieldwork set-up: the sampling frames (``frames/事项清单.xlsx``, ``frames/办件记录.xlsx``),
seeded draws made with the real sampling API (the cases phoned back, the items checked online),
``assessors.xlsx`` and the seeded 双随机 assignment of two assessors to every unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from evalkit.io import xlsx
from evalkit.pipeline.demo.settings import CALLBACKS, CASES, CITIZENS_PER_CHECK, ITEMS_PER_ONLINE, SERVICE_ITEMS
from evalkit.pipeline.demo.state import DemoState
from evalkit.pipeline.demo.texts import ASSESSOR_NAMES, SERVICES
from evalkit.pipeline.demo.writer import phone_number
from evalkit.sampling import Design, make_assignment, make_draw


@dataclass(frozen=True)
class Fieldwork:
    """What the records are made from, per unit: its service items, the drawn cases and items, its team."""

    items: dict[str, list[dict]]
    drawn_cases: dict[str, list[dict]]  # the cases drawn for the phone call-backs
    drawn_items: dict[str, list[dict]]  # the items drawn for the online check
    team: dict[str, list[str]]  # the names of the unit's two assessors
    deviant: str  # the rater far from the others in the expert reviews
    draws: tuple[str, str]  # the ids of the case draw and the item draw
    assignment: str  # the id of the assignment


def prepare_fieldwork(g: DemoState, root: Path, unit_ids: list[str]) -> Fieldwork:
    """Frames, draws, assessors and the assignment, in this order (the order of the seeded choices)."""
    items, cases = write_frames(g, root, SERVICE_ITEMS, CASES)
    draw_seed = g.rng.randrange(1, 2**31)
    case_draw = make_draw(root, root / "frames" / "办件记录.xlsx",
                          Design("stratified", n=CALLBACKS * CITIZENS_PER_CHECK * len(unit_ids), strata="单位",
                                 allocation="equal", reserve=4), draw_seed, draw_id=f"callback-s{draw_seed}").draw
    item_seed = g.rng.randrange(1, 2**31)
    item_draw = make_draw(root, root / "frames" / "事项清单.xlsx",
                          Design("stratified", n=ITEMS_PER_ONLINE * len(unit_ids), strata="单位", allocation="equal"),
                          item_seed, draw_id=f"online-items-s{item_seed}").draw
    case_by_id = {c["id"]: c for cs in cases.values() for c in cs}
    item_by_id = {i["id"]: i for its in items.values() for i in its}
    drawn_cases: dict[str, list[dict]] = {}
    for s in case_draw.selected:
        drawn_cases.setdefault(s.stratum, []).append(case_by_id[s.id])
    drawn_items: dict[str, list[dict]] = {}
    for s in item_draw.selected:
        drawn_items.setdefault(s.stratum, []).append(item_by_id[s.id])

    people = write_assessors(g, root)
    assign_seed = g.rng.randrange(1, 2**31)
    assignment, _, _ = make_assignment(root, root / "assessors.xlsx", seed=assign_seed, per_unit=2,
                                       assign_id=f"demo-s{assign_seed}")
    names = dict(people)
    team = {u: [names[a] for a in assignment.assessors_of(u)] for u in unit_ids}
    # the rater far from the others: an assessor with several units
    deviant = names[sorted(assignment.loads, key=lambda a: (-assignment.loads[a], a))[len(people) // 2]]
    return Fieldwork(items=items, drawn_cases=drawn_cases, drawn_items=drawn_items, team=team, deviant=deviant,
                     draws=(case_draw.draw_id, item_draw.draw_id), assignment=assignment.assign_id)


def write_frames(g: DemoState, root: Path, items_per_unit: int, cases_per_unit: int) -> tuple[dict, dict]:
    """事项清单 (service items per unit) and 办件记录 (cases with the applicant's phone); returns both per unit."""
    r = g.rng
    items: dict[str, list[dict]] = {}
    cases: dict[str, list[dict]] = {}
    item_rows, case_rows = [], []
    for u in g.units.units:
        picks = r.sample(SERVICES, k=min(items_per_unit, len(SERVICES)))
        items[u.id] = []
        for k, name in enumerate(picks, start=1):
            item = {"id": f"{u.id}-S{k:03d}", "name": name,
                    "online": r.random() < 0.3 + 0.6 * g.quality[u.id]["online"],
                    "kind": "即办件" if r.random() < 0.5 else "承诺件", "volume": r.randint(20, 3000)}
            items[u.id].append(item)
            item_rows.append((item["id"], name, u.id, item["kind"], "是" if item["online"] else "否", item["volume"]))
        cases[u.id] = []
        for k in range(1, cases_per_unit + 1):
            item = r.choice(items[u.id])
            day = dt.date(2018, 9, 1) + dt.timedelta(days=r.randint(0, 60))
            case = {"id": f"{u.id.upper()}-2018-{k:05d}", "item": item["name"],
                    "phone": phone_number(g.units_index[u.id] * 100000 + k)}
            cases[u.id].append(case)
            case_rows.append((case["id"], item["name"], u.id, day.isoformat(), case["phone"]))
    wb = xlsx.new_workbook()
    xlsx.write_table(wb.create_sheet("事项清单"), ["事项编号", "事项名称", "单位", "类型", "网上可办", "办件量"],
                     item_rows, text_columns=(0, 2))
    xlsx.save(wb, root / "frames" / "事项清单.xlsx")
    wb = xlsx.new_workbook()
    xlsx.write_table(wb.create_sheet("办件记录"), ["办件编号", "事项", "单位", "日期", "联系电话"], case_rows,
                     text_columns=(0, 2, 3, 4))
    xlsx.save(wb, root / "frames" / "办件记录.xlsx")
    return items, cases


def write_assessors(g: DemoState, root: Path) -> list[tuple[str, str]]:
    """``assessors.xlsx``: about one assessor per eight units (two of them linked to a unit); returns (id, name)."""
    count = max(6, min(len(ASSESSOR_NAMES), round(len(g.units.units) / 8)))
    people = [(f"a{k + 1:02d}", ASSESSOR_NAMES[k]) for k in range(count)]
    units = g.units.units
    linked = {0: units[min(7, len(units) - 1)].id, 3: units[min(20, len(units) - 1)].id}
    # 账号 and 角色 for the team server (evalkit team): the first assessor leads, the second also reviews
    roles = {0: "组长", 1: "复核员"}
    rows = [(aid, name, linked.get(k, ""), "吉林大学行政学院" if k % 2 else "吉林省社会科学院", aid, roles.get(k, "评估员"))
            for k, (aid, name) in enumerate(people)]
    wb = xlsx.new_workbook()
    xlsx.write_table(wb.create_sheet("评估员"), ["编号", "姓名", "关联单位", "所在单位", "账号", "角色"], rows,
                     text_columns=(0, 4))
    xlsx.save(wb, root / "assessors.xlsx")
    return people
