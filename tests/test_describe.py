"""Rules in plain Chinese (evalkit.scoring.describe): what the reports going to the government print.

The shipped instruments give the labels; each expected sentence is read off the framework cell
it describes.  Nothing printed holds a field name, an operator in code or a choice code.
"""

from __future__ import annotations

import pytest
from scoring_helpers import shipped_instruments

from evalkit.scoring import condition_zh, describe_rule, parse_rule, thresholds_zh


@pytest.fixture(scope="module")
def instruments():
    return shipped_instruments()


@pytest.mark.parametrize("rule, words", [
    ("checklist(items=[site_visit.leader_roster_public = 'yes', site_visit.leader_on_duty = 'yes'])",
     "逐项核查：① 政务大厅调研：大厅公示了改革领导小组及领导带班（值班）安排（是）；② 政务大厅调研：调研时有单位负责同志在"
     "大厅带班或值守（是）。按符合项数占核查项数的比例得分"),
    ("rate(where=service_user_check.citizens.instant_done = 'yes', full=70%, zero=30%)",
     "服务对象抽查：是否当场办结（是）的比例；≥ 70 % 得满分，≤ 30 % 不得分，其间按比例"),
    ("rate(where=service_user_check.citizens.trips <= 1, full=90%, zero=50%, min_n=10, insufficient=flag)",
     "服务对象抽查：为办成此事共跑了几次（含本次） ≤ 1 的比例；≥ 90 % 得满分，≤ 50 % 不得分，其间按比例"
     "（至少 10 个样本，不足时按现有证据计分并标注）"),
    ("rate(where=document_review.documents.doc_published in ['website', 'hall'], full=100%, zero=50%)",
     "文件梳理：公开方式（在本单位门户网站公开或在政务大厅公示）的比例；≥ 100 % 得满分，≤ 50 % 不得分，其间按比例"),
    ("rate(num=site_visit.guides_available, den=site_visit.guides_checked, "
     "bands={95%..100%: 100%, 80%..95%: 75%, 60%..80%: 50%, 0%..60%: 0%})",
     "政务大厅调研：现场可取阅或可在查询机查到的份数 ÷ 抽查的办事指南份数；按比例分档：≥ 95 % 得满分；80 %–95 % 得 75 %；"
     "60 %–80 % 得 50 %；< 60 % 不得分"),
    ("rate(num=site_visit.items_in_hall, den=site_visit.items_listed, full=100%, zero=60%, sampled=no)",
     "政务大厅调研：其中已进入大厅办理的事项数 ÷ 本单位公布的\"只跑一次\"事项数；≥ 100 % 得满分，≤ 60 % 不得分，其间按比例"
     "（全数核查，不计抽样误差）"),
    ("rubric(field=[document_review.ratings.level, internal_interview.ratings.level])",
     "文件梳理、内部访谈对本指标的评议（达标程度），按平均达标程度得分：完全达到 100 %、基本达到 80 %、部分达到 50 %、未达到 0 %"),
    ("mean(field=expert_review.scores.score, scale=1..5)",
     "专家论证：评分（1–5 分）的平均分，1 分不得分、5 分得满分，其间按比例"),
    ("penalty(where=mystery_visit.extra_materials = 'yes', each=1, max=2)",
     "暗访：要求提供办事指南以外的材料（是）：每出现一次扣 1 分，最多扣 2 分"),
    ("checklist(items=[online_check.online_items.consult_channels != 'none'])",
     "逐项核查：① 网上办事核查：网上咨询渠道（不含「没有网上咨询渠道」）。按符合项数占核查项数的比例得分"),
    ("manual(max=10)", "由评估组长人工评分（最高 10 分），须写明理由"),
    ("台账", "按任务台账计分：截止日期前完成（销账）得该任务分值，否则不得分"),
])
def test_rules_read_as_chinese_sentences(instruments, rule, words):
    assert describe_rule(rule, instruments) == words


def test_what_the_instruments_do_not_know_is_shown_as_written(instruments):
    # an unknown field keeps its name; an unknown choice code its code: never wrong, only less polished
    assert describe_rule("rate(where=site_visit.no_such = 'x', full=90%, zero=50%)", instruments).startswith(
        "政务大厅调研：site_visit.no_such（x）的比例")
    assert describe_rule("rate(where=", instruments) == "rate(where=（规则有误，见问题清单）"
    assert describe_rule("", instruments) == "未设置评分规则"


def test_conditions_and_thresholds_in_words(instruments):
    cond = parse_rule("rate(where=site_visit.waiting_minutes <= 30, full=90%, zero=50%)").get("where")
    assert condition_zh(cond, instruments) == "实测等候时间（分钟） ≤ 30"
    assert condition_zh(cond, instruments, prefix=True) == "政务大厅调研：实测等候时间（分钟） ≤ 30"
    assert thresholds_zh(parse_rule("rate(where=site_visit.x = 1, full=20%, zero=60%)")) == \
        "≤ 20 % 得满分，≥ 60 % 不得分，其间按比例"  # lower is better
    assert thresholds_zh(parse_rule("checklist(items=[site_visit.x = 1])")) == "按比例得分"
