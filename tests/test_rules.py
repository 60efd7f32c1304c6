"""The rule language: parsing without eval, and validation as problem records at the framework cell."""

from __future__ import annotations

import pytest
from conftest import SHIPPED
from scoring_helpers import framework, shipped_instruments

from evalkit.framework import read_framework
from evalkit.problems import Report
from evalkit.scoring import Condition, FieldRef, RuleSyntaxError, Span, parse_rule, validate_rules


@pytest.fixture(scope="module")
def instruments():
    return shipped_instruments()


def test_parse_values():
    rule = parse_rule("rate(where=service_user_check.citizens.trips <= 1, full=90%, zero=0.5, min_n=10, "
                      "insufficient=flag, bands={0%..50%: 0%})")
    assert rule.kind == "rate" and rule.min_n == 10 and rule.insufficient == "flag"
    assert rule.get("where") == Condition(FieldRef("service_user_check", ("citizens", "trips")), "<=", 1.0)
    assert rule.get("full") == 0.9 and rule.get("zero") == 0.5
    assert rule.get("bands") == ((Span(0.0, 0.5), 0.0),)
    listed = parse_rule("checklist（items=[a.b in ['x', 'y'], a.c != 'none']）")  # full-width brackets accepted
    assert [str(c) for c in listed.get("items")] == ["a.b in ['x', 'y']", "a.c != 'none'"]


@pytest.mark.parametrize("text", ["rate(", "rate(full=)", "rate(full=1, full=2)", "__import__('os')", "rate(x=1) y"])
def test_syntax_errors_are_raised_not_evaluated(text):
    with pytest.raises(RuleSyntaxError):
        parse_rule(text)


BAD = [
    ("1", "制度", 36, "", "", ""),
    ("1.1", "未知规则", 4, "", "", "ratio(where=site_visit.leader_on_duty = 'yes')"),
    ("1.2", "缺参数", 4, "", "", "rate(where=site_visit.leader_on_duty = 'yes', full=90%)"),
    ("1.3", "无此字段", 4, "", "", "checklist(items=[site_visit.leader_on_dutty = 'yes'])"),
    ("1.4", "阈值", 4, "", "", "rate(where=site_visit.leader_on_duty = 'yes', full=120%, zero=50%)"),
    ("1.5", "重叠", 4, "", "", "rate(num=site_visit.guides_available, den=site_visit.guides_checked, "
                               "bands={80%..100%: 100%, 50%..90%: 50%, 0%..50%: 0%})"),
    ("1.6", "缺档", 4, "", "", "rate(num=site_visit.guides_available, den=site_visit.guides_checked, "
                               "bands={80%..100%: 100%, 0%..60%: 0%})"),
    ("1.7", "人工", 4, "", "", "manual(max=6)"),
    ("1.8", "语法", 4, "", "", "rate(where=site_visit.leader_on_duty = , full=1)"),
    ("1.9", "工具", 4, "", "", "mean(field=expert_reveiw.scores.score, scale=1..5)"),
]


def test_bad_rules_are_problems_at_the_cell(instruments):
    fw = framework(BAD, total=36)
    problems = validate_rules(fw, instruments)
    found = Report([p for p in problems if p.is_error]).flatten(["code", "indicator", "sheet", "row", "column"])
    # the fields serve other indicators of the province framework than these inline codes: a warning
    assert {p.code for p in problems if not p.is_error} == {"rule-field-other-indicator"}
    expected = [
        ["rule-unknown", "1.1", 3], ["rule-param-missing", "1.2", 4], ["rule-field-unknown", "1.3", 5],
        ["rule-threshold-above-100", "1.4", 6], ["rule-bands-overlap", "1.5", 7], ["rule-bands-gap", "1.6", 8],
        ["rule-manual-above-max", "1.7", 9], ["rule-syntax", "1.8", 10], ["rule-instrument-unknown", "1.9", 11],
    ]
    assert [[c, i, r] for c, i, _, r, _ in found] == expected
    assert {col for *_, col in found} == {"评分规则"}
    messages = {p.indicator: p.message for p in validate_rules(fw, instruments)}
    assert "leader_on_duty" in messages["1.3"]  # did you mean
    assert "expert_review" in messages["1.9"]


def test_shipped_province_framework_rules_validate(instruments):
    fw, problems = read_framework(SHIPPED / "province-2018.xlsx")
    assert [p.code for p in problems if p.code == "rule-missing"] == []
    assert validate_rules(fw, instruments) == []
    assert all(leaf.rule for leaf in fw.leaves())
