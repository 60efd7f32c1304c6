"""The shipped XLSForm instruments load clean; malformed ones give located problems."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest

from evalkit.forms import (
    SUPPORTED_TYPES,
    Instrument,
    field_by_name,
    iter_fields,
    load_instrument,
    validate_instrument,
)

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENTS = ROOT / "instruments"
SHIPPED = ("site_visit", "internal_interview", "expert_review", "document_review", "service_user_check",
           "hotline_test", "online_check", "mystery_visit", "questionnaire")
PROVINCE_CODES = {
    "1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.2.2", "1.2.3", "1.3.1.1", "1.3.1.2", "1.3.2.1", "1.3.2.2",
    "2.1.1.1", "2.1.1.2", "2.1.2.1", "2.1.2.2", "2.2.1", "2.2.2", "2.2.3", "2.2.4", "2.2.5", "2.2.6",
    "2.3.1", "2.3.2", "2.3.3", "2.3.4", "2.3.5", "2.4.1", "2.4.2", "3.1",
}
MODEL_TYPES = {"text", "integer", "decimal", "select_one", "select_multiple", "date", "time", "note",
               "calculate", "image", "group", "repeat"}


def load_clean(form_id: str) -> Instrument:
    instrument, problems = load_instrument(INSTRUMENTS / f"{form_id}.xlsx", PROVINCE_CODES)
    assert problems == []
    assert instrument is not None
    return instrument


# ---------------------------------------------------------------- shipped instruments

@pytest.mark.parametrize("form_id", SHIPPED)
def test_shipped_instrument_loads_clean(form_id):
    instrument = load_clean(form_id)
    assert instrument.id == form_id
    assert instrument.version == "2018.1"
    assert instrument.title and instrument.title_en
    assert len(instrument.sha256) == 64
    first = [f for _, f in iter_fields(instrument)][:3]
    assert [(f.name, f.type, f.role, f.required) for f in first] == [
        ("unit", "text", "unit", True), ("assessor", "text", "assessor", True), ("visit_date", "date", "", True)]
    assert first[0].label == "被评估单位" and first[1].label == "评估员"
    assert first[2].constraint == ". <= today()" and first[2].constraint_message == "日期不能晚于今天"


@pytest.mark.parametrize("form_id", SHIPPED)
def test_shipped_fields_follow_conventions(form_id):
    instrument = load_clean(form_id)
    for _path, field in iter_fields(instrument):
        assert field.type in MODEL_TYPES, field.name
        assert field.row is not None and field.row >= 2, field.name
        if field.type not in ("calculate",):
            assert field.label and field.label_en, field.name
        if field.constraint:
            assert field.constraint_message and field.constraint_message_en, field.name
        if field.type == "image":
            assert field.max_mb == 10 and "10 MB" in field.hint, field.name
        if field.list_name:
            assert field.list_name in instrument.choices, field.name
        assert set(field.indicators) <= PROVINCE_CODES | {"*"}, field.name
    indicators = {c for _, f in iter_fields(instrument) for c in f.indicators}
    assert indicators, "every instrument feeds at least one indicator"


@pytest.mark.parametrize("form_id, repeat, children", [
    ("service_user_check", "citizens", {"item_name", "case_id", "trips", "instant_done", "promise_status",
                                        "satisfaction", "callback_phone"}),
    ("hotline_test", "calls", {"calls_made", "calls_connected", "answer_correct"}),
    ("internal_interview", "ratings", {"indicator", "level"}),
    ("document_review", "ratings", {"indicator", "level"}),
    ("expert_review", "scores", {"indicator", "score"}),
])
def test_repeats_hold_their_children(form_id, repeat, children):
    instrument = load_clean(form_id)
    group = field_by_name(instrument, repeat)
    assert group is not None and group.type == "repeat"
    assert children <= {c.name for c in group.children}
    paths = {f.name: path for path, f in iter_fields(instrument)}
    assert all(paths[name] == (repeat,) for name in children)


@pytest.mark.parametrize("form_id, rating, list_name", [
    ("internal_interview", "level", "level"), ("document_review", "level", "level"), ("expert_review", "score", ""),
])
def test_rating_instruments_pick_the_indicator_in_the_form(form_id, rating, list_name):
    instrument = load_clean(form_id)
    chooser = field_by_name(instrument, "indicator")
    assert chooser.role == "indicator" and chooser.list_name == "indicator"
    assert {c.name for c in instrument.choices["indicator"]} == PROVINCE_CODES
    rated = field_by_name(instrument, rating)
    assert rated.indicators == ("*",) and rated.role == "rating" and rated.list_name == list_name
    if list_name:
        assert [c.name for c in instrument.choices["level"]] == ["full", "basic", "partial", "none"]


def test_constraints_named_in_the_brief():
    hotline = load_clean("hotline_test")
    assert field_by_name(hotline, "calls_connected").constraint == ". >= 0 and . <= ${calls_made}"
    users = load_clean("service_user_check")
    assert field_by_name(users, "callback_phone").constraint == "regex(., '^1[3-9][0-9]{9}$')"
    assert not field_by_name(users, "callback_phone").required
    assert field_by_name(users, "trip_reason").relevant == "${trips} > 1"
    site = load_clean("site_visit")
    assert field_by_name(site, "waiting_minutes").constraint == ". >= 0 and . <= 600"


def test_labels_in_both_languages_and_choices():
    site = load_clean("site_visit")
    assert field_by_name(site, "windows_comprehensive").label_en == "Comprehensive service windows"
    yn = site.choices["yn"]
    assert [(c.name, c.label, c.label_en) for c in yn] == [("yes", "是", "Yes"), ("no", "否", "No")]


def test_build_script_output_is_up_to_date():
    spec = importlib.util.spec_from_file_location("build_instruments", ROOT / "tools" / "build_instruments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


def test_supported_types_are_the_documented_set():
    assert set(SUPPORTED_TYPES) == {"text", "integer", "decimal", "select_one", "select_multiple", "date", "time",
                                    "note", "calculate", "image", "begin_group", "end_group", "begin_repeat",
                                    "end_repeat"}


# ---------------------------------------------------------------- malformed instruments

HEADER = ["type", "name", "label::中文 (zh)", "label::English (en)", "constraint", "constraint_message::中文 (zh)",
          "relevant", "calculation", "default", "required", "evalkit::indicator", "evalkit::role", "evalkit::max_mb"]


def row(type_: str, name: str, **cells: str) -> list[str]:
    """A survey row in HEADER order; ``evalkit_role="unit"`` fills the ``evalkit::role`` column."""
    values = {"type": type_, "name": name, "label::中文 (zh)": cells.pop("label", name), "label::English (en)": name,
              **{k.replace("_", "::", 1) if k.startswith("evalkit") else k: v for k, v in cells.items()}}
    return [values.get(h, "") for h in HEADER]


BASE = [
    row("text", "unit", label="被评估单位", evalkit_role="unit"),
    row("text", "assessor", label="评估员", evalkit_role="assessor"),
    row("integer", "calls_made", constraint=". >= 1 and . <= 5", constraint_message="1 到 5 次",
        evalkit_indicator="2.2.3"),
]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["测试", "test_form", "2018.1", "中文 (zh)"]]


def write_form(path: Path, extra: list[list[str]] = (), *, base=BASE, settings=SETTINGS,
               choices=None, sheets=("survey", "choices", "settings")) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    content = {"survey": [HEADER, *base, *extra], "settings": settings,
               "choices": choices or [["list_name", "name", "label::中文 (zh)", "label::English (en)"],
                                      ["yn", "yes", "是", "Yes"], ["yn", "no", "否", "No"]]}
    for name in sheets:
        ws = wb.create_sheet(name)
        for cells in content[name]:
            ws.append(cells)
    wb.save(path)
    return path


def located(problems, code):
    return [(p.sheet, p.row, p.column, p.field) for p in problems if p.code == code]


def test_minimal_form_is_clean(tmp_path):
    path = write_form(tmp_path / "ok.xlsx", [row("select_one yn", "ok", relevant="${calls_made} > 0")])
    instrument, problems = load_instrument(path, PROVINCE_CODES)
    assert problems == []
    assert field_by_name(instrument, "ok").row == 5


def test_unsupported_function(tmp_path):
    path = write_form(tmp_path / "f.xlsx", [row("calculate", "lookup", calculation="pulldata('units', 'name', 'id', ${unit})")])
    instrument, problems = load_instrument(path)
    assert instrument is None
    assert located(problems, "instrument-expression-unsupported") == [("survey", 5, "calculation", "lookup")]
    assert "instrument-pyxform-error" not in [p.code for p in problems]


def test_unsupported_default_expression_but_literal_default_ignored(tmp_path):
    path = write_form(tmp_path / "d.xlsx", [row("date", "d1", default="now()"), row("text", "d2", default="无")])
    assert located(validate_instrument(path), "instrument-expression-unsupported") == [("survey", 5, "default", "d1")]


def test_reference_to_missing_field(tmp_path):
    path = write_form(tmp_path / "r.xlsx", [row("integer", "connected", constraint=". <= ${calls_mad}",
                                                constraint_message="不能超过拨打次数")])
    problems = validate_instrument(path)
    assert located(problems, "instrument-reference-unknown") == [("survey", 5, "constraint", "connected")]
    assert "calls_made" in problems[0].message  # did-you-mean
    assert "instrument-pyxform-error" not in [p.code for p in problems]  # pyxform's report of the same row is folded


def test_reference_in_label(tmp_path):
    path = write_form(tmp_path / "l.xlsx", [row("note", "n1", label="已拨打 ${calls} 次")])
    assert located(validate_instrument(path), "instrument-reference-unknown") == [("survey", 5, "label::中文 (zh)", "n1")]


def test_unknown_indicator_code(tmp_path):
    path = write_form(tmp_path / "i.xlsx", [row("integer", "connected", evalkit_indicator="2.2.3, 9.9")])
    problems = validate_instrument(path, PROVINCE_CODES)
    assert located(problems, "instrument-indicator-unknown") == [("survey", 5, "evalkit::indicator", "connected")]
    assert [p.indicator for p in problems] == ["9.9"]
    assert validate_instrument(path) == []  # without a framework, codes are not checked


def test_indicator_typo_gets_a_suggestion(tmp_path):
    path = write_form(tmp_path / "t.xlsx", [row("integer", "connected", evalkit_indicator="2.23")])
    (found,) = validate_instrument(path, PROVINCE_CODES)
    assert found.code == "instrument-indicator-unknown" and "2.2.3" in found.message


def test_indicator_choice_list_checked_against_framework(tmp_path):
    choices = [["list_name", "name", "label::中文 (zh)", "label::English (en)"],
               ["indicator", "2.2.1", "即办", "Instant"], ["indicator", "7.7", "无此指标", "None"]]
    path = write_form(tmp_path / "c.xlsx", [row("select_one indicator", "indicator", evalkit_role="indicator"),
                                            row("integer", "score", evalkit_indicator="*", evalkit_role="rating")],
                      choices=choices)
    problems = validate_instrument(path, PROVINCE_CODES)
    assert [(p.code, p.sheet, p.row, p.column, p.indicator) for p in problems] == [
        ("instrument-indicator-unknown", "choices", 3, "name", "7.7")]


def test_star_needs_an_indicator_chooser(tmp_path):
    path = write_form(tmp_path / "s.xlsx", [row("integer", "score", evalkit_indicator="*")])
    assert located(validate_instrument(path), "instrument-indicator-chooser-missing") == [
        ("survey", 5, "evalkit::indicator", "score")]


def test_unsupported_type(tmp_path):
    path = write_form(tmp_path / "g.xlsx", [row("geopoint", "where")])
    instrument, problems = load_instrument(path)
    assert instrument is None
    assert located(problems, "instrument-type-unsupported") == [("survey", 5, "type", "where")]


def test_unknown_type_reported_once(tmp_path):
    path = write_form(tmp_path / "u.xlsx", [row("intger", "n2")])
    problems = validate_instrument(path)
    assert [p.code for p in problems] == ["instrument-type-unsupported"]
    assert "integer" in problems[0].message


def test_duplicate_name(tmp_path):
    path = write_form(tmp_path / "dup.xlsx", [row("text", "note_1"), row("begin_group", "g"),
                                              row("text", "calls_made"), row("end_group", "")])
    problems = validate_instrument(path)
    assert located(problems, "instrument-field-duplicate") == [("survey", 7, "name", "calls_made")]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是工作簿", encoding="utf-8")
    instrument, problems = load_instrument(path)
    assert instrument is None
    assert [(p.code, p.file) for p in problems] == [("file-not-workbook", str(path))]


def test_missing_file(tmp_path):
    assert [p.code for p in validate_instrument(tmp_path / "absent.xlsx")] == ["file-missing"]


def test_missing_survey_sheet(tmp_path):
    path = write_form(tmp_path / "nosurvey.xlsx", sheets=("choices", "settings"))
    problems = validate_instrument(path)
    assert [(p.code, p.sheet) for p in problems] == [("sheet-missing", "survey")]


def test_missing_roles(tmp_path):
    path = write_form(tmp_path / "roles.xlsx", base=BASE[2:])
    problems = validate_instrument(path)
    assert [(p.code, p.column) for p in problems] == [
        ("instrument-role-missing", "evalkit::role"), ("instrument-role-missing", "evalkit::role")]


def test_unknown_role_is_a_warning(tmp_path):
    path = write_form(tmp_path / "role.xlsx", [row("text", "who", evalkit_role="asessor")])
    instrument, problems = load_instrument(path)
    assert [(p.code, p.severity, p.row) for p in problems] == [("instrument-role-unknown", "warning", 5)]
    assert instrument is not None  # warnings do not block loading


def test_missing_settings(tmp_path):
    path = write_form(tmp_path / "set.xlsx", settings=[["form_title"], ["测试"]])
    problems = validate_instrument(path)
    assert [(p.code, p.sheet, p.column) for p in problems] == [
        ("instrument-setting-missing", "settings", "form_id"), ("instrument-setting-missing", "settings", "version")]
    no_sheet = write_form(tmp_path / "noset.xlsx", sheets=("survey", "choices"))
    assert [p.column for p in validate_instrument(no_sheet)] == ["form_id", "version"]


def test_invalid_photo_limit(tmp_path):
    path = write_form(tmp_path / "mb.xlsx", [row("image", "photo", evalkit_max_mb="ten")])
    assert located(validate_instrument(path), "instrument-max-mb-invalid") == [("survey", 5, "evalkit::max_mb", "photo")]


def test_conditional_required_is_refused(tmp_path):
    path = write_form(tmp_path / "req.xlsx", [row("text", "why", required="${calls_made} > 1"),
                                              row("text", "ok", required="yes")])
    problems = validate_instrument(path)
    assert located(problems, "instrument-required-unsupported") == [("survey", 5, "required", "why")]


def test_pyxform_error_is_located(tmp_path):
    path = write_form(tmp_path / "unmatched.xlsx", [row("begin_repeat", "calls"), row("text", "answer")])
    problems = validate_instrument(path)
    assert [(p.code, p.sheet, p.row, p.field) for p in problems] == [("instrument-pyxform-error", "survey", 5, "calls")]
    assert str(path) in problems[0].message


def test_pyxform_error_without_row_names_the_file(tmp_path):
    path = write_form(tmp_path / "nolist.xlsx", [row("select_one colours", "colour")])
    (found,) = validate_instrument(path)
    assert found.code == "instrument-pyxform-error" and found.file == str(path)


def test_every_problem_code_is_registered_with_a_chinese_template():
    from evalkit.problems import catalogue

    codes = {code: spec for code, spec in catalogue().items() if code.startswith("instrument-")}
    assert {"instrument-expression-unsupported", "instrument-reference-unknown", "instrument-indicator-unknown",
            "instrument-type-unsupported", "instrument-pyxform-error", "instrument-role-missing",
            "instrument-field-duplicate", "instrument-setting-missing"} <= set(codes)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in spec.template) for spec in codes.values())


def test_shipped_instruments_match_the_shipped_province_framework():
    from evalkit.framework import read_framework

    framework, _ = read_framework(INSTRUMENTS / "frameworks" / "province-2018.xlsx")
    assert framework is not None and PROVINCE_CODES <= framework.codes()
    for form_id in SHIPPED:
        assert validate_instrument(INSTRUMENTS / f"{form_id}.xlsx", framework.codes()) == [], form_id
