"""Answers of the instruments that meet the unit as the public does: the service-user check
(服务对象抽查, call-backs of drawn cases or in-hall intercepts), the hotline test (电话咨询测试), the
online check (网上办事核查), the mystery visit (暗访) and the questionnaire (问卷调查)."""

from __future__ import annotations

import datetime as dt

from evalkit.pipeline.demo.chance import binom, clip, yn
from evalkit.pipeline.demo.settings import CITIZENS_PER_CHECK
from evalkit.pipeline.demo.state import DemoState
from evalkit.pipeline.demo.texts import COMMENTS
from evalkit.pipeline.demo.writer import phone_number


def service_user_check(g: DemoState, u, q: dict, day: dt.date, items: list, *, cases: list) -> dict:
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
            row["instant_done"] = yn(r, 0.5 + 0.5 * s)
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
        row["progress_visible"] = yn(r, 0.3 + 0.6 * q["online"])
        sat = int(clip(round(1 + 4 * s + r.gauss(0, 0.7)), 1, 5))
        row["satisfaction"] = str(sat) if r.random() > 0.03 else "na"
        if r.random() < 0.35:
            row["comment"] = r.choice(COMMENTS)
        row["callback_phone"] = case["phone"] if case else phone_number(g.units_index[u.id] * 100000 + 50000 + idx)
        citizens.append(row)
    return {"unit": u.id, "assessor": "", "visit_date": day.isoformat(), "check_mode": mode, "citizens": citizens}


def hotline_test(g: DemoState, u, q: dict, day: dt.date, items: list) -> dict:
    r, p = g.rng, q["phone"]
    calls = []
    for _ in range(5):
        made = r.choice((2, 2, 3))
        connected = binom(r, made, clip(0.45 + 0.55 * p))
        row: dict = {"call_time": f"{r.randint(9, 16):02d}:{r.randint(0, 59):02d}",
                     "item_asked": r.choice(items)["name"], "calls_made": made, "calls_connected": connected}
        if connected < made:
            row["no_answer_reason"] = r.choice(("no_answer", "busy", "voicemail"))
        if connected:
            row["answer_seconds"] = r.randint(3, 90)
            row["answer_correct"] = r.choices(("correct", "partial", "wrong", "deflected"),
                                              weights=(3 * p, 1, 1 - p, 0.6 * (1 - p)))[0]
            row["told_all_materials"] = yn(r, 0.35 + 0.6 * p)
            row["attitude"] = r.choices(("good", "fair", "poor"), weights=(2 * p, 1, 0.8 * (1 - p)))[0]
            if r.random() < 0.5:
                row["answer_summary"] = "告知了办理地点、所需材料和办理时限"
        calls.append(row)
    return {"unit": u.id, "assessor": "", "visit_date": day.isoformat(),
            "hotline_number": f"0432-6{g.units_index[u.id]:03d}{r.randint(1000, 9999)}",
            "number_source": r.choice(("guide", "website", "hall")), "calls": calls}


def online_check(g: DemoState, u, q: dict, day: dt.date, items: list, *, picked: list) -> dict:
    r, o = g.rng, q["online"]
    portal = r.choice(("province", "province", "dept_site", "app"))
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(), "portal": portal}
    if portal in ("province", "dept_site"):
        answers["portal_url"] = "http://www.jlzwfw.gov.cn/" if portal == "province" else f"http://www.jlcity.gov.cn/{u.id}/"
    rows = []
    for item in picked:
        row: dict = {"item_name": item["name"], "item_code": item["id"]}
        online = r.random() < clip(0.55 + 0.5 * o) or item["online"] and r.random() < 0.7
        row["item_online"] = "yes" if online else "no"
        if online:
            row["guide_online_complete"] = yn(r, 0.4 + 0.55 * o)
            x = o + r.gauss(0, 0.2)
            depth = "full" if x > 0.72 else "apply" if x > 0.45 else "download" if x > 0.25 else "info"
            row["online_depth"] = depth
            if depth in ("apply", "full"):
                tracking = r.random() < 0.4 + 0.6 * o
                row["realtime_tracking"] = "yes" if tracking else "no"
                if tracking:
                    row["tracking_channels"] = r.sample(("web", "sms", "app", "phone"), k=r.randint(1, 3))
        channels = [c for c in ("web_form", "live_chat", "message", "wechat")
                    if r.random() < 0.15 + 0.55 * o] or ["none"]
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
        answers["complaint_reply"] = yn(r, 0.3 + 0.6 * o)
    return answers


def mystery_visit(g: DemoState, u, q: dict, day: dt.date, items: list) -> dict:
    r, h, s = g.rng, q["hall"], q["service"]
    extra = r.random() < clip(0.45 - 0.45 * s)
    outcome = r.choices(("done", "told_once", "another_trip", "refused"), weights=(2 * s, 1.2, 1 - s, 0.4 * (1 - s)))[0]
    answers = {"unit": u.id, "assessor": "", "visit_date": day.isoformat(),
               "arrival_time": f"{r.randint(8, 15):02d}:{r.randint(0, 59):02d}", "duration_minutes": r.randint(10, 90),
               "item_attempted": r.choice(items)["name"], "scenario": r.choice(("consult", "submit", "collect")),
               "guided": yn(r, 0.2 + 0.75 * h), "queue_minutes": max(0, round(r.gauss(40 - 35 * h, 8))),
               "window_type": (r.choice(("comprehensive", "dept", "instant")) if h > 0.4
                               else r.choice(("dept", "unclear"))),
               "staff_on_post": yn(r, 0.45 + 0.55 * h),
               "attitude": r.choices(("good", "fair", "poor"), weights=(2 * s, 1, 0.8 * (1 - s)))[0],
               "told_at_once": yn(r, 0.3 + 0.65 * s), "extra_materials": "yes" if extra else "no"}
    if extra:
        answers["extra_materials_detail"] = r.choice(("户口簿复印件", "单位介绍信", "无犯罪记录证明", "村委会证明"))
    answers.update({"referred_elsewhere": yn(r, clip(0.4 - 0.4 * s)), "outcome": outcome})
    if outcome in ("another_trip", "refused"):
        answers["outcome_reason"] = r.choice(("材料清单与指南不一致，需补交", "窗口称该事项需到部门本部办理",
                                              "系统故障无法受理"))
    answers.update({"improper_conduct": "no",
                    "narrative": f"暗访员以办事群众身份前往大厅，咨询「{answers['item_attempted']}」，"
                                 + ("全程有人引导，窗口一次性告知材料。" if outcome in ("done", "told_once")
                                    else "窗口告知需另行补充材料后再来。")})
    return answers


def questionnaire(g: DemoState, u, q: dict, day: dt.date, items: list) -> dict:
    r, s = g.rng, q["service"]
    g.counter_q += 1
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
        answers[name] = "na" if r.random() < 0.06 else str(int(clip(round(1 + 4 * s + r.gauss(0, 0.8)), 1, 5)))
    if r.random() < 0.3:
        answers["suggestions"] = r.choice(COMMENTS)
    if r.random() < 0.4:
        answers["respondent_phone"] = phone_number(900_000_000 + g.counter_q)
    return answers

