"""The demo project: a realistic evaluation project built by a seeded generator.

:func:`generate` builds a real project folder (what ``evalkit init DIR --framework
province-2018`` makes) and fills it:

* the province framework, the shipped instruments and the unit list — the 95
  Jilin City units of 吉市办发〔2018〕15号 第六条 in their five categories, or, at
  province scale (``units=150``), those plus synthesised county-level units
  (departments of the counties and districts, township service centres with
  their 上级地区);
* ``evalkit.toml`` with the as-of date and the evaluation period;
* frames (``frames/事项清单.xlsx``, ``frames/办件记录.xlsx``) and seeded draws
  made with the sampling API (:func:`evalkit.sampling.draws.make_draw`): the service
  users phoned back and the items checked online come from these draws;
* ``assessors.xlsx`` and a 双随机 assignment (:func:`evalkit.sampling.assign.make_assignment`):
  every record of a unit is made by one of its two assigned assessors;
* ``adjustments.xlsx`` with a few events (innovation bonus, an overdue task, a
  verified complaint, lead-department results) and the lead evaluator's scores
  of the manual bonus leaf 3.1;
* ``selfassess/``: every unit's self-assessment workbook, written and imported
  through :mod:`evalkit.selfassess.selfassess` (self-scores from the scored points plus a
  little optimism; the 即办件 counts of 2.2.1 as sampled);
* raw records of every instrument (``raw/``, the very file format of
  :class:`evalkit.store.records.Store`), generated from a latent quality per unit (and
  per aspect: hall, documents, phone, online, service) so that good units
  answer well and weak ones badly; most records are approved, a few are left
  已接收 or flagged 有问题.

Deliberate problems the checks must catch (listed in :class:`DemoSummary`):
a duplicate submission, an out-of-range value written raw (connected calls
above calls made, as an old import might write it), an expert rater far from
the others, and a self-report outside the interval of the sampled rate.

Determinism: every random choice comes from ``random.Random(seed)`` (the draws
and the assignment from numpy generators seeded from it); record and revision
ids are derived from the seed and a counter; times are derived from the
evaluation period.  The same seed gives byte-identical files.  ``fast=True``
skips fsync (bulk generation) and answer validation but writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.io import durable
from evalkit.store import SCHEMA

FRAMEWORK_ID = "province-2018"
PROJECT_NAME = "吉林市“只跑一次”改革第三方评估（演示项目）"
PERIOD = (dt.date(2018, 11, 5), dt.date(2018, 12, 14))
AS_OF = dt.date(2018, 12, 20)
WORKDAYS = tuple(PERIOD[0] + dt.timedelta(days=k) for k in range((PERIOD[1] - PERIOD[0]).days - 3)
                 if (PERIOD[0] + dt.timedelta(days=k)).weekday() < 5)
LEAD = "评估组长"
CITIZENS_PER_CHECK = 12
ITEMS_PER_ONLINE = 8
SELF_INDICATOR = "2.2.1"
SCORED_SELF_LIMIT = 5000  # records up to which self-scores start from the real scores
SELF_DIR = "selfassess"
INSTRUMENTS = ("site_visit", "document_review", "internal_interview", "expert_review", "service_user_check",
               "hotline_test", "online_check", "mystery_visit", "questionnaire")
# records per unit in the standard demo (questionnaire: every other unit)
BASE_MIX = (("site_visit", 1), ("document_review", 1), ("internal_interview", 1), ("expert_review", 2),
            ("service_user_check", 2), ("hotline_test", 1), ("online_check", 1), ("mystery_visit", 1))
BASE = dict(BASE_MIX)
# how records beyond the base mix are spread (province scale)
EXTRA_WEIGHTS = (("service_user_check", 30), ("questionnaire", 35), ("hotline_test", 10), ("mystery_visit", 10),
                 ("online_check", 5), ("internal_interview", 5), ("expert_review", 5))

ASSESSOR_NAMES = ("王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄健", "周婷", "吴昊", "徐丽", "孙强",
                  "胡波", "朱琳", "高峰", "林晓", "何平", "郭佳", "马骏", "罗敏", "梁爽", "宋涛", "郑欣", "谢蕾",
                  "韩冰", "唐宁", "冯刚", "于洁", "董明", "萧雨", "程亮", "曹颖", "袁野", "邓凯", "许静", "傅勇")
EXPERTS = (("钱立群", "admin"), ("孔德明", "law"), ("沈慧", "egov"), ("白志刚", "sector"), ("姜玉华", "admin"),
           ("范晓东", "egov"), ("陶然", "law"), ("邵建国", "sector"))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红鹏飞宇浩凯丹玲春梅健波辉斌宁婷雪琳晶"
COUNTY_DEPTS = (("人社局", "3"), ("民政局", "4"), ("公安局", "1"), ("税务局", "5"), ("市场监管局", "1"),
                ("国土资源局", "3"), ("住建局", "3"), ("卫计局", "3"), ("不动产登记中心", "1"), ("交通运输局", "4"))
TOWNS = {"c2-01": ("岔路河镇", "口前镇", "北大湖镇"), "c2-02": ("平安镇", "法特镇", "溪河镇"),
         "c2-03": ("明城镇", "烟筒山镇", "红旗岭镇"), "c2-04": ("天岗镇", "白石山镇", "新站镇"),
         "c2-05": ("夹皮沟镇", "红石砬子镇", "八道河子镇"), "c2-06": ("越北镇", "大绥河镇", "欢喜乡"),
         "c2-07": ("左家镇", "桦皮厂镇", "孤店子镇"), "c2-08": ("乌拉街满族镇", "缸窑镇", "金珠镇"),
         "c2-09": ("旺起镇", "江南乡", "丰满街道")}
SERVICES = ("营业执照办理", "不动产登记", "社会保险登记", "居民身份证换领", "户口迁移", "住房公积金提取",
            "建设工程规划许可", "食品经营许可", "税务登记", "医师执业注册", "道路运输经营许可", "特种设备使用登记",
            "民办学校设立", "社会团体登记", "药品经营许可", "排污许可", "城市道路占用挖掘许可", "就业失业登记",
            "最低生活保障审批", "残疾人证办理", "出生医学证明", "林木采伐许可", "取水许可", "公共场所卫生许可",
            "烟草专卖零售许可", "消防设计审核", "档案查询", "价格认定", "气象信息服务", "用电报装")
COMMENTS = ("窗口人员很耐心，一次就办好了", "材料一次告知清楚，没有白跑", "排队时间有点长", "网上能查进度，很方便",
            "希望能多开几个窗口", "指南写得不够具体，第一次没带全材料", "态度一般，但事情办成了", "比以前快多了",
            "要跑两个部门盖章", "系统有时候卡顿", "建议周末也能办理", "办事流程公示得很清楚")
FINDINGS = ("部分窗口人员不在岗，叫号屏与实际不符", "大厅设置总体规范，个别办事指南仍有「等」字兜底表述",
            "综合窗口运行良好，等候时间较短", "部分事项尚未进驻大厅，群众需另行前往部门办理",
            "导办台无人值守，群众找不到对应窗口", "即来即办窗口运转顺畅，现场秩序良好")


@dataclass(frozen=True)
class DemoProblem:
    """A deliberate problem: what it is, the problem code the checks give, and where."""

    kind: str
    code: str
    record: str
    unit: str
    detail: str
    assessor: str = ""
    indicator: str = ""


@dataclass
class DemoSummary:
    """What :func:`generate` wrote."""

    root: Path
    seed: int
    units: int
    records: int
    per_instrument: dict[str, int]
    states: dict[str, int]
    revisions: int
    attachments: int
    draws: tuple[str, ...]
    assignment: str
    problems: tuple[DemoProblem, ...]
    claims: str
    files: int = 0
    bytes: int = 0
    extra: dict = field(default_factory=dict)

    def record_of(self, kind: str) -> DemoProblem:
        return next(p for p in self.problems if p.kind == kind)

    def format(self) -> str:
        names = {"site_visit": "政务大厅调研", "document_review": "文件梳理", "internal_interview": "内部访谈",
                 "expert_review": "专家论证", "service_user_check": "服务对象抽查", "hotline_test": "电话咨询测试",
                 "online_check": "网上办事核查", "mystery_visit": "暗访", "questionnaire": "问卷调查"}
        from evalkit.store import STATES as states

        lines = [f"演示项目已生成：{self.root}（随机种子 {self.seed}）",
                 f"  单位 {self.units} 个，记录 {self.records} 条（修订 {self.revisions} 个文件，附件 {self.attachments} 个），"
                 f"共 {self.files} 个文件 {self.bytes / 1048576:.1f} MB",
                 "  各调查工具记录数：" + "，".join(f"{names.get(k, k)} {v}" for k, v in self.per_instrument.items()),
                 "  审核状态：" + "，".join(f"{states.get(k, k)} {v}" for k, v in self.states.items()),
                 "  抽样记录：" + "、".join(self.draws) + f"；派员记录：{self.assignment}",
                 f"  单位自评数据：{self.claims}",
                 "  有意设置的问题（检查应能发现）："]
        for p in self.problems:
            lines.append(f"    - [{p.code}] {p.detail}" + (f"（记录 {p.record}）" if p.record else ""))
        return "\n".join(lines)


class DemoError(ValueError):
    """The target folder cannot be used (Chinese message)."""


# ---------------------------------------------------------------- small helpers


def _rid(seed: int, *parts: object) -> str:
    """A 32-hex id derived from the seed and parts (no uuid4: the same seed, the same ids)."""
    key = "/".join(str(p) for p in ("evalkit-demo", seed, *parts))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _clip(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return low if x < low else high if x > high else x


def _png(rgb: tuple[int, int, int], width: int = 48, height: int = 32) -> bytes:
    """A small deterministic PNG (a 'photo' of a signed form)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = []
    for y in range(height):
        line = bytearray([0])
        for x in range(width):
            ink = (x + 2 * y) % 11 == 0 or y in (4, height - 5)
            line += bytes((30, 30, 60) if ink else rgb)
        rows.append(bytes(line))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def _phone(n: int) -> str:
    """A unique mobile number for index n (a bijection of n mod 10^9)."""
    return f"13{(n * 7919 + 12345) % 10**9:09d}"


class _Writer:
    """Writes files exactly as :mod:`evalkit.io.durable` / :class:`evalkit.store.records.Store` do; ``fast`` skips fsync."""

    def __init__(self, fast: bool) -> None:
        self.fast = fast
        self.dirs: set[Path] = set()

    def new(self, path: Path, data: bytes) -> None:
        if not self.fast:
            durable.write_new(path, data)
            return
        if path.parent not in self.dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o444)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def _save(wb, path: Path) -> None:
    """Save a workbook so that the same content gives the same bytes (:func:`evalkit.io.xlsx.save`)."""
    from evalkit.io.xlsx import save

    save(wb, path)


_SLOT = "@@evalkit-demo-answers@@"


def _encode_answers(answers: dict) -> str:
    """The answers as they appear inside a record file (indented one level deeper)."""
    durable.check_json(answers, "answers")
    return json.dumps(answers, ensure_ascii=False, indent=2, allow_nan=False).replace("\n", "\n  ")


# ---------------------------------------------------------------- units


def _units(count: int | None):
    """The unit list: the shipped 95 Jilin City units, a subset, or those plus synthesised ones."""
    from evalkit.config import shipped_dir
    from evalkit.config import Unit, UnitList, read_units

    shipped, _ = read_units(shipped_dir() / "frameworks" / "jilin-city-2018-units.xlsx")
    base = list(shipped.units)
    if count is None or count == len(base):
        return shipped, False
    if count < 1:
        raise DemoError(f"单位数 {count} 无效：至少 1 个。")
    if count < len(base):
        by_cat = {c.id: [u for u in base if u.category == c.id] for c in shipped.categories}
        picked: list = []
        while len(picked) < count:
            for units in by_cat.values():
                if units and len(picked) < count:
                    picked.append(units.pop(0))
        order = {u.id: i for i, u in enumerate(shipped.units)}
        return UnitList(tuple(sorted(picked, key=lambda u: order[u.id])), shipped.categories), True
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
    mixed = [x for pair in zip(candidates, towns + [None] * len(candidates)) for x in pair if x is not None]
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
    return UnitList(tuple(units), shipped.categories), True


def _write_units(units, path: Path) -> None:
    from evalkit.config import KIND_ZH
    from evalkit.io.xlsx import new_workbook, write_table

    wb = new_workbook()
    write_table(wb.create_sheet("单位"), ["编号", "名称", "类别", "类型", "上级地区"],
                [(u.id, u.name, u.category, KIND_ZH.get(u.kind, "部门"), u.parent) for u in units.units], text_columns=(0, 2))
    write_table(wb.create_sheet("类别"), ["编号", "名称", "绩效权重", "仅通报", "说明"],
                [(c.id, c.name, c.weight, "是" if c.published_only else "否", c.note) for c in units.categories],
                text_columns=(0,), wrap_columns=(4,))
    _save(wb, path)


# ---------------------------------------------------------------- planning


def _plan(unit_ids: list[str], records: int | None, rng: random.Random) -> list[tuple[str, str]]:
    """(unit, instrument) for every ordinary record, in generation order."""
    slots: list[tuple[str, str]] = []
    for inst, k in BASE_MIX:
        for i in range(k):
            slots += [(u, inst) for u in unit_ids]
    if records is None:
        slots += [(u, "questionnaire") for u in unit_ids[::2]]
        return slots
    target = records - 1  # one more: the deliberate duplicate
    if target < len(slots):
        return slots[:max(target, 0)]
    names = [n for n, _ in EXTRA_WEIGHTS]
    weights = [w for _, w in EXTRA_WEIGHTS]
    extra = target - len(slots)
    picks = rng.choices(names, weights=weights, k=extra)
    slots += [(unit_ids[i % len(unit_ids)], inst) for i, inst in enumerate(picks)]
    return slots


# ---------------------------------------------------------------- the generator state


class _Gen:
    def __init__(self, root: Path, seed: int, fast: bool, units, instruments: dict) -> None:
        self.root, self.seed, self.fast = root, seed, fast
        self.rng = random.Random(seed)
        self.units = units
        self.inst = instruments
        self.writer = _Writer(fast)
        self.counter = 0
        self.revisions = 0
        self.per_instrument = {k: 0 for k in INSTRUMENTS}
        self.states: dict[str, int] = {}
        self.attachments: dict[str, dict] = {}
        self.uses: dict[str, int] = {}  # per unit: running index for case ids, phones
        self.instant: dict[str, tuple[int, int]] = {}  # per unit: approved 即办件 rows, done on the spot
        rng = self.rng
        self.quality = {}
        for u in units.units:
            q = _clip(rng.betavariate(4.0, 2.0))
            self.quality[u.id] = {a: _clip(q + rng.gauss(0, 0.12)) for a in
                                  ("hall", "docs", "lead", "phone", "online", "service", "self")}
            self.quality[u.id]["q"] = q

    # ------------------------------------------------ records
    def _time(self, day: dt.date, minutes: int) -> str:
        return dt.datetime.combine(day, dt.time(8, 30)).replace(
            tzinfo=dt.timezone(dt.timedelta(hours=8))).__add__(dt.timedelta(minutes=minutes)).isoformat()

    def _day(self) -> dt.date:
        """A working day of the evaluation period (leaving a few days for review)."""
        return self.rng.choice(WORKDAYS)

    def write_record(self, inst_id: str, unit: str, assessor: str, answers: dict, day: dt.date, *,
                     state: str = "approved", comment: str = "", attachments: list | None = None,
                     start_min: int | None = None) -> str:
        inst = self.inst[inst_id]
        self.counter += 1
        iid = _rid(self.seed, "record", self.counter)
        start_min = self.rng.randint(0, 400) if start_min is None else start_min
        started = self._time(day, start_min)
        ended = self._time(day, start_min + self.rng.randint(15, 90))
        snapshot = {"instrument_id": inst.id, "instrument_version": inst.version, "instrument_sha256": inst.sha256,
                    "unit": unit, "assessor": assessor, "started": started, "ended": ended, "answers": answers,
                    "attachments": list(attachments or []), "state": "received", "comment": "", "deleted": False}
        rev = _rid(self.seed, "revision", iid, 0)
        body = _encode_answers(answers)
        self._revision(iid, rev, None, "submission", assessor, ended, snapshot, body)
        if state != "received":
            when = self._time(day + dt.timedelta(days=self.rng.randint(1, 4)), 60 + self.rng.randint(0, 400))
            self._revision(iid, _rid(self.seed, "revision", iid, 1), rev, "review", LEAD, when,
                           {**snapshot, "state": state, "comment": comment}, body)
        self.per_instrument[inst_id] += 1
        self.states[state] = self.states.get(state, 0) + 1
        return iid

    def _revision(self, iid: str, rev: str, parent: str | None, kind: str, who: str, when: str, snapshot: dict,
                  body: str) -> None:
        """One revision file, byte for byte what :meth:`evalkit.store.records.Store._write` writes.

        The answers are encoded once per record (``body``) and spliced in: json's indented
        encoder is pure Python, and the answers are most of the bytes.
        """
        document = {"schema": SCHEMA, "instance_id": iid, "revision_id": rev, "parent": parent, "kind": kind,
                    "who": who, "when": when, "why": "", "merges": [], **snapshot}
        head = json.dumps({**document, "answers": _SLOT}, ensure_ascii=False, indent=2, allow_nan=False)
        data = head.replace(f'"{_SLOT}"', body, 1).encode("utf-8") + b"\n"
        if not self.fast and data != durable.dumps(document):
            raise AssertionError("demo record encoding differs from the store's")  # never expected
        self.writer.new(self.root / "raw" / iid / f"{rev}.json", data)
        self.revisions += 1

    def attachment(self, field_name: str, key: str, rgb: tuple[int, int, int], original: str) -> dict:
        data = _png(rgb)
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self.attachments:
            self.writer.new(self.root / "raw" / "attachments" / f"{sha}.png", data)
            self.attachments[sha] = {"size": len(data)}
        return {"field": field_name, "name": f"{sha}.png", "sha256": sha, "size": len(data), "media_type": "image/png",
                "original_name": original}


# ---------------------------------------------------------------- answers per instrument


def _yn(rng: random.Random, p: float) -> str:
    return "yes" if rng.random() < p else "no"


def _ynp(rng: random.Random, q: float) -> str:
    x = q + rng.gauss(0, 0.12)
    return "yes" if x > 0.62 else "partly" if x > 0.35 else "no"


def _level(rng: random.Random, q: float, sd: float = 0.1) -> str:
    x = q + rng.gauss(0, sd)
    return "full" if x >= 0.8 else "basic" if x >= 0.58 else "partial" if x >= 0.35 else "none"


def _binom(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _site_visit(g: _Gen, u, q: dict, day: dt.date, items: list) -> dict:
    r, h = g.rng, q["hall"]
    total = r.randint(6, 40)
    listed = r.randint(20, 260)
    in_hall = round(listed * _clip(0.55 + 0.5 * h + r.gauss(0, 0.05)))
    checked = r.randint(10, 25)
    vague = _binom(r, checked, _clip(0.35 - 0.35 * h))
    cases = r.randint(800, 20000)
    instant = round(cases * _clip(0.4 + 0.45 * h + r.gauss(0, 0.05)))
    promised = round((cases - instant) * r.uniform(0.6, 0.95))
    on_time = round(promised * _clip(0.7 + 0.3 * h + r.gauss(0, 0.03)))
    facilities = [c.name for c in g.inst["site_visit"].choices["facilities"] if r.random() < 0.3 + 0.6 * h]
    channels = [c for c in ("box", "phone", "hotline", "web", "wechat", "desk") if r.random() < 0.2 + 0.6 * h] or \
        (["none"] if h < 0.3 else ["hotline"])
    hall = f"{u.name}政务服务中心" if u.kind == "region" else f"{u.name}办事大厅"
    answers = {
        "unit": u.id, "assessor": "", "visit_date": day.isoformat(), "arrival_time": f"{r.randint(8, 10):02d}:{r.choice(('00', '15', '30', '45'))}",
        "hall_name": hall, "hall_level": "county" if u.kind == "region" else r.choice(("city", "branch")),
        "windows_total": total, "windows_open": max(0, total - _binom(r, total, _clip(0.3 - 0.3 * h))),
        "windows_comprehensive": _binom(r, total, _clip(0.15 + 0.6 * h)), "one_window_mode": _ynp(r, h),
        "facilities": facilities, "facilities_count": len(facilities),
        "items_listed": listed, "items_in_hall": in_hall,
        "items_in_hall_pct": round(in_hall * 100 / listed, 1),
    }
    if in_hall < listed:
        answers["items_outside_reason"] = r.choice(("涉密事项及需现场勘验事项暂未进驻", "部分事项依托专业系统，尚未整合进大厅",
                                                    "场地不足，部分窗口仍在部门办公楼"))
    available = _binom(r, checked, _clip(0.55 + 0.5 * h))
    answers.update({"guides_checked": checked, "guides_available": available,
                    "guides_complete": _binom(r, checked, _clip(0.45 + 0.55 * h)), "guides_vague": vague})
    if vague:
        answers["guides_vague_examples"] = r.choice(("「其他相关材料」", "「等有关证明」", "「相关部门要求的其他材料」"))
    answers.update({
        "period_start": PERIOD[0].isoformat(), "period_end": day.isoformat(), "cases_total": cases,
        "cases_instant": instant, "cases_instant_done": round(instant * _clip(0.75 + 0.25 * h)),
        "instant_share": round(instant * 100 / cases, 1), "cases_promised": promised,
        "cases_promised_on_time": on_time, "promise_rate": round(on_time * 100 / promised, 1) if promised else "",
        "waiting_people": r.randint(0, 40), "waiting_minutes": max(0, round(r.gauss(45 - 40 * h, 8))),
        "guide_desk_staffed": _yn(r, 0.25 + 0.7 * h), "leader_roster_public": _yn(r, 0.3 + 0.65 * q["lead"]),
        "leader_on_duty": _yn(r, 0.15 + 0.7 * q["lead"]), "complaint_channels": channels,
        "findings": r.choice(FINDINGS),
    })
    if answers["promise_rate"] == "":
        del answers["promise_rate"]
    if h > 0.8 and r.random() < 0.5:
        answers["innovations"] = r.choice(("推行「帮办代办」服务", "设立「办不成事」反映窗口", "24 小时自助服务区"))
    return answers


def _doc_number(r: random.Random, u) -> str:
    prefix = "吉市" if u.kind == "department" else u.name[:2]
    return f"{prefix}{r.choice(('办发', '政办发', '发'))}〔2018〕{r.randint(1, 60)}号"


RUBRIC = ("1.1.1", "1.3.2.1")
BASIS = ("查阅了实施方案和工作台账，措施与省方案对应", "领导小组会议纪要齐全，分工明确", "方案已印发但未见落实记录",
         "基础设施建设有专项经费保障", "台账记录不完整，部分任务无佐证材料", "大厅改造已完成，配备自助终端")


def _document_review(g: _Gen, u, q: dict, day: dt.date, items: list) -> dict:
    r, d = g.rng, q["docs"]
    docs = []
    for k in range(r.randint(2, 4)):
        published = r.choices(("website", "portal", "hall", "internal", "draft"),
                              weights=(3 * d, 3 * d, 1.5, 1.5 * (1 - d), 0.6 * (1 - d)))[0]
        row = {"doc_title": r.choice(("“只跑一次”改革实施方案", "“只跑一次”事项清单", "办事指南汇编", "改革领导小组会议纪要",
                                      "改革工作台账", "自查自纠报告")),
               "doc_number": _doc_number(r, u), "doc_kind": r.choice(("plan", "item_list", "guide", "minutes", "ledger")),
               "doc_published": published}
        if published in ("website", "portal"):
            row["doc_url"] = f"http://www.jlcity.gov.cn/zwgk/2018/{u.id}-{k + 1}.html"
        docs.append(row)
    total = r.randint(30, 400)
    sampled = r.randint(10, 20)
    answers = {
        "unit": u.id, "assessor": "", "visit_date": day.isoformat(),
        "material_source": r.choice(("submitted", "website", "onsite")), "documents": docs,
        "items_total": total, "items_reviewed": round(total * _clip(0.75 + 0.3 * d + r.gauss(0, 0.03))),
        "items_run_once": round(total * _clip(0.35 + 0.65 * d + r.gauss(0, 0.05))),
    }
    answers["run_once_share"] = round(answers["items_run_once"] * 100 / total, 1)
    answers.update({
        "list_dynamic": _yn(r, 0.3 + 0.65 * d), "guides_sampled": sampled,
        "guides_standard": _binom(r, sampled, _clip(0.5 + 0.5 * d)),
        "guides_vague_text": _binom(r, sampled, _clip(0.3 - 0.3 * d)), "materials_reduced": _ynp(r, d),
        "self_check_ledger": _yn(r, 0.3 + 0.6 * q["self"]),
        "ratings": [{"indicator": code, "level": _level(r, q["docs"] if code == "1.1.1" else q["hall"]),
                     "basis": r.choice(BASIS)} for code in RUBRIC],
    })
    return answers


def _internal_interview(g: _Gen, u, q: dict, day: dt.date, items: list) -> dict:
    r, lead = g.rng, q["lead"]
    group = r.random() < 0.35
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(),
               "interview_form": "group" if group else "individual"}
    if group:
        answers["participants"] = r.randint(4, 12)
    anonymous = r.random() < 0.15
    answers.update({"interviewee_role": r.choice(("leader", "deputy", "division", "window", "liaison")),
                    "interviewee_dept": r.choice(("办公室", "行政审批科", "政策法规科", "综合科")),
                    "anonymous": "yes" if anonymous else "no"})
    if not anonymous:
        answers["interviewee_name"] = _person(r)
    answers["duration_minutes"] = r.randint(30, 120)
    done = r.random() < 0.3 + 0.65 * q["self"]
    answers.update({"leading_group": _yn(r, 0.45 + 0.55 * lead),
                    "leader_meetings": max(0, round(r.gauss(1 + 7 * lead, 1.2))),
                    "self_check_done": "yes" if done else "no"})
    if done:
        issues = r.randint(2, 30)
        answers.update({"self_check_issues": issues, "self_check_fixed": _binom(r, issues, _clip(0.4 + 0.6 * q["self"]))})
    answers["cross_dept_mechanism"] = _ynp(r, q["q"])
    answers["ratings"] = [{"indicator": code, "level": _level(r, lead if code == "1.1.1" else q["hall"]),
                           "statement": r.choice(BASIS) + "，受访者作了说明", "needs_verification": _yn(r, 0.2)}
                          for code in RUBRIC]
    if r.random() < 0.5:
        answers["suggestions"] = r.choice(("希望省里统一业务系统接口", "建议加强窗口人员培训", "基层人手紧张"))
    return answers


EXPERT_INDICATORS = ("1.1.2", "2.1.1.1", "2.1.2.1")


def _expert_review(g: _Gen, u, q: dict, day: dt.date, items: list, *, expert: tuple[str, str],
                   deviant: bool) -> tuple[dict, list]:
    r = g.rng
    materials = [m for m in ("plan", "item_list", "guides", "flowcharts", "self_report", "ledger") if r.random() < 0.6] \
        or ["plan"]
    if r.random() < 0.1:
        materials.append("other")
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(), "expert_name": expert[0],
               "expert_field": expert[1], "conflict": "no", "materials": materials}
    if "other" in materials:
        answers["materials_other"] = "群众来信来访记录"
    scores = []
    for code in EXPERT_INDICATORS:
        base = q["q"] if code == "1.1.2" else q["docs"]
        score = int(_clip(round(1 + 4 * base + r.gauss(0, 0.35)), 1, 5))
        if deviant:
            score = 6 - score if abs(3 - score) >= 1 else r.choice((1, 5))
        row = {"indicator": code, "score": score,
               "rationale": ("改革措施有明确依据，实施路径清晰" if score >= 4 else "措施总体可行，但部分环节论证不足"
                             if score == 3 else "缺少可行性分析，配套措施不明确")}
        if score <= 2:
            row["improvement"] = "补充可行性分析，明确责任分工和时间表"
        scores.append(row)
    answers["scores"] = scores
    answers["overall_opinion"] = "同意评估组意见" if not deviant else "总体评价与评估组意见有较大差异"
    index = EXPERTS.index(expert)
    photo = g.attachment("photo_signed", expert[0], (240 - 12 * index, 236, 220 + 4 * index), f"论证意见表_{expert[0]}.png")
    answers["photo_signed"] = photo
    return answers, [photo]


def _service_user_check(g: _Gen, u, q: dict, day: dt.date, items: list, *, cases: list) -> dict:
    r, s = g.rng, q["service"]
    mode = "callback" if cases else "in_hall"
    citizens = []
    kinds = (["instant"] * 5 + ["promised"] * 5 + ["unknown"]) + [r.choice(("instant", "promised"))]
    r.shuffle(kinds)
    for k in range(CITIZENS_PER_CHECK):
        idx = g.uses[u.id] = g.uses.get(u.id, 0) + 1
        case = cases[k] if k < len(cases) else None
        kind = kinds[k % len(kinds)]
        row: dict = {"user_type": r.choices(("person", "enterprise", "organisation"), weights=(7, 3, 1))[0],
                     "item_name": case["item"] if case else r.choice(items)["name"]}
        row["case_id"] = case["id"] if case else f"{u.id.upper()}-X{idx:05d}"
        row["case_kind"] = kind
        trips = 1 if r.random() < 0.35 + 0.6 * s else r.choice((2, 2, 3))
        if r.random() < 0.04:
            trips = 0  # applied online, never went
        row["trips"] = trips
        if trips > 1:
            reasons = r.sample(("notice", "extra_material", "multi_dept", "queue", "pickup", "own", "other"),
                               k=r.choice((1, 1, 2)))
            row["trip_reason"] = reasons
            if "other" in reasons:
                row["trip_reason_other"] = "窗口人员临时外出"
        if kind == "instant":
            row["instant_done"] = _yn(r, 0.5 + 0.5 * s)
        elif kind == "promised":
            days = r.choice((3, 5, 7, 10, 15, 20))
            status = "yes" if r.random() < 0.5 + 0.5 * s else r.choice(("late", "late", "pending"))
            row.update({"promised_days": days, "promise_status": status})
            if status == "yes":
                row["actual_days"] = r.randint(1, days)
            elif status == "late":
                row["actual_days"] = days + r.randint(1, 10)
        done_status = "done" if r.random() < 0.55 + 0.45 * s else r.choice(("in_progress", "not_done"))
        row["done_status"] = done_status
        if done_status == "not_done":
            row["not_done_reason"] = r.choice(("缺少前置审批文件", "窗口告知需到其他部门先办理", "系统故障未能受理"))
        row["online_use"] = r.choices(("full", "partly", "none", "unavailable"),
                                      weights=(q["online"], 1, 1.5 - q["online"], 0.5))[0]
        row["progress_visible"] = _yn(r, 0.3 + 0.6 * q["online"])
        sat = int(_clip(round(1 + 4 * s + r.gauss(0, 0.7)), 1, 5))
        row["satisfaction"] = str(sat) if r.random() > 0.03 else "na"
        if r.random() < 0.35:
            row["comment"] = r.choice(COMMENTS)
        row["callback_phone"] = case["phone"] if case else _phone(g.units_index[u.id] * 100000 + 50000 + idx)
        citizens.append(row)
    return {"unit": u.id, "assessor": "", "visit_date": day.isoformat(), "check_mode": mode, "citizens": citizens}


def _hotline_test(g: _Gen, u, q: dict, day: dt.date, items: list) -> dict:
    r, p = g.rng, q["phone"]
    calls = []
    for k in range(5):
        made = r.choice((2, 2, 3))
        connected = _binom(r, made, _clip(0.45 + 0.55 * p))
        row: dict = {"call_time": f"{r.randint(9, 16):02d}:{r.randint(0, 59):02d}",
                     "item_asked": r.choice(items)["name"], "calls_made": made, "calls_connected": connected}
        if connected < made:
            row["no_answer_reason"] = r.choice(("no_answer", "busy", "voicemail"))
        if connected:
            row["answer_seconds"] = r.randint(3, 90)
            row["answer_correct"] = r.choices(("correct", "partial", "wrong", "deflected"),
                                              weights=(3 * p, 1, 1 - p, 0.6 * (1 - p)))[0]
            row["told_all_materials"] = _yn(r, 0.35 + 0.6 * p)
            row["attitude"] = r.choices(("good", "fair", "poor"), weights=(2 * p, 1, 0.8 * (1 - p)))[0]
            if r.random() < 0.5:
                row["answer_summary"] = "告知了办理地点、所需材料和办理时限"
        calls.append(row)
    return {"unit": u.id, "assessor": "", "visit_date": day.isoformat(),
            "hotline_number": f"0432-6{g.units_index[u.id]:03d}{r.randint(1000, 9999)}",
            "number_source": r.choice(("guide", "website", "hall")), "calls": calls}


def _online_check(g: _Gen, u, q: dict, day: dt.date, items: list, *, picked: list) -> dict:
    r, o = g.rng, q["online"]
    portal = r.choice(("province", "province", "dept_site", "app"))
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(), "portal": portal}
    if portal in ("province", "dept_site"):
        answers["portal_url"] = "http://www.jlzwfw.gov.cn/" if portal == "province" else f"http://www.jlcity.gov.cn/{u.id}/"
    rows = []
    for item in picked:
        row: dict = {"item_name": item["name"], "item_code": item["id"]}
        online = r.random() < _clip(0.55 + 0.5 * o) or item["online"] and r.random() < 0.7
        row["item_online"] = "yes" if online else "no"
        if online:
            row["guide_online_complete"] = _yn(r, 0.4 + 0.55 * o)
            x = o + r.gauss(0, 0.2)
            depth = "full" if x > 0.72 else "apply" if x > 0.45 else "download" if x > 0.25 else "info"
            row["online_depth"] = depth
            if depth in ("apply", "full"):
                tracking = r.random() < 0.4 + 0.6 * o
                row["realtime_tracking"] = "yes" if tracking else "no"
                if tracking:
                    row["tracking_channels"] = r.sample(("web", "sms", "app", "phone"), k=r.randint(1, 3))
        channels = [c for c in ("web_form", "live_chat", "message", "wechat") if r.random() < 0.15 + 0.55 * o] or ["none"]
        row["consult_channels"] = channels
        if channels != ["none"]:
            test = r.choices(("answered", "no_reply", "not_tested"), weights=(0.3 + o, 1 - o, 0.3))[0]
            row["consult_test"] = test
            if test == "answered":
                row["reply_hours"] = round(r.uniform(0.5, 72 - 60 * o), 1)
        rows.append(row)
    answers["online_items"] = rows
    entry = r.random() < 0.35 + 0.6 * o
    answers["complaint_entry"] = "yes" if entry else "no"
    if entry:
        answers["complaint_reply"] = _yn(r, 0.3 + 0.6 * o)
    return answers


def _mystery_visit(g: _Gen, u, q: dict, day: dt.date, items: list) -> dict:
    r, h, s = g.rng, q["hall"], q["service"]
    extra = r.random() < _clip(0.45 - 0.45 * s)
    outcome = r.choices(("done", "told_once", "another_trip", "refused"), weights=(2 * s, 1.2, 1 - s, 0.4 * (1 - s)))[0]
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(),
               "arrival_time": f"{r.randint(8, 15):02d}:{r.randint(0, 59):02d}", "duration_minutes": r.randint(10, 90),
               "item_attempted": r.choice(items)["name"], "scenario": r.choice(("consult", "submit", "collect")),
               "guided": _yn(r, 0.2 + 0.75 * h), "queue_minutes": max(0, round(r.gauss(40 - 35 * h, 8))),
               "window_type": r.choice(("comprehensive", "dept", "instant")) if h > 0.4 else r.choice(("dept", "unclear")),
               "staff_on_post": _yn(r, 0.45 + 0.55 * h),
               "attitude": r.choices(("good", "fair", "poor"), weights=(2 * s, 1, 0.8 * (1 - s)))[0],
               "told_at_once": _yn(r, 0.3 + 0.65 * s), "extra_materials": "yes" if extra else "no"}
    if extra:
        answers["extra_materials_detail"] = r.choice(("户口簿复印件", "单位介绍信", "无犯罪记录证明", "村委会证明"))
    answers.update({"referred_elsewhere": _yn(r, _clip(0.4 - 0.4 * s)), "outcome": outcome})
    if outcome in ("another_trip", "refused"):
        answers["outcome_reason"] = r.choice(("材料清单与指南不一致，需补交", "窗口称该事项需到部门本部办理", "系统故障无法受理"))
    answers.update({"improper_conduct": "no",
                    "narrative": f"暗访员以办事群众身份前往大厅，咨询「{answers['item_attempted']}」，"
                                 + ("全程有人引导，窗口一次性告知材料。" if outcome in ("done", "told_once") else "窗口告知需另行补充材料后再来。")})
    return answers


def _questionnaire(g: _Gen, u, q: dict, day: dt.date, items: list) -> dict:
    r, s = g.rng, q["service"]
    g.counter_q = getattr(g, "counter_q", 0) + 1
    visits = r.choice((0, 1, 1, 2, 3, 5, 8))
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(),
               "questionnaire_no": f"Q{g.counter_q:06d}",
               "respondent_type": r.choices(("person", "enterprise", "organisation"), weights=(7, 3, 1))[0],
               "visits_last_year": visits}
    if visits:
        answers["last_item"] = r.choice(items)["name"]
        answers["last_trips"] = 1 if r.random() < 0.35 + 0.6 * s else r.choice((2, 3))
    for name in ("q_guide", "q_one_window", "q_waiting", "q_promise", "q_phone", "q_online", "q_progress",
                 "q_complaint", "q_staff", "q_overall"):
        answers[name] = "na" if r.random() < 0.06 else str(int(_clip(round(1 + 4 * s + r.gauss(0, 0.8)), 1, 5)))
    if r.random() < 0.3:
        answers["suggestions"] = r.choice(COMMENTS)
    if r.random() < 0.4:
        answers["respondent_phone"] = _phone(900_000_000 + g.counter_q)
    return answers


BAD_CONNECTED = 5


def _room(answers: dict) -> bool:
    """Whether the first call can hold the raw out-of-range value with the unit's total still a share (≤ 100 %)."""
    calls = answers["calls"]
    return sum(c["calls_connected"] for c in calls[1:]) + BAD_CONNECTED <= 2 + sum(c["calls_made"] for c in calls[1:])


# ---------------------------------------------------------------- project files


def _config(root: Path, seed: int, units: int, records: int | None) -> None:
    text = (
        "# evalkit 项目设置 (evaluation settings)\n[evaluation]\n"
        f'name = "{PROJECT_NAME}"\nframework = "framework.xlsx"\nunits = "units.xlsx"\n'
        f'# 评估截止日期：逾期判断与报告以此为准 (as-of date of the evaluation)\nas_of = "{AS_OF.isoformat()}"\n'
        f'# 评估期：记录中的日期应在此范围内 (evaluation period)\nperiod_start = "{PERIOD[0].isoformat()}"\n'
        f'period_end = "{PERIOD[1].isoformat()}"\n'
        f"# 创建自标准框架 {FRAMEWORK_ID}，由 evalkit demo 生成\n\n"
        f"[scoring]\ninclude_received = false\nseed = 20181102\ndraws = 1000\n\n"
        f"# 演示数据的生成参数：evalkit demo DIR --seed {seed}" + (f" --units {units} --records {records}" if records else "")
        + f"\n[demo]\nseed = {seed}\nunits = {units}\n" + (f"records = {records}\n" if records else ""))
    (root / "evalkit.toml").write_text(text, encoding="utf-8")


def _frames(g: _Gen, root: Path, items_per_unit: int, cases_per_unit: int) -> tuple[dict, dict]:
    from evalkit.io.xlsx import new_workbook, write_table

    r = g.rng
    items: dict[str, list[dict]] = {}
    cases: dict[str, list[dict]] = {}
    item_rows, case_rows = [], []
    for u in g.units.units:
        picks = r.sample(SERVICES, k=min(items_per_unit, len(SERVICES)))
        items[u.id] = []
        for k, name in enumerate(picks, start=1):
            item = {"id": f"{u.id}-S{k:03d}", "name": name, "online": r.random() < 0.3 + 0.6 * g.quality[u.id]["online"],
                    "kind": "即办件" if r.random() < 0.5 else "承诺件", "volume": r.randint(20, 3000)}
            items[u.id].append(item)
            item_rows.append((item["id"], name, u.id, item["kind"], "是" if item["online"] else "否", item["volume"]))
        cases[u.id] = []
        for k in range(1, cases_per_unit + 1):
            item = r.choice(items[u.id])
            day = dt.date(2018, 9, 1) + dt.timedelta(days=r.randint(0, 60))
            case = {"id": f"{u.id.upper()}-2018-{k:05d}", "item": item["name"],
                    "phone": _phone(g.units_index[u.id] * 100000 + k)}
            cases[u.id].append(case)
            case_rows.append((case["id"], item["name"], u.id, day.isoformat(), case["phone"]))
    wb = new_workbook()
    write_table(wb.create_sheet("事项清单"), ["事项编号", "事项名称", "单位", "类型", "网上可办", "办件量"], item_rows,
                text_columns=(0, 2))
    _save(wb, root / "frames" / "事项清单.xlsx")
    wb = new_workbook()
    write_table(wb.create_sheet("办件记录"), ["办件编号", "事项", "单位", "日期", "联系电话"], case_rows,
                text_columns=(0, 2, 3, 4))
    _save(wb, root / "frames" / "办件记录.xlsx")
    return items, cases


def _assessors(g: _Gen, root: Path) -> list[tuple[str, str]]:
    from evalkit.io.xlsx import new_workbook, write_table

    count = max(6, min(len(ASSESSOR_NAMES), round(len(g.units.units) / 8)))
    people = [(f"a{k + 1:02d}", ASSESSOR_NAMES[k]) for k in range(count)]
    units = g.units.units
    linked = {0: units[min(7, len(units) - 1)].id, 3: units[min(20, len(units) - 1)].id}
    rows = [(aid, name, linked.get(k, ""), "吉林大学行政学院" if k % 2 else "吉林省社会科学院")
            for k, (aid, name) in enumerate(people)]
    wb = new_workbook()
    write_table(wb.create_sheet("评估员"), ["编号", "姓名", "关联单位", "所在单位"], rows, text_columns=(0,))
    _save(wb, root / "assessors.xlsx")
    return people


def _adjustments(g: _Gen, root: Path, ranked: list) -> list:
    """Events for a few units and the manual scores of leaf 3.1 for every unit."""
    from evalkit.io.xlsx import new_workbook, write_table

    r = g.rng
    best, worst = ranked[:6], ranked[-6:]
    events = []
    n = 0

    def add(unit, kind, evidence, points, task, note):
        nonlocal n
        n += 1
        events.append((f"E{n:02d}", unit.id, kind, evidence, points, task, note))

    add(best[0], "自主创新加分", "市“只跑一次”改革领导小组办公室 2018 年 12 月通报", 3, "", "推行「一窗通办」并在全市推广")
    add(best[1], "牵头的推进组改革任务按要求完成", "推进组工作台账（2018 年 11 月）", "", "第 3 组", "")
    add(best[2], "牵头的改革事项按要求完成", "专项督查报告", "", "序号 17", "")
    add(worst[0], "未按时间节点完成任务（每个项目）", "工作台账：任务序号 12 逾期未销账", "", "12", "完成时限 2018 年 6 月底")
    add(worst[1], "改革工作存在突出问题，群众举报且查实", "12345 热线工单 JL2018-11-0237，纪检部门核查属实", "", "",
        "群众反映同一事项往返 4 次")
    add(worst[2], "牵头的改革事项未按要求完成", "专项督查报告", "", "序号 41", "")
    manual = []
    for u in g.units.units:
        q = g.quality[u.id]["q"]
        if q > 0.78 and r.random() < 0.5:
            points = r.choice((2, 3, 4, 5))
            why = r.choice(("推行帮办代办和预约服务，超出省规定举措", "开发掌上办事小程序，群众评价好", "建立容缺受理机制并公开"))
        else:
            points, why = 0, "未发现省规定举措之外的创新举措"
        manual.append((u.id, "3.1", points, why, LEAD))
    wb = new_workbook()
    write_table(wb.create_sheet("加减分事项"), ["编号", "单位", "类型", "依据", "分值", "任务", "说明"], events,
                text_columns=(1, 5), wrap_columns=(3, 6))
    write_table(wb.create_sheet("人工评分"), ["单位", "指标", "分数", "理由", "评分人"], manual, text_columns=(0, 1),
                wrap_columns=(3,))
    _save(wb, root / "adjustments.xlsx")
    return events


def _selfassessments(g: _Gen, root: Path) -> tuple[str, dict]:
    """Every unit's self-assessment (自评), written through :mod:`evalkit.selfassess.selfassess`.

    Units score themselves from their scored points plus a little optimism (below the
    self-score check's gap) and report their 即办件 counts (2.2.1) as sampled — except one
    weak unit, which claims every instant case was done on the spot (outside the interval).
    Returns the liar's id and its sampled figures.
    """
    from evalkit.project import evaluate, open_project
    from evalkit.selfassess import write_selfassessment

    from evalkit.framework import read_framework
    from evalkit.stats.proportions import wilson_interval

    fw, _ = read_framework(root / "framework.xlsx")
    leaves = [ind for ind in fw.indicators if fw.is_leaf(ind.code) and ind.points]
    evaluation = None
    if g.counter <= SCORED_SELF_LIMIT:  # small projects: self-scores from the real scores
        evaluation = evaluate(open_project(root), draws=0)[0]
    # 2.2.1 as sampled (approved rows), tallied while generating
    shares = {}
    for u in g.units.units:
        n, done = g.instant.get(u.id, (0, 0))
        if n:
            shares[u.id] = (done / n, n, wilson_interval(done, n))
    candidates = sorted((share, uid) for uid, (share, n, (low, high)) in shares.items() if high < 0.9)
    liar = candidates[0][1] if candidates else ""
    figures = {}
    for u in g.units.units:
        q = g.quality[u.id]
        result = evaluation.unit(u.id) if evaluation is not None else None
        claims: dict[str, dict] = {}
        for ind in leaves:
            leaf = result.leaf(ind.code) if result is not None else None
            if leaf is not None and leaf.score is not None:
                base = leaf.score
            else:  # estimated from the unit's latent quality
                base = ind.points * _clip(q["q"] + g.rng.gauss(0, 0.1)) if ind.code != "3.1" else 0.0
            optimism = 1.0 if ind.code == SELF_INDICATOR and u.id == liar else g.rng.uniform(0.0, 0.2)
            claims[ind.code] = {"self_score": round(min(ind.points, base + optimism * ind.points), 1)}
            if ind.code == SELF_INDICATOR and u.id in shares:
                share, n, interval = shares[u.id]
                done = n if u.id == liar else round(share * n)
                claims[ind.code].update(numerator=done, denominator=n, rate=round(100 * done / n, 1),
                                        note="据本单位政务大厅办件系统统计")
                if u.id == liar:
                    figures = {"claimed": done, "n": n, "share": share, "interval": interval}
        sa, problems = write_selfassessment(root, u.id, claims)
        if sa is None:
            raise AssertionError(f"self-assessment of {u.id}: {[p.message for p in problems if p.is_error]}")
    return liar, figures


# ---------------------------------------------------------------- entry point


def _check_target(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise DemoError(f"{root} 已存在且不是文件夹：请换一个目标文件夹。")
    if root.is_dir() and any(root.iterdir()):
        raise DemoError(f"文件夹 {root} 不是空的：演示项目只生成到不存在或空的文件夹中，从不覆盖已有文件。")


def generate(root: Path, *, seed: int = 2018, units: int | None = None, records: int | None = None,
             fast: bool = False) -> DemoSummary:
    """Build the demo project in ``root`` (must not exist or be empty); see the module docstring.

    ``units=None, records=None``: the standard demo (the 95 Jilin City units, about
    1,000 records).  ``units=150, records=100_000``: a province-scale project.
    ``fast=True`` skips fsync and answer validation; the files are the same bytes.
    """
    from evalkit.sampling import designs as sp
    from evalkit.sampling import make_assignment
    from evalkit.sampling import make_draw
    from evalkit.forms import load_instrument
    from evalkit.project import init_project

    root = Path(root)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise DemoError(f"随机种子「{seed}」无效：应为不小于 0 的整数。")
    if records is not None and records < 1:
        raise DemoError(f"记录数 {records} 无效：至少 1 条。")
    _check_target(root)
    unit_list, custom = _units(units)
    root.mkdir(parents=True, exist_ok=True)
    if custom:
        (root / "units.xlsx").parent.mkdir(parents=True, exist_ok=True)
        _write_units(unit_list, root / "units.xlsx")
    _config(root, seed, len(unit_list.units), records)
    init_project(root, FRAMEWORK_ID, name=PROJECT_NAME)
    from evalkit.framework import read_framework

    fw, _ = read_framework(root / "framework.xlsx")
    instruments = {}
    for path in sorted((root / "instruments").glob("*.xlsx")):
        inst, _ = load_instrument(path, fw.codes() if fw else None)
        instruments[inst.id] = inst
    g = _Gen(root, seed, fast, unit_list, instruments)
    g.units_index = {u.id: i + 1 for i, u in enumerate(unit_list.units)}
    unit_ids = [u.id for u in unit_list.units]
    by_id = {u.id: u for u in unit_list.units}

    plan = _plan(unit_ids, records, g.rng)
    suc_per_unit: dict[str, int] = {}
    online_per_unit: dict[str, int] = {}
    for uid, inst in plan:
        if inst == "service_user_check":
            suc_per_unit[uid] = suc_per_unit.get(uid, 0) + 1
        if inst == "online_check":
            online_per_unit[uid] = online_per_unit.get(uid, 0) + 1
    callbacks = 2  # service-user checks per unit made by phone from the drawn cases; more are in-hall intercepts
    sample_cases = callbacks * CITIZENS_PER_CHECK
    items, cases = _frames(g, root, 12, sample_cases + 16)

    # seeded draws with the real sampling API
    draw_seed = g.rng.randrange(1, 2**31)
    case_draw = make_draw(root, root / "frames" / "办件记录.xlsx",
                          sp.Design("stratified", n=sample_cases * len(unit_ids), strata="单位", allocation="equal",
                                    reserve=4), draw_seed, draw_id=f"callback-s{draw_seed}").draw
    item_seed = g.rng.randrange(1, 2**31)
    item_draw = make_draw(root, root / "frames" / "事项清单.xlsx",
                          sp.Design("stratified", n=ITEMS_PER_ONLINE * len(unit_ids), strata="单位", allocation="equal"),
                          item_seed, draw_id=f"online-items-s{item_seed}").draw
    case_by_id = {c["id"]: c for cs in cases.values() for c in cs}
    item_by_id = {i["id"]: i for its in items.values() for i in its}
    drawn_cases: dict[str, list[dict]] = {}
    for s in case_draw.selected:
        drawn_cases.setdefault(s.stratum, []).append(case_by_id[s.id])
    drawn_items: dict[str, list[dict]] = {}
    for s in item_draw.selected:
        drawn_items.setdefault(s.stratum, []).append(item_by_id[s.id])

    people = _assessors(g, root)
    assign_seed = g.rng.randrange(1, 2**31)
    assignment, _, _ = make_assignment(root, root / "assessors.xlsx", seed=assign_seed, per_unit=2,
                                       assign_id=f"demo-s{assign_seed}")
    names = dict(people)
    team = {u: [names[a] for a in assignment.assessors_of(u)] for u in unit_ids}
    # the rater far from the others: an assessor with several units
    deviant = names[sorted(assignment.loads, key=lambda a: (-assignment.loads[a], a))[len(people) // 2]]

    # ranked by latent quality, for adjustments and the self-report liar
    ranked = sorted(unit_list.units, key=lambda u: -g.quality[u.id]["q"])
    _adjustments(g, root, ranked)

    validate = not fast
    from evalkit.forms import validate_answers

    used_suc: dict[str, int] = {}
    used_online: dict[str, int] = {}
    used_expert: dict[str, int] = {}
    ids: list[tuple[str, str, str]] = []  # (record, instrument, unit)
    deviant_records: list[str] = []
    hotline_records: list[tuple[str, str, str, dict, dt.date]] = []
    rng = g.rng
    seen: dict[tuple[str, str], int] = {}
    for n, (uid, inst_id) in enumerate(plan):
        u, q = by_id[uid], g.quality[uid]
        day = g._day()
        its = items[uid]
        attachments: list = []
        if inst_id == "expert_review":
            k = used_expert[uid] = used_expert.get(uid, 0) + 1
            assessor = team[uid][(k - 1) % 2]
            expert = EXPERTS[(g.units_index[uid] * 2 + k) % len(EXPERTS)]
            answers, attachments = _expert_review(g, u, q, day, its, expert=expert, deviant=assessor == deviant)
        else:
            assessor = team[uid][rng.randrange(2)]
            if inst_id == "service_user_check":
                k = used_suc[uid] = used_suc.get(uid, 0) + 1
                chunk = drawn_cases.get(uid, [])[(k - 1) * CITIZENS_PER_CHECK:k * CITIZENS_PER_CHECK] if k <= callbacks else []
                answers = _service_user_check(g, u, q, day, its, cases=chunk)
            elif inst_id == "online_check":
                k = used_online[uid] = used_online.get(uid, 0) + 1
                picked = drawn_items.get(uid, its[:ITEMS_PER_ONLINE]) if k == 1 else rng.sample(its, ITEMS_PER_ONLINE)
                answers = _online_check(g, u, q, day, its, picked=picked)
            else:
                answers = GENERATORS[inst_id](g, u, q, day, its)
        answers["assessor"] = assessor
        if validate:
            issues = validate_answers(instruments[inst_id], answers, today=day)
            if issues:  # a generator bug, never expected
                raise AssertionError(f"{inst_id} {uid}: {issues}")
        # a few records not reviewed yet or flagged: questionnaires (no leaf depends on them alone) and, at
        # province scale, repeated records of an instrument
        roll = rng.random()
        seen[uid, inst_id] = seen.get((uid, inst_id), 0) + 1
        spare = inst_id == "questionnaire" or seen[uid, inst_id] > BASE.get(inst_id, 0)
        share = 0.2 if records is None else 0.04
        state, comment = ("received", "") if spare and roll < share else \
            ("has_issues", "问卷编号与纸质问卷不符，请核对") if spare and roll > 1 - share / 10 else ("approved", "")
        if inst_id == "hotline_test" and not hotline_records and state == "approved" and _room(answers):
            hotline_records.append((uid, assessor, inst_id, answers, day))
            continue  # written below, with the raw out-of-range value
        iid = g.write_record(inst_id, uid, assessor, answers, day, state=state, comment=comment, attachments=attachments)
        if inst_id == "service_user_check" and state == "approved":
            rows = [c["instant_done"] for c in answers["citizens"] if "instant_done" in c]
            n, done = g.instant.get(uid, (0, 0))
            g.instant[uid] = (n + len(rows), done + rows.count("yes"))
        ids.append((iid, inst_id, uid))
        if inst_id == "expert_review" and assessor == deviant:
            deviant_records.append(iid)

    problems: list[DemoProblem] = []
    # an out-of-range value, written raw as an old import might (connected calls above calls made)
    uid, assessor, inst_id, answers, day = hotline_records[0] if hotline_records else (
        unit_ids[0], team[unit_ids[0]][0], "hotline_test", _hotline_test(g, by_id[unit_ids[0]], g.quality[unit_ids[0]], PERIOD[0], items[unit_ids[0]]), PERIOD[0])
    answers["assessor"] = assessor
    call = answers["calls"][0]
    call.update({"calls_made": 2, "calls_connected": BAD_CONNECTED})
    for key in ("no_answer_reason",):
        call.pop(key, None)
    call.setdefault("answer_correct", "correct")
    call.setdefault("told_all_materials", "yes")
    call.setdefault("attitude", "good")
    bad = g.write_record(inst_id, uid, assessor, answers, day, state="approved")
    problems.append(DemoProblem("out_of_range", "record-answer-invalid", bad, uid,
                                f"单位 {uid} 电话咨询测试第 1 组接通次数 {BAD_CONNECTED} 大于拨打次数 2（旧数据导入，未经表单校验）"))
    # a duplicate submission: a mystery visit submitted twice
    orig = next(r for r in ids if r[1] == "mystery_visit")
    from evalkit.io.durable import loads

    doc = loads(next((root / "raw" / orig[0]).glob("*.json")).read_bytes())
    day = dt.date.fromisoformat(doc["answers"]["visit_date"])
    ended = dt.datetime.fromisoformat(doc["ended"])
    later = (ended.hour - 8) * 60 + ended.minute - 30 + 3  # submitted again a few minutes after the first
    dup = g.write_record("mystery_visit", doc["unit"], doc["assessor"], doc["answers"], day, state="approved",
                         start_min=later)
    problems.append(DemoProblem("duplicate", "record-duplicate", dup, doc["unit"],
                                f"单位 {doc['unit']} 的暗访记录重复提交（与记录 {orig[0]} 完全相同）", doc["assessor"]))
    problems.append(DemoProblem("rater", "rater-deviates", deviant_records[0] if deviant_records else "",
                                "", f"专家论证评分中评估员「{deviant}」与其他评估员相差很大（其记录 {len(deviant_records)} 条）",
                                assessor=deviant))
    # every unit's self-assessment; a weak unit claims a perfect 即办率 (outside the sampled interval)
    liar, figures = _selfassessments(g, root)
    if liar:
        low, high = figures["interval"]
        problems.append(DemoProblem(
            "self_report", "self-report-outside-interval", "", liar,
            f"单位 {liar} 自评表自报即办件即办率 100%（{figures['claimed']}/{figures['n']}），抽查为 {figures['share']:.1%}"
            f"（95% 区间 {low:.1%}–{high:.1%}）", indicator=SELF_INDICATOR))

    files = [p for p in root.rglob("*") if p.is_file()]
    return DemoSummary(
        root=root, seed=seed, units=len(unit_ids), records=sum(g.per_instrument.values()),
        per_instrument={k: v for k, v in g.per_instrument.items() if v}, states=dict(sorted(g.states.items())),
        revisions=g.revisions, attachments=len(g.attachments), draws=(case_draw.draw_id, item_draw.draw_id),
        assignment=assignment.assign_id, problems=tuple(problems), claims=f"{SELF_DIR}/（{len(unit_ids)} 份自评表）",
        files=len(files), bytes=sum(p.stat().st_size for p in files))


GENERATORS = {"site_visit": _site_visit, "document_review": _document_review,
              "internal_interview": _internal_interview, "hotline_test": _hotline_test,
              "mystery_visit": _mystery_visit, "questionnaire": _questionnaire}
