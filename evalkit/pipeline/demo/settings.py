"""The demo's fixed settings: the project's name and framework, the evaluation period and as-of
date, and how many records of which instrument each unit gets."""

from __future__ import annotations

import datetime as dt

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
SERVICE_ITEMS = 12  # per unit in 事项清单
CALLBACKS = 2  # service-user checks per unit made by phone from the drawn cases; more are in-hall intercepts
CASES = CALLBACKS * CITIZENS_PER_CHECK + 16  # per unit in 办件记录: the call-backs drawn, and spare
BAD_CONNECTED = 5  # the deliberate out-of-range value: calls connected out of 2 made
