"""evalkit.toml: one typed configuration, read with tomllib, written with tomlkit, every mistake a located problem."""

from __future__ import annotations

import datetime as dt
import tomllib

from conftest import make_workbook

from evalkit.cli.main import main
from evalkit.config import load_config, new_config, read_units, update_config, write_config
from evalkit.project import init_project, open_project, validate_project


def write(root, text: str):
    root.mkdir(parents=True, exist_ok=True)
    (root / "evalkit.toml").write_text(text, encoding="utf-8")
    return load_config(root)


def codes(problems):
    return sorted((p.code, p.field) for p in problems)


def test_every_section_is_read_into_typed_settings(tmp_path):
    config, problems = write(tmp_path, """
[evaluation]
name = "吉林市评估"
as_of = 2018-12-20          # a TOML date
period_start = "2018-11-05" # or text
period_end = "2018-12-14"
project_id = "abc"
[scoring]
include_received = true
seed = 7
draws = 50
[ledger]
points = "area"
[ledger.area_weights]
"1" = 10
"2" = 20.5
[selfassess]
deadline = "2018年11月30日前"
[demo]
seed = 2018
units = 95
""")
    assert problems == []
    assert config.name == "吉林市评估" and config.as_of == "2018-12-20"
    assert config.evaluation.as_of == dt.date(2018, 12, 20)
    assert config.period == (dt.date(2018, 11, 5), dt.date(2018, 12, 14))
    assert config.evaluation.project_id == "abc"
    assert (config.scoring.include_received, config.scoring.seed, config.scoring.draws) == (True, 7, 50)
    assert (config.ledger.points, dict(config.ledger.area_weights)) == ("area", {"1": 10.0, "2": 20.5})
    assert config.selfassess.deadline == "2018年11月30日前"
    assert (config.demo.seed, config.demo.units, config.demo.records) == (2018, 95, None)


def test_a_missing_file_gives_the_defaults_and_a_broken_one_a_problem(tmp_path):
    config, problems = load_config(tmp_path)
    assert problems == [] and config.name == tmp_path.name and config.scoring.seed == 20181102
    config, problems = write(tmp_path, "[evaluation\nname = 1")
    assert [p.code for p in problems] == ["config-invalid"] and problems[0].file.endswith("evalkit.toml")


def test_wrong_values_are_problems_naming_the_key_and_the_setting_keeps_its_default(tmp_path):
    config, problems = write(tmp_path, """
[evaluation]
framework = "../../etc/passwd"
as_of = "2018-13-01"
period_start = 3
[scoring]
seed = 'x'
draws = -1
include_received = "yes"
[ledger]
points = "equally"
[ledger.area_weights]
"1" = -3
""")
    assert codes(problems) == [
        ("config-value-invalid", "evaluation.as_of"), ("config-value-invalid", "evaluation.framework"),
        ("config-value-invalid", "evaluation.period_start"), ("config-value-invalid", "ledger.area_weights.1"),
        ("config-value-invalid", "ledger.points"), ("config-value-invalid", "scoring.draws"),
        ("config-value-invalid", "scoring.include_received"), ("config-value-invalid", "scoring.seed")]
    assert config.evaluation.framework == "framework.xlsx" and config.evaluation.as_of is None
    assert (config.scoring.seed, config.scoring.draws, config.scoring.include_received) == (20181102, 1000, False)
    assert "2018-13-01" in next(p.message for p in problems if p.field == "evaluation.as_of")


def test_a_period_needs_both_ends_in_order(tmp_path):
    _, problems = write(tmp_path, '[evaluation]\nperiod_start = "2018-12-01"\nperiod_end = "2018-11-01"\n')
    assert codes(problems) == [("config-value-invalid", "evaluation.period_end")]
    config, problems = write(tmp_path, '[evaluation]\nperiod_start = "2018-12-01"\n')
    assert codes(problems) == [("config-value-invalid", "evaluation.period_end")] and config.period is None


def test_an_unknown_section_or_key_is_a_warning_with_a_suggestion(tmp_path):
    _, problems = write(tmp_path, "[scorng]\nseed = 1\n[evaluation]\nnmae = 'x'\n")
    assert codes(problems) == [("config-key-unknown", "evaluation.nmae"), ("config-key-unknown", "scorng")]
    assert all(p.severity == "warning" for p in problems)
    assert "scoring" in next(p.message for p in problems if p.field == "scorng")
    assert "name" in next(p.message for p in problems if p.field == "evaluation.nmae")


def test_writing_refuses_a_value_that_would_not_read_back(tmp_path):
    write_config(tmp_path, new_config("a", "province-2018"))
    try:
        update_config(tmp_path, "evaluation", "as_of", "2018-11-31")
    except ValueError as exc:
        assert "evaluation.as_of" in str(exc)
    else:
        raise AssertionError("a bad as_of was written")
    assert load_config(tmp_path) == (load_config(tmp_path)[0], []) and load_config(tmp_path)[0].as_of == ""


def test_a_bad_period_is_a_problem_of_validate_not_a_usage_error(tmp_path, capsys):
    root = tmp_path / "p"
    init_project(root, "province-2018")
    config = root / "evalkit.toml"  # as a lead evaluator edits it by hand
    config.write_text(config.read_text(encoding="utf-8").replace('period_start = ""', 'period_start = "2018-11-31"')
                      .replace('period_end = ""', 'period_end = "2018-12-10"'), encoding="utf-8")
    results = validate_project(open_project(root))
    assert [p.code for p in results[str(root / "evalkit.toml")]] == ["config-value-invalid"]
    assert main(["check", str(root), "--draws", "2"]) in (0, 1)  # runs, without the period; not exit 2
    capsys.readouterr()


def test_a_name_with_quotes_round_trips(tmp_path, capsys):
    """evalkit init --name '吉林"评估' used to write a file that could not be read back."""
    assert main(["init", str(tmp_path / "p"), "--framework", "province-2018", "--name", '吉林"评估\\n']) == 0
    capsys.readouterr()
    config, problems = load_config(tmp_path / "p")
    assert problems == [] and config.name == '吉林"评估\\n'
    assert tomllib.loads((tmp_path / "p" / "evalkit.toml").read_text(encoding="utf-8"))["evaluation"]["name"] \
        == '吉林"评估\\n'


def test_update_keeps_every_comment_and_other_line(tmp_path):
    write_config(tmp_path, new_config("演示", "province-2018"))
    before = (tmp_path / "evalkit.toml").read_text(encoding="utf-8")
    config = update_config(tmp_path, "evaluation", "project_id", "0f" * 16)
    after = (tmp_path / "evalkit.toml").read_text(encoding="utf-8")
    assert config.evaluation.project_id == "0f" * 16
    assert [line for line in before.splitlines() if line.startswith("#")] == \
        [line for line in after.splitlines() if line.startswith("#")]
    assert set(before.splitlines()) <= set(after.splitlines())
    config = update_config(tmp_path, "scoring", "seed", 99)  # a new section
    assert config.scoring.seed == 99 and config.evaluation.project_id == "0f" * 16


def test_writing_never_replaces_a_file_unless_asked(tmp_path):
    write_config(tmp_path, new_config("a", "province-2018"))
    try:
        write_config(tmp_path, new_config("b", "province-2018"))
    except FileExistsError:
        pass
    else:
        raise AssertionError("an existing evalkit.toml was replaced")
    assert load_config(tmp_path)[0].name == "a"


# ---------------------------------------------------------------- the evaluation year, init with dates (issue 18)

def test_the_evaluation_year_is_a_year(tmp_path):
    for value, year, codes in ((2018, 2018, []), ('"2018"', 2018, []), ('""', None, []), ('"明年"', None,
                                                                                          ["config-value-invalid"]),
                               (1800, None, ["config-value-invalid"])):
        (tmp_path / "evalkit.toml").write_text(f"[evaluation]\nyear = {value}\n", encoding="utf-8")
        config, problems = load_config(tmp_path)
        assert (config.evaluation.year, [p.code for p in problems]) == (year, codes)


def test_init_writes_the_cut_off_date_the_period_and_the_year(tmp_path, capsys):
    root = tmp_path / "p"
    assert main(["init", str(root), "--framework", "jilin-city-2018", "--as-of", "2018-11-20",
                 "--period-start", "2018-01-01", "--period-end", "2018年12月31日"]) == 0
    out = capsys.readouterr().out
    assert "评估截止日期：2018-11-20；评估期：2018-01-01 至 2018-12-31；评估年度：2018" in out
    ev = load_config(root)[0].evaluation
    assert (ev.as_of, ev.period, ev.year) == (dt.date(2018, 11, 20), (dt.date(2018, 1, 1), dt.date(2018, 12, 31)), 2018)
    assert "# 评估年度" in (root / "evalkit.toml").read_text(encoding="utf-8")


def test_init_refuses_bad_dates_with_a_usage_error(tmp_path, capsys):
    assert main(["init", str(tmp_path / "a"), "--framework", "jilin-city-2018", "--as-of", "2018-13-01"]) == 2
    assert "--as-of 的日期「2018-13-01」无法识别" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "b"), "--framework", "jilin-city-2018", "--period-start", "2018-12-01",
                 "--period-end", "2018-11-01"]) == 2
    assert main(["init", str(tmp_path / "c"), "--framework", "jilin-city-2018", "--period-start", "2018-12-01"]) == 2
    assert not any((tmp_path / d).exists() for d in "abc")


def test_init_asks_for_the_dates_on_a_terminal(tmp_path, capsys, monkeypatch):
    answers = iter(["2018-11-31", "2018-11-20", "2018-11-05", "2018-12-14"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["init", str(tmp_path / "p"), "--framework", "province-2018"]) == 0
    out = capsys.readouterr().out
    assert "无法识别" in out                                   # 11-31 does not exist: asked again
    ev = load_config(tmp_path / "p")[0].evaluation
    assert (ev.as_of, ev.period) == (dt.date(2018, 11, 20), (dt.date(2018, 11, 5), dt.date(2018, 12, 14)))
    monkeypatch.setattr("builtins.input", lambda prompt: "")
    assert main(["init", str(tmp_path / "q"), "--framework", "province-2018"]) == 0
    assert "评估截止日期：未设置" in capsys.readouterr().out


def test_unit_lists_take_full_names_and_aliases(tmp_path):
    path = make_workbook(tmp_path / "units.xlsx", {
        "单位": [["编号", "名称", "类别", "类型", "上级地区", "全　称", "别名"],
                 ["c1-03", "市发改委", "1", "部门", "", "吉林市发展和改革委员会", "吉林市发改委、市发展改革委"],
                 ["c1-05", "市国土局", "1", "部门", "", "吉林市国土资源局", "市发改委"]],
        "类别": [["编号", "名称"], ["1", "第一类"]]})
    units, problems = read_units(path)
    assert [(p.code, p.row, p.column) for p in problems] == [("unit-name-ambiguous", 3, "别名")]
    assert units.find("吉林市发展和改革委员会").id == units.find(" 吉林市发改委 ").id == units.find("C1-03").id == "c1-03"
    assert units.find("吉林市国土资源局").id == "c1-05" and units.find("吉林市交通运输局") is None
