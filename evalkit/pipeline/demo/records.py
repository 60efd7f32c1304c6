"""The demo's raw records: which unit gets which instrument (:func:`plan`), the records written one
by one with their review state (:func:`write_records`), and the deliberate problems the checks must
catch (:func:`deliberate_problems`): an out-of-range value written raw, a duplicate submission and
an expert rater far from the others."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.forms import validate_answers
from evalkit.pipeline.demo.answers_onsite import document_review, expert_review, internal_interview, site_visit
from evalkit.pipeline.demo.answers_public import (
    hotline_test,
    mystery_visit,
    online_check,
    questionnaire,
    service_user_check,
)
from evalkit.pipeline.demo.frames import Fieldwork
from evalkit.pipeline.demo.settings import (
    BAD_CONNECTED,
    BASE,
    BASE_MIX,
    CALLBACKS,
    CITIZENS_PER_CHECK,
    EXTRA_WEIGHTS,
    ITEMS_PER_ONLINE,
    PERIOD,
)
from evalkit.pipeline.demo.state import DemoState
from evalkit.pipeline.demo.summary import DemoProblem
from evalkit.pipeline.demo.texts import EXPERTS

# the instruments whose answers need nothing but the unit, its quality, the day and its items
GENERATORS = {"site_visit": site_visit, "document_review": document_review,
              "internal_interview": internal_interview, "hotline_test": hotline_test,
              "mystery_visit": mystery_visit, "questionnaire": questionnaire}


@dataclass
class Written:
    """What :func:`write_records` wrote that the deliberate problems build on."""

    ids: list[tuple[str, str, str]] = field(default_factory=list)  # (record, instrument, unit)
    deviant_records: list[str] = field(default_factory=list)  # the deviant rater's expert reviews
    held_back: tuple | None = None  # (unit, assessor, instrument, answers, day) of the hotline test written raw later
    used: dict[tuple[str, str], int] = field(default_factory=dict)  # records so far per (unit, instrument)


def plan(unit_ids: list[str], records: int | None, rng: random.Random) -> list[tuple[str, str]]:
    """(unit, instrument) for every ordinary record, in generation order."""
    slots: list[tuple[str, str]] = []
    for inst, k in BASE_MIX:
        for _ in range(k):
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


def write_records(g: DemoState, slots: list[tuple[str, str]], work: Fieldwork, *, records: int | None) -> Written:
    """Every planned record, answered from the unit's latent quality and reviewed; every answer set is
    validated against its instrument unless ``g.fast``.  The first approved hotline test that can hold
    the out-of-range value is held back for :func:`deliberate_problems`."""
    by_id = {u.id: u for u in g.units.units}
    written = Written()
    rng = g.rng
    for uid, inst_id in slots:
        day = g.day()
        assessor, answers, attachments = _answers(g, by_id[uid], inst_id, day, work, written.used)
        answers["assessor"] = assessor
        if not g.fast:
            issues = validate_answers(g.inst[inst_id], answers, today=day)
            if issues:  # a generator bug, never expected
                raise AssertionError(f"{inst_id} {uid}: {issues}")
        state, comment = _review(rng.random(), inst_id, written.used[uid, inst_id], records)
        if inst_id == "hotline_test" and written.held_back is None and state == "approved" and _room(answers):
            written.held_back = (uid, assessor, inst_id, answers, day)
            continue  # written by deliberate_problems, with the raw out-of-range value
        iid = g.write_record(inst_id, uid, assessor, answers, day, state=state, comment=comment,
                             attachments=attachments)
        if inst_id == "service_user_check" and state == "approved":
            rows = [c["instant_done"] for c in answers["citizens"] if "instant_done" in c]
            n, done = g.instant.get(uid, (0, 0))
            g.instant[uid] = (n + len(rows), done + rows.count("yes"))
        written.ids.append((iid, inst_id, uid))
        if inst_id == "expert_review" and assessor == work.deviant:
            written.deviant_records.append(iid)
    return written


def _answers(g: DemoState, u, inst_id: str, day: dt.date, work: Fieldwork,
             used: dict[tuple[str, str], int]) -> tuple[str, dict, list]:
    """(assessor, answers, attachments) of the unit's next record of ``inst_id``; counts it in ``used``."""
    uid, q, its = u.id, g.quality[u.id], work.items[u.id]
    k = used[uid, inst_id] = used.get((uid, inst_id), 0) + 1
    if inst_id == "expert_review":
        assessor = work.team[uid][(k - 1) % 2]
        expert = EXPERTS[(g.units_index[uid] * 2 + k) % len(EXPERTS)]
        answers, attachments = expert_review(g, u, q, day, its, expert=expert, deviant=assessor == work.deviant)
        return assessor, answers, attachments
    assessor = work.team[uid][g.rng.randrange(2)]
    if inst_id == "service_user_check":
        chunk = (work.drawn_cases.get(uid, [])[(k - 1) * CITIZENS_PER_CHECK:k * CITIZENS_PER_CHECK]
                 if k <= CALLBACKS else [])
        return assessor, service_user_check(g, u, q, day, its, cases=chunk), []
    if inst_id == "online_check":
        picked = work.drawn_items.get(uid, its[:ITEMS_PER_ONLINE]) if k == 1 else g.rng.sample(its, ITEMS_PER_ONLINE)
        return assessor, online_check(g, u, q, day, its, picked=picked), []
    return assessor, GENERATORS[inst_id](g, u, q, day, its), []


def _review(roll: float, inst_id: str, count: int, records: int | None) -> tuple[str, str]:
    """(state, comment) of a record: a few are not reviewed yet or flagged — questionnaires (no leaf
    depends on them alone) and, at province scale, repeated records of an instrument."""
    spare = inst_id == "questionnaire" or count > BASE.get(inst_id, 0)
    share = 0.2 if records is None else 0.04
    if spare and roll < share:
        return "received", ""
    if spare and roll > 1 - share / 10:
        return "has_issues", "问卷编号与纸质问卷不符，请核对"
    return "approved", ""


def _room(answers: dict) -> bool:
    """Whether the first call can hold the raw out-of-range value with the unit's total still a share (≤ 100 %)."""
    calls = answers["calls"]
    return sum(c["calls_connected"] for c in calls[1:]) + BAD_CONNECTED <= 2 + sum(c["calls_made"] for c in calls[1:])


def deliberate_problems(g: DemoState, root: Path, work: Fieldwork, written: Written) -> list[DemoProblem]:
    """The out-of-range hotline test, the duplicate mystery visit and the deviant rater, in this order."""
    return [_out_of_range(g, work, written), _duplicate(g, root, written),
            DemoProblem("rater", "rater-deviates", written.deviant_records[0] if written.deviant_records else "", "",
                        f"专家论证评分中评估员「{work.deviant}」与其他评估员相差很大"
                        f"（其记录 {len(written.deviant_records)} 条）", assessor=work.deviant)]


def _out_of_range(g: DemoState, work: Fieldwork, written: Written) -> DemoProblem:
    """A hotline test with more calls connected than made, written raw as an old import might."""
    if written.held_back is not None:
        uid, assessor, inst_id, answers, day = written.held_back
    else:
        u = g.units.units[0]
        uid, assessor, inst_id, day = u.id, work.team[u.id][0], "hotline_test", PERIOD[0]
        answers = hotline_test(g, u, g.quality[u.id], PERIOD[0], work.items[u.id])
    answers["assessor"] = assessor
    call = answers["calls"][0]
    call.update({"calls_made": 2, "calls_connected": BAD_CONNECTED})
    call.pop("no_answer_reason", None)
    call.setdefault("answer_correct", "correct")
    call.setdefault("told_all_materials", "yes")
    call.setdefault("attitude", "good")
    bad = g.write_record(inst_id, uid, assessor, answers, day, state="approved")
    return DemoProblem("out_of_range", "record-answer-invalid", bad, uid,
                       f"单位 {uid} 电话咨询测试第 1 组接通次数 {BAD_CONNECTED} 大于拨打次数 2"
                       "（旧数据导入，未经表单校验）")


def _duplicate(g: DemoState, root: Path, written: Written) -> DemoProblem:
    """The first mystery visit submitted again a few minutes later, with the same answers."""
    orig = next(r for r in written.ids if r[1] == "mystery_visit")
    doc = g.snapshots["mystery_visit"]
    day = dt.date.fromisoformat(doc["answers"]["visit_date"])
    ended = dt.datetime.fromisoformat(doc["ended"])
    later = (ended.hour - 8) * 60 + ended.minute - 30 + 3  # submitted again a few minutes after the first
    dup = g.write_record("mystery_visit", doc["unit"], doc["assessor"], doc["answers"], day, state="approved",
                         start_min=later)
    return DemoProblem("duplicate", "record-duplicate", dup, doc["unit"],
                       f"单位 {doc['unit']} 的暗访记录重复提交（与记录 {orig[0]} 完全相同）", doc["assessor"])
