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
# written as people write them in free text (issue 17): prefixes, separators, a landline, an ID number, names
WRITTEN = ["+8613812340001", "138-1234-0002", "138 1234 0003", "0432-62340004", "220202199001011234", "李建国"]
NOTES = (f"{NAME}说，联系人李建国，电话 {WRITTEN[0]}、{WRITTEN[1]}、{WRITTEN[2]}，座机 {WRITTEN[3]}，"
         f"身份证 {WRITTEN[4]}")
LONG = "长" * 40000 + "\ufffe尾"
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
    rec.add("internal_interview", "d2", {"visit_date": "2018-11-22", "interviewee_name": NAME, "notes": NOTES})
    rec.add("mystery_visit", "r2", {"visit_date": "2018-11-23", "narrative": LONG})
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
    books = [out / "评估报告.xlsx", out / "评估证据.xlsx"]
    return pages + "\n".join(str(c.value) for book in books for c in cells(book) if c.value is not None)


# ---------------------------------------------------------------- files and reproducibility


def test_paths_in_stable_order_and_other_files_kept(masked):
    out, paths = masked
    names = [p.relative_to(out).as_posix() for p in paths]
    assert names[:6] == ["评估报告.xlsx", "评估证据.xlsx", "index.html", "province.html", "departments.html",
                         "regions.html"]
    assert names[6:] == ["units/d1.html", "units/d2.html", "units/r0.html", "units/r1.html", "units/r2.html"]
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
    assert wb.sheetnames == ["汇总", "评分规则", "评分表", "问题", "方法"]
    assert openpyxl.load_workbook(out / "评估证据.xlsx").sheetnames == ["证据", "文字记录"]
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    assert [(r["类别"], r["单位编号"]) for r in rows][:2] == [("第一类", "d1"), ("第一类", "d2")]
    d1 = rows[0]
    # most leaves of this small project have no evidence: every total is provisional, none is ranked or graded
    assert d1["名次"] == "—" and d1["等级"] == "待定" and d1["总分状态"] == "待定"
    assert d1["总分"].startswith("待定（已计 ") and "总分待定：" in d1["说明"] and "1.1.1" in d1["说明"]
    by_id = {r["单位编号"]: r for r in rows}
    assert by_id["r0"]["绩效权重"] == 0.7 and by_id["r0"]["上级地区"] is None and by_id["r1"]["上级地区"] == "r0"
    assert by_id["d1"]["绩效权重"] == 1 and by_id["r1"]["类型"] == "地区"
    assert "总分区间（95 %）" in header and "等级不同的概率" in header and "名次区间（95 %）" in header
    scored = ws.cell(row=2, column=header.index("计分项得分") + 1)
    assert scored.number_format == "0.00" and isinstance(scored.value, (int, float))
    status = ws.cell(row=2, column=header.index("总分状态") + 1)
    assert status.fill.fgColor.rgb.endswith("FCE4D6")  # 待定 stands out
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet["A1"].font.name == "Noto Sans CJK SC" and sheet["A1"].font.b
        assert sheet.column_dimensions["A"].width >= 6
    assert wb["评分表"].print_area == "'评分表'!$B$1:$H$1048576"  # the detail columns do not print


def test_scorecard_holds_the_tree_with_points_and_evidence(masked):
    out, _ = masked
    ws = openpyxl.load_workbook(out / "评估报告.xlsx")["评分表"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    d1 = [r for r in rows if r["单位编号"] == "d1"]
    assert d1[0]["指标名称"].startswith("市编办（d1）") and "总分 待定（已计" in d1[0]["指标名称"]
    assert d1[1]["指标名称"].startswith("总分待定：1.1.1")
    leaf = next(r for r in d1 if r["指标编码"] == "1.2.3")  # rate over service_user_check citizens trips
    assert leaf["证据数"] == 6 and leaf["采用记录"] == 1 and leaf["满分"] == 4
    assert leaf["状态"] == "证据不足，按现有证据计分（已标记）"  # 6 citizens, the rule wants more
    # the rule in plain Chinese, the rate with its Wilson interval beside the points, the code kept off the print
    assert leaf["评分规则"].startswith("服务对象抽查：为办成此事共跑了几次（含本次） ≤ 1 的比例；≥ 90 % 得满分，≤ 50 % 不得分")
    assert leaf["比例（95 % 区间）"] == "100.0 %（95 % 区间 61.0 %–100.0 %）"  # Wilson (1927) for 6 of 6
    assert leaf["计分依据"].startswith("符合 6 / 共 6") and "trips" not in leaf["计分过程"]
    assert "service_user_check.citizens.trips" in leaf["规则原文"]
    missing = next(r for r in d1 if r["指标编码"] == "1.1.1")
    assert missing["得分"] in (None, "") and missing["状态"] == "证据不足，不计分"
    assert "score-insufficient-evidence" in missing["问题"]
    assert [r["指标名称"] for r in d1][-1] == "总分" and d1[-1]["得分"].startswith("待定（已计")
    breaks = openpyxl.load_workbook(out / "评估报告.xlsx")["评分表"].row_breaks.brk
    assert len(breaks) == 4  # five units, each from a new page


def test_no_code_in_what_prints(masked):
    """The printed columns (B–H of 评分表, 评分规则, 汇总) hold no field names, operators in code or level codes."""
    out, _ = masked
    wb = openpyxl.load_workbook(out / "评估报告.xlsx")
    printed = [c.value for row in wb["评分表"].iter_rows(min_col=2, max_col=8) for c in row]
    printed += [c.value for ws in (wb["评分规则"], wb["汇总"]) for row in ws.iter_rows() for c in row]
    text = "\n".join(str(v) for v in printed if v is not None)
    for code in ("site_visit.", "service_user_check.", "document_review.", "= 'yes'", " in [", "full（", "rate(",
                 "checklist("):
        assert code not in text, code
    rules = {r[0].value: r[4].value for r in wb["评分规则"].iter_rows(min_row=2)}
    assert rules["1.3.1.2"].startswith("逐项核查：① 政务大厅调研：大厅公示了改革领导小组及领导带班（值班）安排（是）；"
                                       "② 政务大厅调研：调研时有单位负责同志在大厅带班或值守（是）")
    assert rules["2.2.1"] == ("服务对象抽查：是否当场办结（是）的比例；≥ 95 % 得满分，≤ 60 % 不得分，其间按比例"
                              "（至少 10 个样本，不足时按现有证据计分并标注）")


def test_evidence_sheet_lists_every_record_with_its_use(masked, project):
    out, _ = masked
    ws = openpyxl.load_workbook(out / "评估证据.xlsx")["证据"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 8 and [r["记录编号"] for r in rows] == sorted(r["记录编号"] for r in rows)
    d1 = next(r for r in rows if r["单位编号"] == "d1" and r["调查工具"].startswith("服务对象抽查"))
    assert d1["评估员"] == "李四" and d1["评估日期"] == "2018-11-12" and d1["审核状态"] == "已通过"
    assert "1.2.3" in d1["用于指标"]


def test_field_text_is_never_a_formula(masked):
    out, _ = masked
    found = [c for c in cells(out / "评估证据.xlsx", "文字记录") if c.value == FORMULA]
    assert len(found) == 1 and found[0].data_type == "s"
    assert not [c for book in ("评估报告.xlsx", "评估证据.xlsx") for c in cells(out / book) if c.data_type == "f"]


def test_control_characters_and_overlong_text_do_not_break_the_workbook(masked):
    out, _ = masked
    texts = [c.value for c in cells(out / "评估证据.xlsx", "文字记录") if isinstance(c.value, str)]
    assert "营业执照" in texts  # the form feed is removed, not replaced
    (long,) = [t for t in texts if t.startswith("长长长")]
    assert len(long) <= 32767 and long.endswith("［已截断：原文共 40001 字，超出 Excel 单元格 32767 字的上限］")
    assert "\ufffe" not in "".join(texts)
    page = (out / "units" / "r2.html").read_text(encoding="utf-8")
    assert "\ufffe" not in page and "长长长" in page


def test_row_heights_fit_the_text(masked):
    """A wrapped cell of n lines gets at least n × 14.5 pt (10-pt Noto Sans CJK), so nothing is cut off."""
    out, _ = masked
    ws = openpyxl.load_workbook(out / "评估报告.xlsx")["问题"]
    width = ws.column_dimensions["C"].width
    checked = 0
    for row in ws.iter_rows(min_row=2):
        message = row[2].value or ""
        needed = -(-(sum(2 if ord(ch) > 0x2e80 else 1 for ch in message)) // int(width - 1))
        if needed > 1:
            assert ws.row_dimensions[row[0].row].height >= 14.5 * needed, (message, needed)
            checked += 1
    assert checked


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
    assert "2018-11-12 至 2018-11-21" in method and "随机种子 20181102，20 次重抽样" in method
    assert "贝叶斯自助法" in method and "docs/uncertainty.md" in method
    assert "截至 2018-12-31" in d1
    wb = openpyxl.load_workbook(out / "评估报告.xlsx")
    assert ["评估员", "张三（4 条）、李四（4 条）"] in [[c.value for c in r] for r in wb["方法"].iter_rows()]


def test_provisional_totals_are_named_with_the_reason(masked):
    out, _ = masked
    d1 = (out / "units" / "d1.html").read_text(encoding="utf-8")
    assert "总分待定：" in d1
    alert = d1[d1.index("总分待定："):d1.index("</div>", d1.index("总分待定："))]
    assert "1.1.1" in alert and "证据不足，不计分" in alert and "1.2.3" not in alert and "不按 0 分处理" in alert
    box = d1[d1.index('class="box"'):d1.index("</div></div>", d1.index('class="box"'))]
    assert "待定（已计" in box and "名次<br><b>—</b>" in box
    province = (out / "province.html").read_text(encoding="utf-8")
    assert "个单位总分待定" in province and "总分待定的单位" in province


def test_the_rate_shows_its_interval_beside_the_points(masked):
    out, _ = masked
    d1 = (out / "units" / "d1.html").read_text(encoding="utf-8")
    row = d1[d1.index("<td>1.2.3</td>"):d1.index("</tr>", d1.index("<td>1.2.3</td>"))]
    assert "100.0 %（95 % 区间 61.0 %–100.0 %）" in row and "服务对象抽查：为办成此事共跑了几次" in row
    assert "trips" not in row


# ---------------------------------------------------------------- personal data


def test_personal_data_masked_by_default(masked):
    out, _ = masked
    text = everything(out)
    for secret in (PHONE, PHONE2, FREE_PHONE, NAME, *WRITTEN):
        assert secret not in text, secret
    assert "138****5678" in text and "139****4321" in text and "139****2222" in text and "王**" in text
    assert "+86138****0001" in text and "138-****-0002" in text and "138 **** 0003" in text
    assert "0432-****0004" in text and "220202********1234" in text and "联系人李**" in text


def test_personal_data_shown_when_asked(plain):
    out, _ = plain
    text = everything(out)
    for secret in (PHONE, PHONE2, FREE_PHONE, NAME, *WRITTEN):
        assert secret in text
    assert "138****5678" not in text


def test_masking_rules():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("0432-62012345") == "043*****2345"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧阳**"
    assert mask_free_text("电话13812345678，身份证220202199001011234") == "电话138****5678，身份证220202********1234"
    assert mask_free_text("办件 2018-001 用时 12 天") == "办件 2018-001 用时 12 天"
    assert mask_free_text("请拨 +86 138 1234 5678 或 (0432)6234 5678") == "请拨 +86 138 **** 5678 或 (0432)**** 5678"
    assert mask_free_text("工单 JL2018-11-0237，记录 a13812345678b") == "工单 JL2018-11-0237，记录 a13812345678b"
    assert mask_free_text("张建国师傅很耐心，王先生也是") == "张**师傅很耐心，王先生也是"
    assert mask_free_text("赵铁柱反映排队久", names=["赵铁柱"]) == "赵**反映排队久"
    assert personal_kind("callback_phone", "回访手机号码") == "phone"
    assert personal_kind("respondent_phone", "联系电话（自愿填写）") == "phone"
    assert personal_kind("hotline_number", "被测咨询电话") == "official"  # the unit's published hotline: not masked
    assert personal_kind("citizen_name", "服务对象姓名") == "name"
    assert personal_kind("expert_name", "论证专家姓名") is None
    assert personal_kind("assessor", "评估员", "assessor") is None



def test_known_names_masked_anywhere_however_many_there_are():
    # the longest name starting at a place wins; every occurrence is masked; text without names is untouched
    names = ("李四", "李四光", "王五", "欧阳修文")
    assert mask_free_text("李四光和王五说李四来过，欧阳修文也在", names=names) == "李**和王*说李*来过，欧阳**也在"
    assert mask_free_text("窗口服务很好", names=names) == "窗口服务很好"
    assert mask_free_text("李", names=names) == "李"
    # a province has tens of thousands of citizens' names: masking one answer looks at the text, not at each
    # name (the list is indexed once and reused; with a scan per name a province's reports took hours)
    many = tuple(f"{s}{g}" for s in "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨" for g in
                 (chr(c) + chr(d) for c in range(0x4E00, 0x4E00 + 60) for d in range(0x5000, 0x5000 + 60)))
    assert len(many) > 50_000
    text = "回访时" + many[12345] + "说，" + many[-1] + "也来办过事。"
    masked = mask_free_text(text, names=many)
    assert masked == "回访时" + many[12345][0] + "**说，" + many[-1][0] + "**也来办过事。"
    assert all(mask_free_text(f"第{i}条：很满意", names=many) == f"第{i}条：很满意" for i in range(20_000))

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
