"""The command line: exit codes, --json equal to the library, init, import, docs that cannot drift."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SHIPPED, sha256

from evalkit.cli.main import main
from evalkit.framework import read_framework
from evalkit.problems import catalogue_markdown
from evalkit.project import validate_path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_clean_framework_exits_0(capsys):
    code, out, _ = run(capsys, "validate", str(SHIPPED / "province-2018.xlsx"))
    assert code == 0 and "共 0 个错误" in out


def test_validate_faithful_transcription_exits_1_and_names_locations(capsys):
    code, out, _ = run(capsys, "validate", str(SHIPPED / "province-2018-faithful.xlsx"))
    assert code == 1
    assert "points-sum-mismatch  工作表「指标」 第 11 行 「分值」列 指标 1.3" in out
    assert "points-inferred  工作表「指标」 第 41 行 「分值」列 指标 2.4.2" in out


def test_validate_json_is_exactly_the_library_records(capsys):
    path = SHIPPED / "province-2018-faithful.xlsx"
    code, out, _ = run(capsys, "validate", str(path), "--json")
    records = json.loads(out)
    expected = [p.to_dict() for p in read_framework(path)[1]]
    assert code == 1
    assert [{k: v for k, v in r.items() if k != "file_group"} for r in records] == expected


def test_usage_errors_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.xlsx"))
    assert code == 2 and "找不到" in err
    result = subprocess.run([sys.executable, "-m", "evalkit.cli.main", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2


def test_framework_show_prints_the_tree(capsys):
    code, out, _ = run(capsys, "framework", "show", str(SHIPPED / "province-2018.xlsx"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("吉林省“只跑一次”改革评估指标体系（中省直部门）") and "总分 100" in lines[0]
    assert any(ln.startswith("  1.3 改革的保障机制情况") and ln.rstrip().endswith("16") for ln in lines)
    assert any(ln.startswith("      1.3.1.1 ") for ln in lines)


def test_framework_import_writes_tidy_workbook_and_leaves_input_alone(capsys, tmp_path):
    source = SHIPPED / "province-2018-gov.xlsx"
    before = sha256(source)
    out_path = tmp_path / "framework.xlsx"
    code, out, _ = run(capsys, "framework", "import", str(source), "-o", str(out_path))
    assert code == 1  # the faithful table has errors (1.3), reported, and still converted
    assert out_path.exists() and sha256(source) == before
    fw, _ = read_framework(out_path)
    assert len(fw.indicators) == 42 and "导入假设" in fw.get("2.4.2").resolution
    code, _, err = run(capsys, "framework", "import", str(source), "-o", str(out_path))
    assert code == 2 and "已存在" in err
    code, _, err = run(capsys, "framework", "import", str(source), "-o", str(source), "--force")
    assert code == 2 and sha256(source) == before


def test_init_creates_a_project_that_validates(capsys, tmp_path):
    target = tmp_path / "eval2018"
    code, out, _ = run(capsys, "init", str(target), "--framework", "province-2018", "--name", "2018 评估")
    assert code == 0
    assert (target / "framework.xlsx").exists() and (target / "units.xlsx").exists()
    assert (target / "raw").is_dir() and 'name = "2018 评估"' in (target / "evalkit.toml").read_text(encoding="utf-8")
    results = validate_path(target)
    errors = [p for ps in results.values() for p in ps if p.is_error]
    assert errors == []
    code, _, err = run(capsys, "init", str(target), "--framework", "province-2018")
    assert code == 2 and "不会覆盖" in err


def test_validate_project_reports_a_missing_framework(capsys, tmp_path):
    run(capsys, "init", str(tmp_path / "p"), "--framework", "jilin-city-2018")
    (tmp_path / "p" / "framework.xlsx").unlink()
    code, out, _ = run(capsys, "validate", str(tmp_path / "p"))
    assert code == 1 and "project-file-missing" in out


def test_problem_catalogue_docs_cannot_drift():
    assert (ROOT / "docs" / "problems.md").read_text(encoding="utf-8") == catalogue_markdown(), \
        "run: .venv/bin/evalkit problems --markdown > docs/problems.md"


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("evalkit validate", "evalkit framework show", "evalkit framework import", "evalkit init",
                    "evalkit problems", "make run", "make test"):
        assert command in readme, f"README does not mention {command}"


def test_argparse_speaks_chinese():
    """A missing or misspelt argument is a Chinese message with the way to help, exit 2 (not argparse's English)."""
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "evalkit.cli.main", *args], capture_output=True, text=True)

    result = cli("init")
    assert result.returncode == 2
    assert "用法：evalkit init" in result.stderr and "缺少必需的参数：dir, --framework" in result.stderr
    assert "加 -h 查看用法" in result.stderr and "required" not in result.stderr
    result = cli("frobnicate")
    assert result.returncode == 2 and "无效的选项 'frobnicate'" in result.stderr and "'validate'" in result.stderr
    result = cli("validate", "x", "--colour")
    assert result.returncode == 2 and "无法识别的参数：--colour" in result.stderr
    result = cli("validate", "-h")
    assert result.returncode == 0 and "显示本帮助并退出" in result.stdout and "位置参数" in result.stdout


def test_the_command_line_starts_without_the_analysis_package():
    """Every evalkit command built its parser with the analysis package imported (pandas tables, matplotlib charts,
    scipy.stats): over a second before any command began.  Only lab and export load it, when they run."""
    script = ("import json, sys; import evalkit.cli.main as m; m.build_parser(); "
              "print(json.dumps(sorted(k for k in ('evalkit.analysis', 'matplotlib', 'scipy.stats', 'pandas') "
              "if k in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout) == []


def test_export_formats_named_by_the_command_line_are_the_analysis_package_s():
    from evalkit.analysis import FORMATS
    from evalkit.cli.analysis import EXPORT_FORMATS

    assert EXPORT_FORMATS == FORMATS
