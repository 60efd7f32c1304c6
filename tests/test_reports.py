"""write_reports: the Excel report and the HTML reports — content, reproducibility, escaping, masking, bad input."""

from __future__ import annotations

import re
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import make_workbook, sha256
from scoring_helpers import Records, shipped_instruments

from evalkit.problems import ERROR, Problem
from evalkit.project import evaluate, init_project, open_project
from evalkit.reports import bars_against_max, mask_free_text, mask_name, mask_phone, personal_kind, write_reports

FORMULA = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
PHONE, PHONE2, FREE_PHONE = "13812345678", "13987654321", "13911112222"
NAME = "王小明"
INPUT_PROBLEM = Problem("adjustment-not-number", ERROR, "人工评分第 2 行「分数」不是数字：请填写数字。",
                        file="adjustments.xlsx", sheet="人工评分", row=2, column="分数")


def citizen(trips: int, **extra) -> dict:
    return {"user_type": "person", "item_name": "营业执照", "case_kind": "instant", "trips": trips, **extra}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports") / "eval"
    init_project(root, "province-2018")
    make_workbook(root / "units.xlsx", {
        "单位": [["编号", "名称", "类别", "类型", "上级地区"],
               ["d1", "市编办", "1", "部门", ""], ["d2", "市发改委", "1", "部门", ""],
               ["r0", "吉林市", "2", "地区", ""], ["r1", "永吉县", "2", "地区", "r0"],
               ["r2", "舒兰市", "2", "地区", "r0"]],
        "类别": [["编号", "名称", "绩效权重", "仅通报", "说明"], ["1", "第一类", 1, "否", ""],
               ["2", "第二类", 0.7, "否", ""]]})
    config = root / "evalkit.toml"
    text = config.read_text(encoding="utf-8")
    assert "as_of" in text
    config.write_text(re.sub(r'as_of = "[^"]*"', 'as_of = "2018-12-31"', text), encoding="utf-8")
    rec = Records(root, shipped_instruments())
    for unit, trips in (("d1", 1), ("d2", 2), ("r1", 1), ("r2", 1)):
        rec.add("service_user_check", unit, {"visit_date": "2018-11-12", "citizens": [
            citizen(trips, callback_phone=PHONE, comment="办得很快") for _ in range(6)]}, assessor="李四")
    rec.add("site_visit", "d1", {"visit_date": "2018-11-20", "guides_checked": 10, "guides_available": 9,
                                 "findings": FORMULA, "innovations": SCRIPT})
    rec.add("questionnaire", "d1", {"visit_date": "2018-11-21", "respondent_phone": PHONE2,
                                    "suggestions": f"请回电 {FREE_PHONE}", "last_item": "营业\x0c执照"})
    rec.add("internal_interview", "d2", {"visit_date": "2018-11-22", "interviewee_name": NAME})
    return root


def write(project: Path, out: Path, mask: bool = True) -> list[Path]:
    opened = open_project(project)
    evaluation, problems = evaluate(opened, draws=20)
    return write_reports(opened, out, evaluation, [*problems, INPUT_PROBLEM], mask_personal=mask)


@pytest.fixture(scope="module")
def masked(project, tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("out")
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    return out, write(project, out)


@pytest.fixture(scope="module")
def plain(project, tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("plain")
    return out, write(project, out, mask=False)


def cells(path: Path, sheet: str | None = None) -> list:
    wb = openpyxl.load_workbook(path)
    return [c for ws in ([wb[sheet]] if sheet else wb.worksheets) for row in ws.iter_rows() for c in row]


def everything(out: Path) -> str:
    """All text of the outputs: the pages and every cell of the workbook."""
    pages = "".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html")))
    return pages + "\n".join(str(c.value) for c in cells(out / "评估报告.xlsx") if c.value is not None)


# ---------------------------------------------------------------- files and reproducibility


def test_paths_in_stable_order_and_other_files_kept(masked):
    out, paths = masked
    names = [p.relative_to(out).as_posix() for p in paths]
    assert names[:5] == ["评估报告.xlsx", "index.html", "province.html", "departments.html", "regions.html"]
    assert names[5:] == ["units/d1.html", "units/d2.html", "units/r0.html", "units/r1.html", "units/r2.html"]
    assert all(p.exists() for p in paths)
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert not list(out.rglob("*.tmp"))


def test_same_inputs_give_the_same_bytes(project, masked, tmp_path):
    out, paths = masked
    time.sleep(2.1)  # zip entries and workbook properties carry times to 2 s: they must not leak in
    again = write(project, tmp_path)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(out) for p in paths]
    assert [sha256(p) for p in again] == [sha256(p) for p in paths]


# ---------------------------------------------------------------- the workbook


def test_workbook_sheets_summary_and_print_setup(masked):
    out, _ = masked
    wb = openpyxl.load_workbook(out / "评估报告.xlsx")
    assert wb.sheetnames == ["汇总", "评分表", "证据", "文字记录", "问题", "方法"]
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    assert [(r["类别"], r["名次"], r["单位编号"]) for r in rows][:2] == [("第一类", 1, "d1"), ("第一类", 2, "d2")]
    d1 = rows[0]
    assert d1["等级"] == "不达标" and d1["计分完整"] == "否" and "个指标未计分" in d1["说明"]
    by_id = {r["单位编号"]: r for r in rows}
    assert by_id["r0"]["绩效权重"] == 0.7 and by_id["r0"]["上级地区"] is None and by_id["r1"]["上级地区"] == "r0"
    assert by_id["d1"]["绩效权重"] == 1 and by_id["r1"]["类型"] == "地区"
    total = ws.cell(row=2, column=header.index("总分") + 1)
    assert total.number_format == "0.00" and isinstance(total.value, (int, float))
    grade = ws.cell(row=2, column=header.index("等级") + 1)
    assert grade.fill.fgColor.rgb.endswith("FFC7CE")  # 不达标 red
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet["A1"].font.name == "Noto Sans CJK SC" and sheet["A1"].font.b
        assert sheet.column_dimensions["A"].width >= 6


def test_scorecard_holds_the_tree_with_points_and_evidence(masked):
    out, _ = masked
    ws = openpyxl.load_workbook(out / "评估报告.xlsx")["评分表"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    d1 = [r for r in rows if r["单位编号"] == "d1"]
    assert d1[0]["指标名称"].startswith("市编办（d1）")
    leaf = next(r for r in d1 if r["指标编码"] == "1.2.3")  # rate over service_user_check citizens trips
    assert leaf["证据数"] == 6 and leaf["采用记录"] == 1 and leaf["满分"] == 4
    assert leaf["状态"] == "证据不足，按现有证据计分（已标记）"  # 6 citizens, the rule wants more
    assert "trips" in leaf["评分规则"] and "6/6" in leaf["计分依据"] or "6" in leaf["计分依据"]
    missing = next(r for r in d1 if r["指标编码"] == "1.1.1")
    assert missing["得分"] in (None, "") and missing["状态"] == "证据不足，不计分"
    assert "score-insufficient-evidence" in missing["问题"]
    assert [r["指标名称"] for r in d1][-1] == "总分"
    breaks = openpyxl.load_workbook(out / "评估报告.xlsx")["评分表"].row_breaks.brk
    assert len(breaks) == 4  # five units, each from a new page


def test_evidence_sheet_lists_every_record_with_its_use(masked, project):
    out, _ = masked
    ws = openpyxl.load_workbook(out / "评估报告.xlsx")["证据"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 7 and [r["记录编号"] for r in rows] == sorted(r["记录编号"] for r in rows)
    d1 = next(r for r in rows if r["单位编号"] == "d1" and r["调查工具"].startswith("服务对象抽查"))
    assert d1["评估员"] == "李四" and d1["评估日期"] == "2018-11-12" and d1["审核状态"] == "已通过"
    assert "1.2.3" in d1["用于指标"]


def test_field_text_is_never_a_formula(masked):
    out, _ = masked
    found = [c for c in cells(out / "评估报告.xlsx", "文字记录") if c.value == FORMULA]
    assert len(found) == 1 and found[0].data_type == "s"
    assert not [c for c in cells(out / "评估报告.xlsx") if c.data_type == "f"]


def test_control_characters_do_not_break_the_workbook(masked):
    out, _ = masked
    assert [c.value for c in cells(out / "评估报告.xlsx", "文字记录")
            if str(c.value).startswith("营业\ufffd")] == ["营业\ufffd执照"]


def test_problems_sheet_lists_input_and_scoring_problems(masked):
    out, _ = masked
    ws = openpyxl.load_workbook(out / "评估报告.xlsx")["问题"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    mine = [r for r in rows if r["代码"] == "adjustment-not-number"]
    assert mine == [{"严重程度": "错误", "代码": "adjustment-not-number", "说明": INPUT_PROBLEM.message,
                     "文件": "adjustments.xlsx", "工作表": "人工评分", "行": 2, "列": "分数", "指标": None,
                     "记录": None, "字段": None}]
    assert rows[0]["严重程度"] == "错误"  # errors first
    assert any(r["代码"] == "score-insufficient-evidence" and r["指标"] == "1.1.1" for r in rows)


# ---------------------------------------------------------------- HTML


def test_pages_are_self_contained_and_escaped(masked):
    out, paths = masked
    for page in [p for p in paths if p.suffix == ".html"]:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing external
        assert "<style>" in html and "@media print" in html
        style = html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert "&#34;" not in style and "&quot;" not in style  # CSS escaped as HTML is not CSS (the font was lost)
        assert 'font-family:"Noto Sans CJK SC"' in style.replace(": ", ":")
    d1 = (out / "units" / "d1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in d1
    assert "<svg" in d1 and "各一级指标得分与满分" in d1


def test_index_links_every_report(masked):
    out, _ = masked
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("province.html", "departments.html", "regions.html", "评估报告.xlsx", "units/d1.html",
                 "units/r2.html"):
        assert f'href="{href}"' in index
    unit = (out / "units" / "r1.html").read_text(encoding="utf-8")
    assert 'href="../index.html"' in unit


def test_department_and_region_pages(masked):
    out, _ = masked
    departments = (out / "departments.html").read_text(encoding="utf-8")
    assert "units/d1.html" in departments and "units/r1.html" not in departments
    regions = (out / "regions.html").read_text(encoding="utf-8")
    assert "吉林市（r0）所辖地区（2 个）" in regions and "未设上级地区的地区（1 个）" in regions
    assert "units/d1.html" not in regions
    province = (out / "province.html").read_text(encoding="utf-8")
    assert "各类别等级分布" in province and "第二类（3 个单位）" in province and "绩效权重 0.7" in province


def test_method_section_names_assessors_dates_seed(masked):
    out, _ = masked
    d1 = (out / "units" / "d1.html").read_text(encoding="utf-8")
    method = d1[d1.index("评估方法"):]
    assert "李四（1 条）" in method and "张三（2 条）" in method
    assert "2018-11-12 至 2018-11-21" in method and "随机种子 20181102，20 次抽样" in method
    assert "截至 2018-12-31" in d1
    wb = openpyxl.load_workbook(out / "评估报告.xlsx")
    assert ["评估员", "张三（3 条）、李四（4 条）"] in [[c.value for c in r] for r in wb["方法"].iter_rows()]


def test_missing_scores_are_named_with_the_reason(masked):
    out, _ = masked
    d1 = (out / "units" / "d1.html").read_text(encoding="utf-8")
    assert "个分数缺失" in d1
    alert = d1[d1.index("个分数缺失"):d1.index("</div>", d1.index("个分数缺失"))]
    assert "1.1.1" in alert and "证据不足，不计分" in alert and "1.2.3" not in alert


# ---------------------------------------------------------------- personal data


def test_personal_data_masked_by_default(masked):
    out, _ = masked
    text = everything(out)
    for secret in (PHONE, PHONE2, FREE_PHONE, NAME):
        assert secret not in text
    assert "138****5678" in text and "139****4321" in text and "139****2222" in text and "王**" in text


def test_personal_data_shown_when_asked(plain):
    out, _ = plain
    text = everything(out)
    for secret in (PHONE, PHONE2, FREE_PHONE, NAME):
        assert secret in text
    assert "138****5678" not in text


def test_masking_rules():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("0432-62012345") == "043*****2345"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***"
    assert mask_free_text("电话13812345678，身份证220202199001011234") == "电话138****5678，身份证220202********1234"
    assert mask_free_text("办件 2018-001 用时 12 天") == "办件 2018-001 用时 12 天"
    assert personal_kind("callback_phone", "回访手机号码") == "phone"
    assert personal_kind("respondent_phone", "联系电话（自愿填写）") == "phone"
    assert personal_kind("hotline_number", "被测咨询电话") is None  # the unit's published hotline
    assert personal_kind("citizen_name", "服务对象姓名") == "name"
    assert personal_kind("expert_name", "论证专家姓名") is None
    assert personal_kind("assessor", "评估员", "assessor") is None


# ---------------------------------------------------------------- bad input


def test_a_project_without_a_unit_list_still_gets_its_reports(tmp_path):
    root = tmp_path / "eval"
    init_project(root, "province-2018")
    (root / "units.xlsx").unlink()
    opened = open_project(root)
    evaluation, problems = evaluate(opened, draws=20)
    assert not evaluation.units
    out = tmp_path / "out"
    paths = write_reports(opened, out, evaluation, list(problems))
    assert (out / "评估报告.xlsx") in paths and (out / "index.html") in paths
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(out / "评估报告.xlsx")["问题"].iter_rows(min_row=2)]
    assert any(r[1] == "file-missing" and r[0] == "错误" and r[3] == "units.xlsx" for r in rows)
    assert "file-missing" in (out / "province.html").read_text(encoding="utf-8")


def test_chart_labels_are_escaped():
    svg = bars_against_max([("<script>x</script>", 5, 10)], title="图")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
