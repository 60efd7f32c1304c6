"""Answers of the instruments used on site with the unit: the hall visit (政务大厅调研), the document
review (文件梳理), the internal interview (内部访谈) and the expert review (专家论证).  Each function
takes the generator's state, the unit, its latent quality per aspect, the day and the unit's
service items, and returns answers that satisfy the instrument (good units answer well)."""

from __future__ import annotations

import datetime as dt
import random

from evalkit.pipeline.demo.chance import binom, clip, level, person, yn, ynp
from evalkit.pipeline.demo.settings import PERIOD
from evalkit.pipeline.demo.state import DemoState
from evalkit.pipeline.demo.texts import BASIS, EXPERTS, FINDINGS

RUBRIC = ("1.1.1", "1.3.2.1")
EXPERT_INDICATORS = ("1.1.2", "2.1.1.1", "2.1.2.1")


def site_visit(g: DemoState, u, q: dict, day: dt.date, items: list) -> dict:
    r, h = g.rng, q["hall"]
    total = r.randint(6, 40)
    listed = r.randint(20, 260)
    in_hall = round(listed * clip(0.55 + 0.5 * h + r.gauss(0, 0.05)))
    checked = r.randint(10, 25)
    vague = binom(r, checked, clip(0.35 - 0.35 * h))
    cases = r.randint(800, 20000)
    instant = round(cases * clip(0.4 + 0.45 * h + r.gauss(0, 0.05)))
    promised = round((cases - instant) * r.uniform(0.6, 0.95))
    on_time = round(promised * clip(0.7 + 0.3 * h + r.gauss(0, 0.03)))
    facilities = [c.name for c in g.inst["site_visit"].choices["facilities"] if r.random() < 0.3 + 0.6 * h]
    channels = [c for c in ("box", "phone", "hotline", "web", "wechat", "desk") if r.random() < 0.2 + 0.6 * h] or \
        (["none"] if h < 0.3 else ["hotline"])
    hall = f"{u.name}政务服务中心" if u.kind == "region" else f"{u.name}办事大厅"
    answers = {
        "unit": u.id, "assessor": "", "visit_date": day.isoformat(),
        "arrival_time": f"{r.randint(8, 10):02d}:{r.choice(('00', '15', '30', '45'))}",
        "hall_name": hall, "hall_level": "county" if u.kind == "region" else r.choice(("city", "branch")),
        "windows_total": total, "windows_open": max(0, total - binom(r, total, clip(0.3 - 0.3 * h))),
        "windows_comprehensive": binom(r, total, clip(0.15 + 0.6 * h)), "one_window_mode": ynp(r, h),
        "facilities": facilities, "facilities_count": len(facilities),
        "items_listed": listed, "items_in_hall": in_hall,
        "items_in_hall_pct": round(in_hall * 100 / listed, 1),
    }
    if in_hall < listed:
        answers["items_outside_reason"] = r.choice(("涉密事项及需现场勘验事项暂未进驻",
                                                    "部分事项依托专业系统，尚未整合进大厅",
                                                    "场地不足，部分窗口仍在部门办公楼"))
    available = binom(r, checked, clip(0.55 + 0.5 * h))
    answers.update({"guides_checked": checked, "guides_available": available,
                    "guides_complete": binom(r, checked, clip(0.45 + 0.55 * h)), "guides_vague": vague})
    if vague:
        answers["guides_vague_examples"] = r.choice(("「其他相关材料」", "「等有关证明」",
                                                     "「相关部门要求的其他材料」"))
    answers.update({
        "period_start": PERIOD[0].isoformat(), "period_end": day.isoformat(), "cases_total": cases,
        "cases_instant": instant, "cases_instant_done": round(instant * clip(0.75 + 0.25 * h)),
        "instant_share": round(instant * 100 / cases, 1), "cases_promised": promised,
        "cases_promised_on_time": on_time, "promise_rate": round(on_time * 100 / promised, 1) if promised else "",
        "waiting_people": r.randint(0, 40), "waiting_minutes": max(0, round(r.gauss(45 - 40 * h, 8))),
        "guide_desk_staffed": yn(r, 0.25 + 0.7 * h), "leader_roster_public": yn(r, 0.3 + 0.65 * q["lead"]),
        "leader_on_duty": yn(r, 0.15 + 0.7 * q["lead"]), "complaint_channels": channels,
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


def document_review(g: DemoState, u, q: dict, day: dt.date, items: list) -> dict:
    r, d = g.rng, q["docs"]
    docs = []
    for k in range(r.randint(2, 4)):
        published = r.choices(("website", "portal", "hall", "internal", "draft"),
                              weights=(3 * d, 3 * d, 1.5, 1.5 * (1 - d), 0.6 * (1 - d)))[0]
        row = {"doc_title": r.choice(("“只跑一次”改革实施方案", "“只跑一次”事项清单", "办事指南汇编",
                                      "改革领导小组会议纪要", "改革工作台账", "自查自纠报告")),
               "doc_number": _doc_number(r, u),
               "doc_kind": r.choice(("plan", "item_list", "guide", "minutes", "ledger")),
               "doc_published": published}
        if published in ("website", "portal"):
            row["doc_url"] = f"http://www.jlcity.gov.cn/zwgk/2018/{u.id}-{k + 1}.html"
        docs.append(row)
    total = r.randint(30, 400)
    sampled = r.randint(10, 20)
    answers = {
        "unit": u.id, "assessor": "", "visit_date": day.isoformat(),
        "material_source": r.choice(("submitted", "website", "onsite")), "documents": docs,
        "items_total": total, "items_reviewed": round(total * clip(0.75 + 0.3 * d + r.gauss(0, 0.03))),
        "items_run_once": round(total * clip(0.35 + 0.65 * d + r.gauss(0, 0.05))),
    }
    answers["run_once_share"] = round(answers["items_run_once"] * 100 / total, 1)
    answers.update({
        "list_dynamic": yn(r, 0.3 + 0.65 * d), "guides_sampled": sampled,
        "guides_standard": binom(r, sampled, clip(0.5 + 0.5 * d)),
        "guides_vague_text": binom(r, sampled, clip(0.3 - 0.3 * d)), "materials_reduced": ynp(r, d),
        "self_check_ledger": yn(r, 0.3 + 0.6 * q["self"]),
        "ratings": [{"indicator": code, "level": level(r, q["docs"] if code == "1.1.1" else q["hall"]),
                     "basis": r.choice(BASIS)} for code in RUBRIC],
    })
    return answers


def internal_interview(g: DemoState, u, q: dict, day: dt.date, items: list) -> dict:
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
        answers["interviewee_name"] = person(r)
    answers["duration_minutes"] = r.randint(30, 120)
    done = r.random() < 0.3 + 0.65 * q["self"]
    answers.update({"leading_group": yn(r, 0.45 + 0.55 * lead),
                    "leader_meetings": max(0, round(r.gauss(1 + 7 * lead, 1.2))),
                    "self_check_done": "yes" if done else "no"})
    if done:
        issues = r.randint(2, 30)
        answers.update({"self_check_issues": issues, "self_check_fixed": binom(r, issues, clip(0.4 + 0.6 * q["self"]))})
    answers["cross_dept_mechanism"] = ynp(r, q["q"])
    answers["ratings"] = [{"indicator": code, "level": level(r, lead if code == "1.1.1" else q["hall"]),
                           "statement": r.choice(BASIS) + "，受访者作了说明", "needs_verification": yn(r, 0.2)}
                          for code in RUBRIC]
    if r.random() < 0.5:
        answers["suggestions"] = r.choice(("希望省里统一业务系统接口", "建议加强窗口人员培训", "基层人手紧张"))
    return answers


def expert_review(g: DemoState, u, q: dict, day: dt.date, items: list, *, expert: tuple[str, str],
                   deviant: bool) -> tuple[dict, list]:
    r = g.rng
    materials = [m for m in ("plan", "item_list", "guides", "flowcharts", "self_report", "ledger")
                 if r.random() < 0.6] or ["plan"]
    if r.random() < 0.1:
        materials.append("other")
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(), "expert_name": expert[0],
               "expert_field": expert[1], "conflict": "no", "materials": materials}
    if "other" in materials:
        answers["materials_other"] = "群众来信来访记录"
    scores = []
    for code in EXPERT_INDICATORS:
        base = q["q"] if code == "1.1.2" else q["docs"]
        score = int(clip(round(1 + 4 * base + r.gauss(0, 0.35)), 1, 5))
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
    photo = g.attachment("photo_signed", expert[0], (240 - 12 * index, 236, 220 + 4 * index),
                         f"论证意见表_{expert[0]}.png")
    answers["photo_signed"] = photo
    return answers, [photo]


