"""Self-assessment (自评, seed 004): template → filled in openpyxl → import → claims and checks."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import sha256
from scoring_helpers import Records, framework, shipped_instruments, units

from evalkit.checks import SelfReport, SelfScore, self_scores
from evalkit.cli.main import main
from evalkit.framework import read_framework
from evalkit.problems import Report
from evalkit.project import init_project, open_project, validate_project
from evalkit.scoring import score
from evalkit.selfassess import Claim, import_workbook, load_selfassessments, write_selfassessment, write_template

# The province framework's 28 leaves sit on rows 4..31 of 「自评」 in framework order.
ROWS = {"1.1.1": 4, "1.1.2": 5, "1.1.3": 6, "2.1.2.2": 17, "2.2.1": 18, "2.2.2": 19, "2.2.3": 20, "2.2.4": 21,
        "2.3.1": 24, "2.3.2": 25, "3.1": 31}
COL = {"code": 1, "self_score": 6, "numerator": 7, "denominator": 8, "rate": 9, "note": 10, "evidence": 11}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "eval"
    init_project(root, "province-2018")
    return root


def pieces(project: Path) -> tuple:
    """The project's framework and unit list, as the command line passes them."""
    opened = open_project(project)
    return opened.framework, opened.units


def template(project: Path, tmp_path: Path, unit: str = "c1-01") -> Path:
    out = tmp_path / f"自评表_{unit}.xlsx"
    assert main(["selfassess", "template", str(project), "--unit", unit, "-o", str(out),
                 "--deadline", "2018-11-15"]) == 0
    return out


def fill(path: Path, cells: dict[tuple[int, int], object], formats: dict[tuple[int, int], str] | None = None,
         info: dict[str, object] | None = None) -> Path:
    """Fill the workbook as a unit would (openpyxl keeps the sheet protection)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["自评"]
    for (r, c), value in cells.items():
        ws.cell(r, c).value = value
    for (r, c), fmt in (formats or {}).items():
        ws.cell(r, c).number_format = fmt
    for r in range(1, wb["说明"].max_row + 1):
        key = wb["说明"].cell(r, 1).value
        if info and key in info:
            wb["说明"].cell(r, 2).value = info[key]
    wb.save(path)
    return path


def full_scores(points_off: dict[str, object] | None = None) -> dict[tuple[int, int], object]:
    """Every row's 自评分 = the leaf's points (4, 2 for 2.1.x.x, 10 for 3.1), with overrides."""
    cells = {}
    for r in range(4, 32):
        cells[(r, COL["self_score"])] = 2 if 14 <= r <= 17 else 10 if r == 31 else 4
    for code, value in (points_off or {}).items():
        cells[(ROWS[code], COL["self_score"])] = value
    return cells


def flat(problems, *keys):
    return Report(list(problems)).flatten(keys)


def test_template_is_a_protected_printable_workbook_with_one_row_per_leaf(project, tmp_path):
    path = template(project, tmp_path)
    again = tmp_path / "again.xlsx"
    main(["selfassess", "template", str(project), "--unit", "c1-01", "-o", str(again), "--deadline", "2018-11-15"])
    assert sha256(path) == sha256(again)  # deterministic bytes
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "自评", "模板信息"] and wb["模板信息"].sheet_state == "hidden"
    info = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=3, max_col=2, values_only=True)}
    assert info["单位编号"] == "c1-01" and info["单位名称"] == "市编办" and info["填报截止"] == "2018-11-15"
    ws = wb["自评"]
    assert [c.value for c in ws[3]] == ["编码", "指标名称", "分值", "评分依据", "计分口径", "自评分", "分子", "分母",
                                        "比率（%）", "自评说明", "佐证材料"]
    codes = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert len(codes) == 28 and codes[0] == "1.1.1" and codes[-1] == "3.1"
    assert {c: ws.cell(r, 1).value for c, r in ROWS.items()} == {c: c for c in ROWS}
    row = [c.value for c in ws[ROWS["2.2.1"]]]
    assert row[:5] == ["2.2.1", "2 “只跑一次”改革的实施效果 › 2.2 “只跑一次”改革的实施情况 › 2.2.1 即办件的即办比率", 4,
                       "文件梳理、内部访谈、政务大厅调研", "比率 = 分子 ÷ 分母；≥95% 满分，≤60% 0 分，其间线性"]
    assert ws.protection.sheet
    assert ws.cell(18, COL["code"]).protection.locked and not ws.cell(18, COL["self_score"]).protection.locked
    # a share leaf (2.2.1) opens 分子/分母/比率; a rubric leaf (1.1.1) does not
    assert not ws.cell(18, COL["rate"]).protection.locked and ws.cell(4, COL["rate"]).protection.locked
    rules = {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
             for dv in ws.data_validations.dataValidation}
    assert rules["F31"] == ("decimal", "between", "0", "10")
    assert rules["F14 F15 F16 F17"] == ("decimal", "between", "0", "2")
    rate_rule = next(v for k, v in rules.items() if k.startswith("I"))
    assert rate_rule == ("decimal", "between", "0", "100")
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"


def test_filled_template_imports_into_claims_and_self_reports(project, tmp_path):
    path = template(project, tmp_path)
    cells = full_scores({"1.1.1": 3.5, "2.2.1": 3, "3.1": None})
    cells.update({(18, COL["numerator"]): 95, (18, COL["denominator"]): 100,
                  (18, COL["evidence"]): "《即办件清单》\n窗口办件台账（2018年1—10月）",
                  (20, COL["rate"]): 85.5,                 # 2.2.3 接通率 as a percent number
                  (24, COL["rate"]): 0.9,                  # 2.3.1 typed 90% in Excel: 0.9 with a % format
                  (4, COL["note"]): "实施方案已印发"})
    fill(path, cells, formats={(24, COL["rate"]): "0%"})
    sa, problems = import_workbook(project, path, *pieces(project))
    # 3.1 (bonus) left without a self-score: a warning, nothing else
    assert flat(problems, "code", "row", "indicator") == [["selfassess-score-missing", 31, "3.1"]]
    assert sa.unit == "c1-01" and sa.framework == "province-2018" and sa.missing == ()
    by = {c.indicator: c for c in sa.claims}
    assert by["1.1.1"] == Claim("1.1.1", 4, self_score=3.5, note="实施方案已印发")
    assert by["2.2.1"] == Claim("2.2.1", 18, self_score=3, numerator=95, denominator=100, rate=0.95,
                                evidence=("《即办件清单》", "窗口办件台账（2018年1—10月）"))
    assert by["2.2.3"].rate == pytest.approx(0.855) and by["2.3.1"].rate == pytest.approx(0.9)
    assert sa.reports() == [SelfReport("c1-01", "2.2.1", 0.95, "selfassess/c1-01.xlsx 工作表「自评」第 18 行"),
                            SelfReport("c1-01", "2.2.3", pytest.approx(0.855),
                                       "selfassess/c1-01.xlsx 工作表「自评」第 20 行"),
                            SelfReport("c1-01", "2.3.1", pytest.approx(0.9),
                                       "selfassess/c1-01.xlsx 工作表「自评」第 24 行")]
    assert SelfScore("c1-01", "1.1.1", 3.5, "selfassess/c1-01.xlsx 工作表「自评」第 4 行") in sa.self_scores()
    assert len(sa.self_scores()) == 27 and sa.total() == 4 * 23 + 2 * 4 - 0.5 - 1  # 23 leaves of 4, 4 of 2; 3.1 empty
    # stored: the copy as sent and the normalized form, read back the same
    assert sha256(project / "selfassess" / "c1-01.xlsx") == sha256(path)
    stored, found = load_selfassessments(project)
    assert found == [] and stored == [sa]
    assert json.loads((project / "selfassess" / "c1-01.json").read_text(encoding="utf-8"))["claims"][0]["row"] == 4


def test_workbook_with_errors_names_each_and_stores_nothing(project, tmp_path, capsys):
    path = template(project, tmp_path)
    cells = full_scores({"1.1.1": 5})                       # 5 of 4 points
    cells.update({(18, COL["rate"]): 120,                  # 2.2.1: 120 %
                  (19, COL["numerator"]): 30, (19, COL["denominator"]): 20,   # 2.2.2: 30 of 20
                  (20, COL["numerator"]): "约九成", (20, COL["denominator"]): 50,  # 2.2.3: text in a number cell
                  (21, COL["rate"]): -5,                   # 2.2.4: negative
                  (5, COL["code"]): "1.1.9",               # the code of 1.1.2 edited
                  (32, COL["code"]): "2.2.9", (32, COL["self_score"]): 4})  # a row added with an unknown code
    fill(path, cells)
    before = sha256(path)
    capsys.readouterr()
    code = main(["selfassess", "import", str(project), str(path), "--unit", "c1-02", "--json"])
    printed = json.loads(capsys.readouterr().out)
    sa, problems = import_workbook(project, path, *pieces(project), unit="c1-02")
    assert code == 1 and sa is None and printed == [p.to_dict() for p in problems]
    assert flat(problems, "code", "sheet", "row", "column", "indicator") == [
        ["selfassess-unit-mismatch", "说明", None, None, None],
        ["selfassess-score-above-points", "自评", 4, "自评分", "1.1.1"],
        ["selfassess-code-edited", "自评", 5, "编码", None],
        ["selfassess-rate-above-100", "自评", 18, "比率（%）", "2.2.1"],
        ["selfassess-numerator-exceeds", "自评", 19, "分子", "2.2.2"],
        ["selfassess-not-number", "自评", 20, "分子", "2.2.3"],
        ["selfassess-negative", "自评", 21, "比率（%）", "2.2.4"],
        ["selfassess-indicator-unknown", "自评", 32, "编码", None],
    ]
    messages = {p.code: p.message for p in problems}
    assert "写的单位是「c1-01」，与导入时指定的单位「c1-02」不一致" in messages["selfassess-unit-mismatch"]
    assert "编码被改成了「1.1.9」，模板原为 1.1.2" in messages["selfassess-code-edited"]
    assert "自评分 5 超过该指标分值 4" in messages["selfassess-score-above-points"]
    assert "比率 120% 超过 100%" in messages["selfassess-rate-above-100"]
    assert "「2.2.9」不在框架中，是否应为「2.2.6」？" in messages["selfassess-indicator-unknown"]
    assert "「约九成」不是数字" in messages["selfassess-not-number"]
    assert sha256(path) == before
    assert not any((project / "selfassess").iterdir())  # nothing stored


def test_unknown_unit_missing_rows_and_share_mismatch(project, tmp_path):
    fw, _ = read_framework(project / "framework.xlsx")
    path = write_template(fw, tmp_path / "x.xlsx", "c1_01")  # a unit id that is not on the list
    sa, problems = import_workbook(project, path, *pieces(project))
    assert sa is None and flat(problems, "code")[0] == ["selfassess-unit-unknown"]
    assert "「c1_01」不在单位名单中，是否应为「c1-01」？" in problems[0].message
    path = template(project, tmp_path, "c1-03")
    wb = openpyxl.load_workbook(path)
    ws = wb["自评"]
    for r, value in full_scores().items():
        ws.cell(*r).value = value
    ws.cell(18, COL["numerator"]).value, ws.cell(18, COL["denominator"]).value = 17, 20
    ws.cell(18, COL["rate"]).value = 95          # 17/20 = 85 %, not 95 %
    ws.cell(19, COL["numerator"]).value = 9      # no denominator
    ws.cell(25, COL["rate"]).value = 80          # 2.3.2 (checklist) has no share: ignored with a warning
    ws.delete_rows(31)                           # 3.1 gone
    wb.save(path)
    sa, problems = import_workbook(project, path, *pieces(project))
    assert sa is None
    assert flat(problems, "code", "row", "indicator") == [
        ["selfassess-rate-mismatch", 18, "2.2.1"], ["selfassess-share-incomplete", 19, "2.2.2"],
        ["selfassess-share-not-measured", 25, "2.3.2"], ["selfassess-row-missing", None, "3.1"]]


def test_second_import_keeps_history_or_needs_replace(project, tmp_path, capsys):
    path = fill(template(project, tmp_path), full_scores())
    assert main(["selfassess", "import", str(project), str(path)]) == 0
    assert "已导入单位 c1-01 的自评表：28 项指标，自评合计 110 分" in capsys.readouterr().out
    first = sha256(path)
    assert main(["selfassess", "import", str(project), str(path)]) == 0          # same bytes: nothing changes
    assert "没有改动" in capsys.readouterr().out
    fill(path, full_scores({"1.1.1": 2}))
    assert main(["selfassess", "import", str(project), str(path)]) == 1          # changed: needs --replace
    assert "selfassess-import-exists" in capsys.readouterr().out
    assert sha256(project / "selfassess" / "c1-01.xlsx") == first
    assert main(["selfassess", "import", str(project), str(path), "--replace"]) == 0
    history = sorted(p.name for p in (project / "selfassess" / "history" / "c1-01").iterdir())
    assert history == [f"001-{first[:12]}.json", f"001-{first[:12]}.xlsx"]
    capsys.readouterr()
    assert main(["selfassess", "show", str(project), "--unit", "c1-01", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["units"] == ["c1-01"] and shown["claims"][0]["self_score"] == 2 and shown["problems"] == []
    assert main(["selfassess", "show", str(project)]) == 0
    out = capsys.readouterr().out
    assert "市编办（c1-01）  自评合计 108 分" in out and "1.1.1" in out


def test_validate_project_reports_a_tampered_copy(project, tmp_path):
    path = fill(template(project, tmp_path), full_scores())
    import_workbook(project, path, *pieces(project))
    copy = project / "selfassess" / "c1-01.xlsx"
    copy.write_bytes(copy.read_bytes() + b"x")
    found = validate_project(project)[str(project / "selfassess")]
    assert flat(found, "code", "file") == [["selfassess-stored-damaged", str(copy)]]


def test_template_all_writes_one_workbook_per_unit(project, tmp_path, capsys):
    out = tmp_path / "all"
    out.mkdir()
    assert main(["selfassess", "template", str(project), "--all", "-o", str(out)]) == 0
    assert len(list(out.glob("自评表_*.xlsx"))) == 95 and (out / "自评表_c5-27.xlsx").exists()
    assert main(["selfassess", "template", str(project), "--unit", "c1-01", "-o", str(out)]) == 2  # exists
    assert main(["selfassess", "template", str(project), "-o", str(out)]) == 2  # neither --unit nor --all


def test_demo_writer_builds_and_imports_a_filled_workbook(project):
    sa, problems = write_selfassessment(project, "c1-02", {
        "2.2.1": {"self_score": 4, "numerator": 48, "denominator": 50, "evidence": ["即办件台账"]},
        "2.2.3": {"self_score": 3.5, "rate": 92.0}}, *pieces(project))
    assert sa is not None and not any(p.is_error for p in problems)
    assert [(r.indicator, r.value) for r in sa.reports()] == [("2.2.1", 0.96), ("2.2.3", pytest.approx(0.92))]
    assert (project / "selfassess" / "c1-02.xlsx").exists()
    assert len([p for p in problems if p.code == "selfassess-score-missing"]) == 26


def test_self_score_gap_threshold(tmp_path):
    instruments = shipped_instruments()
    fw = framework([("1", "制度", 4, "", "", ""),
                    ("1.1", "比例", 4, "", "", "rate(num=document_review.items_run_once, "
                                               "den=document_review.items_total, "
                                               "full=100%, zero=0%, sampled=no)")])
    rec = Records(tmp_path, instruments)
    rec.add("document_review", "a", {"items_run_once": 3, "items_total": 4})
    # 3 of 4 items, counted in full (no interval): 75 % between zero 0 % and full 100 % → 3.00 of 4 points
    evaluation = score(fw, units(("a", "1")), instruments, rec.views(), stability=False)
    assert evaluation.unit("a").leaf("1.1").score == 3.0 and evaluation.unit("a").leaf("1.1").interval is None
    # threshold 25 % of 4 points = 1 point: 4 (+1.00) and 2 (−1.00) are flagged, 3.9 (+0.90) is not
    found = self_scores(evaluation, [SelfScore("a", "1.1", 4), SelfScore("a", "1.1", 3.9), SelfScore("a", "1.1", 2)])
    assert [p.message for p in found] == [
        "单位 a 指标 1.1 自评 4 分，评估得分 3.00 分（满分 4），自评高出 1.00 分，达到满分的 25% 以上（自评表）："
        "请核实该单位的自评依据。",
        "单位 a 指标 1.1 自评 2 分，评估得分 3.00 分（满分 4），自评低于 1.00 分，达到满分的 25% 以上（自评表）："
        "请核实该单位的自评依据。"]


def citizen(done: str) -> dict:
    return {"user_type": "person", "item_name": "户籍", "case_kind": "instant", "trips": 1, "instant_done": done}


def test_check_flags_claims_against_the_scored_project(project, tmp_path, capsys):
    rec = Records(project, shipped_instruments())
    # 2.2.1 即办比率 for c1-01: 8 of 20 sampled cases done on the spot = 40 %;
    # Wilson 95 % interval (21.9 %, 61.3 %) → points: full 95 %, zero 60 % → 0.00 (interval 0.00–0.15)
    rec.add("service_user_check", "c1-01", {"citizens": [citizen("yes")] * 8 + [citizen("no")] * 12})
    path = template(project, tmp_path)
    cells = full_scores()
    cells.update({(18, COL["numerator"]): 95, (18, COL["denominator"]): 100})  # claims 95 % and 4 points
    fill(path, cells)
    assert import_workbook(project, path, *pieces(project))[0] is not None
    capsys.readouterr()
    assert main(["check", str(project), "--json", "--draws", "5"]) == 0
    found = json.loads(capsys.readouterr().out)
    mine = [(p["code"], p.get("indicator")) for p in found
            if p["code"] in ("self-report-outside-interval", "self-score-differs") and "c1-01" in p["message"]]
    assert mine == [("self-report-outside-interval", "2.2.1"), ("self-score-differs", "2.2.1")]
    outside = next(p for p in found if p["code"] == "self-report-outside-interval")
    assert outside["message"] == ("单位 c1-01 自报指标 2.2.1 为 95.0%，在抽查结果 40.0% 的 95% 区间 21.9%–61.3% 之外"
                                  "（selfassess/c1-01.xlsx 工作表「自评」第 18 行）：请核实自报数据。")
    differs = next(p for p in found if p["code"] == "self-score-differs")
    assert "自评 4 分，评估得分 0.00 分（满分 4），自评高出 4.00 分" in differs["message"]
    missing = sorted(p["message"].split()[1] for p in found if p["code"] == "selfassess-not-submitted")
    assert len(missing) == 94 and "c1-01" not in missing and "c1-02" in missing


def test_check_without_any_self_assessment_says_so_once(project, capsys):
    main(["check", str(project), "--json", "--draws", "5"])
    found = json.loads(capsys.readouterr().out)
    assert [p["code"] for p in found if p["code"].startswith("selfassess")] == ["selfassess-none-imported"]


def test_not_a_workbook_or_without_the_sheet_is_refused(project, tmp_path, capsys):
    junk = tmp_path / "自评.xlsx"
    junk.write_bytes(b"not a zip")
    assert main(["selfassess", "import", str(project), str(junk), "--unit", "c1-01"]) == 1
    assert "file-not-workbook" in capsys.readouterr().out
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(other)
    sa, problems = import_workbook(project, other, *pieces(project), unit="c1-01")
    assert sa is None and flat(problems, "code", "sheet") == [["sheet-missing", "自评"]]
    assert not any((project / "selfassess").iterdir())
