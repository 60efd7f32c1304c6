"""evalkit score / check on a project, with the lead evaluator's adjustments.xlsx."""

from __future__ import annotations

import json

import pytest
from conftest import make_workbook

from evalkit.cli.main import main
from evalkit.project import init_project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("s") / "eval"
    init_project(root, "province-2018")
    make_workbook(root / "adjustments.xlsx", {
        "加减分事项": [["编号", "单位", "类型", "依据", "分值", "任务", "说明"],
                   ["E1", "c1-01", "overdue_task", "任务 16 逾期（2018年4月30日）", None, "16", ""],
                   ["E2", "c1-02", "弄虚作假", "核查报告 2018-07", None, "", ""]],
        "人工评分": [["单位", "指标", "分数", "理由", "评分人"], ["c1-01", "1.1.1", "很多", "无", "王五"]],
    })
    return root


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_score_applies_seed_002_events_and_reports_bad_cells(project, capsys):
    code, out = run(capsys, "score", str(project), "--json", "--draws", "20")
    data = json.loads(out)
    units = {u["unit"]: u for u in data["units"]}
    # no evidence yet: no leaf has a score — none counts as 0; every total is provisional, the adjustments alone
    assert units["c1-01"]["provisional"] and units["c1-01"]["rank"] is None and units["c1-01"]["grade"] is None
    assert units["c1-01"]["adjustments"] == -5   # 第十三条（一）: −5 per overdue task
    assert units["c1-02"]["adjustments"] == -15  # 第十三条（三）: −15 for falsification
    assert units["c1-01"]["total"] == units["c1-01"]["scored"] + units["c1-01"]["bonus"] - 5
    bad = [p for p in data["problems"] if p["code"] == "adjustment-not-number"]
    assert bad and bad[0]["sheet"] == "人工评分" and bad[0]["row"] == 2 and bad[0]["column"] == "分数"
    assert code == 1 and data["settings"]["seed"] == 20181102


def test_score_table_ranks_within_categories(project, capsys):
    code, out = run(capsys, "score", str(project), "--draws", "20")
    assert "第一类（12 个单位，绩效权重 1）" in out and "第五类（27 个单位，仅通报）" in out
    assert "市编办（c1-01）" in out and "待定" in out and "（总分待定：" in out


def test_the_lead_evaluator_may_rank_provisional_totals(tmp_path, capsys):
    from evalkit.config import update_config

    root = tmp_path / "eval"
    init_project(root, "province-2018")
    update_config(root, "scoring", "rank_provisional", True)
    code, out = run(capsys, "score", str(root), "--json", "--draws", "5")
    units = {u["unit"]: u for u in json.loads(out)["units"]}
    assert units["c1-01"]["provisional"] and units["c1-01"]["rank"] == 1  # all tie at 0: all first, marked
    assert json.loads(out)["settings"]["rank_provisional"] is True
    config = root / "evalkit.toml"  # written by hand, as a lead evaluator might
    config.write_text(config.read_text(encoding="utf-8").replace("rank_provisional = true", 'rank_provisional = "yes"'),
                      encoding="utf-8")
    code, out = run(capsys, "score", str(root), "--json", "--draws", "5")
    bad = [p for p in json.loads(out)["problems"] if p["code"] == "config-value-invalid"]
    assert bad and "rank_provisional" in bad[0]["message"]


def test_check_runs_on_the_project(project, capsys):
    code, out = run(capsys, "check", str(project), "--draws", "5")
    assert code == 0 and "coverage-missing" in out


def test_score_outside_a_project_is_a_usage_error(tmp_path, capsys):
    code, _ = run(capsys, "score", str(tmp_path))
    assert code == 2


def test_check_uses_the_period_and_the_assessor_list(tmp_path, capsys):
    from scoring_helpers import Records, shipped_instruments

    root = tmp_path / "eval"
    init_project(root, "province-2018")
    config = root / "evalkit.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('period_start = ""', 'period_start = "2018-11-01"')
                      .replace('period_end = ""', 'period_end = "2018-12-10"'), encoding="utf-8")
    make_workbook(root / "assessors.xlsx", {"评估员": [["编号", "姓名", "关联单位"], ["A01", "张三", ""]]})
    rec = Records(root, shipped_instruments())
    late = rec.add("hotline_test", "c1-01", {"visit_date": "2019-01-05"})
    stranger = rec.add("hotline_test", "c1-01", {"visit_date": "2018-11-20"}, assessor="路人甲")
    code, out = run(capsys, "check", str(root), "--json", "--draws", "5")
    found = [(p["code"], p["record"]) for p in json.loads(out)]
    assert ("logic-date-outside-period", late) in found
    assert ("record-assessor-unknown", stranger) in found
    assert ("record-assessor-unknown", late) not in found  # 张三 is on the list (by name)
