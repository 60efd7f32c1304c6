"""The task-ledger page, driven through its widgets (the browser test checks the wiring)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from test_ledger import pieces
from test_progress import ledger_project

from evalkit.app.ledger import LedgerView, parse_day
from evalkit.app.pages import current_project
from evalkit.ledger import load_ledger
from evalkit.project import init_project


@pytest.fixture
def project(tmp_path):
    return ledger_project(tmp_path / "jl", tmp_path / "inputs")


def state_files(root):
    return sorted((root / "ledger" / "status").rglob("*.json"))


def test_table_by_unit_and_area_with_liaison(project):
    view = LedgerView(current_project(project))
    assert view.cadence.value == "weekly" and view.day.value == "2018-11-20"
    html = view.table.value
    assert "周调度：2018-11-19（周一） 至 2018-11-25（周日）" in html
    assert ("<tr class='ek-l-u-c1-01'><td>c1-01</td><td>市编办</td><td>75</td><td>0</td><td>0</td><td>2</td><td>3</td>"
            "<td>56</td><td>1</td><td>1</td><td>张丽 13904310003</td></tr>") in html
    assert "<td>c1-02</td><td>市政府办公厅</td><td>75</td>" in html and "未报联络员" in html
    assert "另有 93 个单位尚未导入任务分解表" in html
    view.unit.value = "c1-01"
    view.cadence.value = "monthly"
    html = view.table.value + view.detail.value
    assert "月统筹：2018-11-01（周四） 至 2018-11-30（周五）" in html and "c1-02" not in html
    assert "<td>c1-01</td><td>1 改革任务目标</td><td>3</td><td>0</td><td>0</td><td>1</td><td>2</td><td>1</td>" in html
    assert "<tr class='ek-l-t-25'>" in html and "孙悦 13904310005" in html      # task 24's 推进组
    assert "王强" in view.roster.value and "联络员" in view.roster.value
    view.day.value = "2018-13-01"
    assert "不是日期" in view.day_info.value and view.table.value == ""
    view.day.value = "2018年10月31日"
    assert "日报告" not in view.table.value and "2018-10-01（周一） 至 2018-10-31（周三）" in view.table.value


def test_marking_a_task_appends_a_state_and_refreshes(project):
    view = LedgerView(current_project(project), {"unit": "c1-01", "cadence": "weekly"})
    before = state_files(project)
    view.task.value = 26
    view.status.value = "已销账"
    view.completed.value = "2018-11-19"
    view.materials.value = "吉市编发〔2018〕12号\n结项总结"
    view.mark_button.click()
    assert "已登记：c1-01 序号 26 已销账，完成日期 2018-11-19" in view.mark_info.value
    assert len(state_files(project)) == len(before) + 1
    ledger, _ = load_ledger(*pieces(project))
    s = ledger.state("c1-01", 26)
    assert (s.status, s.completed, s.materials, s.who) == ("已销账", dt.date(2018, 11, 19),
                                                          ("吉市编发〔2018〕12号", "结项总结"), "评估组")
    assert "<td>75</td><td>0</td><td>0</td><td>3</td><td>4</td><td>55</td><td>2</td>" in view.table.value
    assert view.task.value == 26 and "（已销账）" in dict((v, k) for k, v in view.task.options)[26]


@pytest.mark.parametrize("status, completed, materials, code", [
    ("已完成", "", "", "ledger-done-no-date"),
    ("已销账", "2018-11-19", "", "ledger-close-no-material"),
    ("推进中", "2018-11-19", "", "ledger-date-not-done"),
    ("已完成", "2018-12-01", "", "ledger-date-after-as-of"),
])
def test_bad_marks_write_nothing_and_explain_in_chinese(project, status, completed, materials, code):
    view = LedgerView(current_project(project), {"unit": "c1-01"})
    before = state_files(project)
    view.task.value, view.status.value, view.completed.value, view.materials.value = 26, status, completed, materials
    view.mark_button.click()
    assert "未登记" in view.mark_info.value and f"<b>{code}</b>" in view.mark_info.value
    assert state_files(project) == before


def test_mark_needs_unit_task_and_a_real_date(project):
    view = LedgerView(current_project(project))
    view.mark_button.click()
    assert "请先选择单位" in view.mark_info.value
    view.unit.value = "c1-01"
    view.mark_button.click()
    assert "请选择要登记的任务" in view.mark_info.value
    view.task.value, view.completed.value = 26, "6月某日"
    view.mark_button.click()
    assert "完成日期「6月某日」不是日期" in view.mark_info.value
    assert 5 not in [v for _, v in view.task.options]            # 不涉及 tasks cannot be marked


def test_report_written_to_out_and_offered_for_download(project):
    view = LedgerView(current_project(project), {"unit": "c1-01", "cadence": "bimonthly"})
    path = view.write_report()
    assert path == project / "out" / "ledger" / "progress-bimonthly-2018-11-20-c1-01.xlsx"
    assert "下载进度报告" in view.report_info.value and "base64," in view.report_info.value
    ws = openpyxl.load_workbook(path)["按单位"]
    assert ws["A1"].value == "“只跑一次”改革任务推进双月汇总（按单位）"
    assert [c.value for c in ws[6]][:10] == ["c1-01", "市编办", 75, 16, 1, 2, 3, 56, 1, 1]


def test_parse_day():
    assert parse_day("2018/6/30") == dt.date(2018, 6, 30) and parse_day(" ") is None
    with pytest.raises(ValueError):
        parse_day("明天")


def test_bare_project_page_explains_instead_of_failing(tmp_path):
    root = tmp_path / "bare"
    init_project(root, "jilin-city-2018")
    view = LedgerView(current_project(root))
    assert [v for _, v in view.unit.options] == [""]
    assert "<b>progress-date-missing</b>" in view.table.value and view.detail.value == ""
    view.day.value = "2018-11-20"
    assert "另有 95 个单位尚未导入任务分解表" in view.table.value
    assert view.write_report().name == "progress-weekly-2018-11-20-all.xlsx"


def test_a_province_project_has_no_ledger_page_and_says_so_in_one_sentence(tmp_path, project):
    from evalkit.app.ledger import ledger_page
    from evalkit.app.sitemap import pages_of

    root = tmp_path / "province"
    init_project(root, "province-2018")
    province = current_project(root)
    assert "ledger.ipynb" not in [nb for nb, _ in pages_of(province)]
    assert "ledger.ipynb" in [nb for nb, _ in pages_of(current_project(project))]
    html = ledger_page(province, {}).children[1].value
    assert "没有任务台账" in html and "ek-error" not in html and "ledger-" not in html
    assert "scoring.ipynb" in html and "ledger.ipynb" not in html
