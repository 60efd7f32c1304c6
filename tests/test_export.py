"""evalkit export: every format reopens with its labels (pyreadstat, pandas), personal details masked
unless --no-mask, no formula from field text, and the project left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from scoring_helpers import Records, shipped_instruments
from test_whatif import snapshot

from evalkit.analysis import export, tables
from evalkit.cli.main import main
from evalkit.project import init_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Spot checks with a phone number, a multiple choice, a formula-like comment; an expert review."""
    root = tmp_path_factory.mktemp("export") / "p"
    init_project(root, "province-2018", "导出测试")
    rec = Records(root, shipped_instruments())
    rows = [{"user_type": "person", "item_name": "不动产登记", "case_id": "C-001", "case_kind": "instant", "trips": 1,
             "instant_done": "yes", "done_status": "done", "satisfaction": "5", "callback_phone": "13812345678",
             "comment": "=HYPERLINK(\"http://x\",\"点我\")"},
            {"user_type": "enterprise", "item_name": "营业执照", "case_id": "C-002", "case_kind": "promised", "trips": 3,
             "trip_reason": ["missing_material", "system"], "promise_status": "late", "done_status": "not_done",
             "satisfaction": "2", "comment": "跑了三次"}]
    rec.add("service_user_check", "c1-01", {"visit_date": "2018-11-20", "check_mode": "callback", "citizens": rows})
    rec.add("expert_review", "c1-01", {"visit_date": "2018-11-21", "expert_name": "刘专家", "materials": ["plan", "other"],
                                       "materials_other": "会议纪要", "scores": [{"indicator": "1.1.2", "score": 4}]})
    return root


@pytest.fixture(scope="module")
def exported(project, tmp_path_factory):
    before = snapshot(project)
    out = tmp_path_factory.mktemp("out")
    t = tables(project, stability=False)
    files = {fmt: export(t, fmt, out / fmt) for fmt in ("csv", "parquet", "xlsx", "dta", "sav")}
    assert snapshot(project) == before  # exporting writes nothing into the project (out/ is elsewhere here)
    return out, files


def test_every_table_in_every_format(exported):
    out, files = exported
    names = {p.name for p in files["csv"]}
    assert {"service_user_check.csv", "service_user_check.citizens.csv", "expert_review.scores.csv", "scores.csv",
            "totals.csv", "problems.csv", "events.csv", "ratings.csv", "variables.csv"} <= names
    for fmt in ("parquet", "dta", "sav"):
        assert {p.name.replace(f".{fmt}", ".csv") for p in files[fmt]} == names
    assert [p.name for p in files["xlsx"]] == ["evalkit-export.xlsx", "variables.csv"]


def test_the_sav_file_reopens_with_variable_and_value_labels(exported):
    out, _ = exported
    frame, meta = pyreadstat.read_sav(str(out / "sav" / "service_user_check.citizens.sav"))
    labels = meta.column_names_to_labels
    assert labels["trips"] == "这次办事跑了几次" or labels["trips"]
    assert labels["callback_phone"] == "回访手机号码"
    assert meta.variable_value_labels["user_type"] == {1.0: "个人", 2.0: "企业", 3.0: "其他组织"}
    assert frame["user_type"].tolist() == [1.0, 2.0] and frame["trips"].tolist() == [1.0, 3.0]
    assert frame["callback_phone"].tolist()[0] == "138****5678"  # masked by default
    assert frame["trip_reason_system"].tolist()[1] == 1.0 and "trip_reason_system" in labels


def test_the_dta_file_reopens_with_variable_and_value_labels(exported):
    out, _ = exported
    with pd.io.stata.StataReader(out / "dta" / "expert_review.dta") as reader:
        frame = reader.read(convert_categoricals=False)
        variables, values = reader.variable_labels(), reader.value_labels()
    assert variables["expert_name"] == "论证专家姓名" and variables["materials_opt_other"].startswith("论证所依据的材料")
    assert frame["materials_plan"].tolist() == [1] and frame["materials_opt_other"].tolist() == [1]
    assert values["state"][3] == "已通过" and frame["state"].tolist() == [3]
    assert str(frame["visit_date"].iloc[0].date()) == "2018-11-21"
    labelled = pd.read_stata(out / "dta" / "service_user_check.citizens.dta")
    assert labelled["done_status"].tolist() == ["已办成", "未办成"]


def test_csv_parquet_and_variables(exported):
    out, _ = exported
    raw = (out / "csv" / "totals.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese right
    parquet = pd.read_parquet(out / "parquet" / "service_user_check.citizens.parquet")
    assert parquet["trips"].tolist() == [1, 3] and parquet["callback_phone"].iloc[0] == "138****5678"
    variables = pd.read_csv(out / "csv" / "variables.csv", encoding="utf-8-sig")
    row = variables[(variables["table"] == "service_user_check.citizens") & (variables["column"] == "user_type")].iloc[0]
    assert row["label"] == "服务对象类型" or row["label"]
    assert row["value_labels"].startswith("1=person=个人")


def test_field_text_never_becomes_a_formula_in_the_workbook(exported):
    out, _ = exported
    wb = load_workbook(out / "xlsx" / "evalkit-export.xlsx")
    ws = wb["service_user_check.citizens"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(2, headers.index("trips") + 1).value  # the Chinese label row
    cell = ws.cell(3, headers.index("comment") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_the_command_masks_unless_told_and_prints_json(project, tmp_path, capsys):
    assert main(["export", str(project), "--format", "csv", "-o", str(tmp_path / "a"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["masked"] is True and any(f.endswith("scores.csv") for f in printed["files"])
    assert main(["export", str(project), "--format", "csv", "-o", str(tmp_path / "b"), "--no-mask"]) == 0
    assert "个人信息未遮蔽" in capsys.readouterr().out
    plain = pd.read_csv(tmp_path / "b" / "service_user_check.citizens.csv", encoding="utf-8-sig", dtype=str)
    masked = pd.read_csv(tmp_path / "a" / "service_user_check.citizens.csv", encoding="utf-8-sig", dtype=str)
    assert plain["callback_phone"].iloc[0] == "13812345678" and masked["callback_phone"].iloc[0] == "138****5678"
    assert main(["export", str(tmp_path), "--format", "csv"]) == 2
    assert "不是 evalkit 项目" in capsys.readouterr().err
