"""evalkit rerun: the whole evaluation from the project folder, a manifest, byte-identical reruns, --verify."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import make_workbook, output_hashes, sha256
from scoring_helpers import Records, shipped_instruments

from evalkit.cli.main import main
from evalkit.cli.progress import Bar
from evalkit.pipeline import MANIFEST, PROBLEMS, RESULTS, STAGES, RerunError, Step, rerun, verify
from evalkit.project import init_project

FORMULA = '=HYPERLINK("http://x","y")'


def citizen(trips: int, **extra) -> dict:
    return {"user_type": "person", "item_name": "营业执照", "case_kind": "instant", "trips": trips, **extra}


def make_project(root: Path) -> dict:
    """A small province-2018 project: 4 units, a few records (one with errors), 20 rank-stability draws."""
    init_project(root, "province-2018")
    for path in (root / "instruments").glob("*.xlsx"):  # only the instruments used: each takes pyxform ~0.1 s
        if path.stem not in ("service_user_check", "site_visit", "hotline_test"):
            path.unlink()
    make_workbook(root / "units.xlsx", {
        "单位": [["编号", "名称", "类别", "类型", "上级地区"],
               ["d1", "市编办", "1", "部门", ""], ["d2", "市发改委", "1", "部门", ""],
               ["r0", "吉林市", "2", "地区", ""], ["r1", "永吉县", "2", "地区", "r0"]],
        "类别": [["编号", "名称", "绩效权重", "仅通报", "说明"], ["1", "第一类", 1, "否", ""], ["2", "第二类", 0.7, "否", ""]]})
    config = root / "evalkit.toml"
    text = re.sub(r'as_of = "[^"]*"', 'as_of = "2018-12-31"', config.read_text(encoding="utf-8"))
    config.write_text(text + "\n[scoring]\ndraws = 20\nseed = 7\n", encoding="utf-8")
    rec = Records(root, shipped_instruments())
    ids = {}
    for unit, trips in (("d1", 1), ("d2", 2), ("r1", 1)):
        ids[unit] = rec.add("service_user_check", unit, {"visit_date": "2018-11-12", "citizens": [
            citizen(trips, comment="办得很快") for _ in range(6)]}, assessor="李四")
    ids["formula"] = rec.add("site_visit", "d1", {"visit_date": "2018-11-20", "guides_checked": 10,
                                                  "guides_available": 9, "findings": FORMULA})
    # calls_connected above calls_made: an error the checks name
    ids["bad"] = rec.add("hotline_test", "d2", {"visit_date": "2018-11-20",
                                                "calls": [{"calls_made": 2, "calls_connected": 5}]})
    return ids


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("rerun")
    root = base / "eval"
    ids = make_project(root)
    return root, ids


@pytest.fixture(scope="module")
def first(project) -> Path:
    root, _ = project
    out = root.parent / "out1"
    out.mkdir()
    (out / "我的笔记.txt").write_text("不要删", encoding="utf-8")
    assert main([ "rerun", str(root), "--out", str(out), "--quiet"]) == 1  # the project has errors
    return out


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_manifest_lists_inputs_versions_seeds_and_outputs(project, first):
    root, ids = project
    manifest = json.loads((first / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["schema"] == "evalkit.rerun/2"
    assert manifest["project"] == "../eval"  # relative to the manifest's folder
    assert manifest["as_of"] == "2018-12-31"
    assert manifest["seeds"]["scoring"] == 7 and manifest["seeds"]["uncertainty_draws"] == 20
    assert manifest["settings"] == {"include_received": False, "seed": 7, "draws": 20}
    assert manifest["versions"]["evalkit"] and manifest["versions"]["python"]
    assert {"openpyxl", "numpy", "scipy", "pandas", "pyxform", "lark"} <= set(manifest["versions"])
    inputs = manifest["inputs"]
    expected_inputs = {"evalkit.toml", "framework.xlsx", "units.xlsx", "instruments/hotline_test.xlsx"}
    assert expected_inputs <= set(inputs)
    # the records by the root hash of the revisions the run read, listed in revisions.txt (not as files)
    raw = sorted(p.stem for p in (root / "raw").rglob("*.json"))
    assert raw and not any(k.startswith("raw/") for k in inputs)
    assert (first / "revisions.txt").read_text(encoding="ascii").split() == raw
    assert manifest["records"] == {"root": sha256(first / "revisions.txt"), "revisions": len(raw),
                                   "records": len({p.parent.name for p in (root / "raw").rglob("*.json")}),
                                   "list": "revisions.txt"}
    assert inputs["units.xlsx"] == {"sha256": sha256(root / "units.xlsx"), "size": (root / "units.xlsx").stat().st_size}
    assert not any(k.startswith(("out/", "drafts/")) for k in inputs)
    assert list(inputs) == sorted(inputs)
    outputs = manifest["outputs"]
    assert {"评估报告.xlsx", "index.html", RESULTS, PROBLEMS} <= set(outputs)
    assert MANIFEST not in outputs and "我的笔记.txt" not in outputs
    for name, entry in outputs.items():
        assert entry["sha256"] == sha256(first / name), name
    # no wall-clock time anywhere in the manifest
    assert not re.search(r"20[2-9]\d-\d\d-\d\d", (first / MANIFEST).read_text(encoding="utf-8"))


def test_results_and_problems_json(project, first):
    root, ids = project
    results = json.loads((first / RESULTS).read_text(encoding="utf-8"))
    assert sorted(u["unit"] for u in results["units"]) == ["d1", "d2", "r0", "r1"]
    assert results["settings"]["seed"] == 7
    problems = json.loads((first / PROBLEMS).read_text(encoding="utf-8"))
    bad = [p for p in problems if p["code"] == "logic-connected-exceeds-made"]
    assert [(p["record"], p["field"], p["severity"]) for p in bad] == [(ids["bad"], "calls[1].calls_connected", "error")]
    # paths are relative to the project: the bytes do not depend on where it lies
    assert not any(str(root) in json.dumps(p, ensure_ascii=False) for p in problems)
    assert not any(str(root) in json.dumps(p, ensure_ascii=False) for p in results["problems"])
    errors = [p for p in problems if p["severity"] == "error"]
    assert errors == problems[:len(errors)]  # errors first


def test_other_files_in_the_output_folder_are_kept(first):
    assert (first / "我的笔记.txt").read_text(encoding="utf-8") == "不要删"
    hidden = [p.name for p in first.iterdir() if p.name.startswith(".")]
    assert hidden == [".evalkit-cache"]  # no staging left behind; the cache for the next run


def test_formula_answer_is_text_in_the_workbook(first):
    books = [openpyxl.load_workbook(first / name) for name in ("评估报告.xlsx", "评估证据.xlsx")]
    found = [c for wb in books for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert found and all(c.data_type == "s" for c in found)  # the answer is in 评估证据.xlsx's 文字记录
    assert not [c for wb in books for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_two_reruns_give_identical_bytes(project, first, monkeypatch):
    root, _ = project
    out2 = root.parent / "out2"
    monkeypatch.chdir(root.parent)  # the project named by a relative path this time
    assert main(["rerun", "eval", "--out", "out2", "--quiet"]) == 1
    one, two = files(first), files(out2)
    one.pop("我的笔记.txt")
    assert one == two  # manifest included
    # into the same folder again: the same bytes, the user's file still there
    assert main(["rerun", str(root), "--out", str(first), "--quiet"]) == 1
    again = files(first)
    again.pop("我的笔记.txt")
    assert again == one


def test_verify_says_all_outputs_identical(first, capsys):
    capsys.readouterr()
    code = main(["rerun", "--verify", str(first / MANIFEST)])
    out = capsys.readouterr().out
    n = len(json.loads((first / MANIFEST).read_text(encoding="utf-8"))["outputs"])
    assert code == 0 and f"全部 {n} 个输出文件与清单完全相同" in out


def test_verify_names_a_changed_output(first, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(first, copy)
    data = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    data["outputs"]["index.html"]["sha256"] = "0" * 64  # as if index.html had been edited after the run
    data["project"] = "../" + Path(data["project"]).name
    (copy / MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shutil.copytree(first.parent / "eval", tmp_path / "eval")
    capsys.readouterr()
    code = main(["rerun", "--verify", str(copy / MANIFEST), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and not result["identical"]
    assert result["outputs_differ"] == [{"file": "index.html", "change": "内容不同"}]
    assert result["inputs_changed"] == []


def test_verify_reads_the_recorded_revisions_and_names_what_changed(project, tmp_path, capsys):
    root, _ = project
    moved = tmp_path / "eval"
    shutil.copytree(root, moved)
    out = tmp_path / "out"
    assert rerun(moved, out).errors
    rec = Records(moved, shipped_instruments())
    rec.add("service_user_check", "r1", {"visit_date": "2018-11-13", "citizens": [citizen(3)]}, state="received")
    units = moved / "units.xlsx"
    units.write_bytes(units.read_bytes() + b"")  # unchanged bytes: not reported
    capsys.readouterr()
    # a record saved after the run is not part of it: the rerun reads the manifest's revisions
    assert main(["rerun", "--verify", str(out / MANIFEST)]) == 0
    text = capsys.readouterr().out
    assert "另有 1 个修订" in text and "完全相同" in text
    # a revision the run read is gone (here: changed by hand, so its name no longer matches)
    recorded = set((out / "revisions.txt").read_text(encoding="ascii").split())
    victim = next(p for p in sorted((moved / "raw").rglob("*.json")) if p.stem in recorded)
    os.chmod(victim, 0o644)
    victim.write_bytes(victim.read_bytes().replace(b'"c', b'"C', 1))
    assert main(["rerun", "--verify", str(out / MANIFEST)]) == 1
    text = capsys.readouterr().out
    assert f"已删除  raw/ 修订 {victim.stem}" in text
    assert "units.xlsx" not in text
    assert "内容不同  问题.json" in text   # the changed file is named there (record-hash-mismatch)


def test_a_rerun_while_a_form_saves_reproduces_exactly(project, tmp_path):
    """A writer saves a record every 20 ms during the rerun: the manifest, the reports and --verify agree."""
    import threading

    root, _ = project
    moved = tmp_path / "eval"
    shutil.copytree(root, moved)
    rec = Records(moved, shipped_instruments())
    stop, saved = threading.Event(), []

    def writer():
        while not stop.is_set():
            saved.append(rec.add("questionnaire", "r1", {"q_trips": 1}, state="received"))
            time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = rerun(moved, tmp_path / "out")
    finally:
        stop.set()
        thread.join()
    assert saved
    listed = set((tmp_path / "out" / "revisions.txt").read_text(encoding="ascii").split())
    assert result.manifest["records"]["revisions"] == len(listed)
    checked = verify(tmp_path / "out" / MANIFEST)
    assert checked.identical, (checked.inputs_changed, checked.outputs_differ)
    assert checked.revisions_since >= 1


def test_a_moved_project_and_output_folder_still_verify(project, first, tmp_path, capsys):
    root, _ = project
    shutil.copytree(root, tmp_path / "eval")
    shutil.copytree(first, tmp_path / "out1")
    assert verify(tmp_path / "out1" / MANIFEST).identical
    # the output folder alone moved: a clear message, and --project points at the project
    alone = tmp_path / "elsewhere" / "out1"
    shutil.copytree(first, alone)
    capsys.readouterr()
    assert main(["rerun", "--verify", str(alone / MANIFEST)]) == 2
    assert "--project" in capsys.readouterr().err
    assert main(["rerun", "--verify", str(alone / MANIFEST), "--project", str(root)]) == 0


def test_stale_outputs_are_removed_foreign_files_never_replaced(project, tmp_path, capsys):
    root, _ = project
    out = tmp_path / "out"
    result = rerun(root, out)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    # an output of an earlier run that this run no longer makes is ours: removed
    (out / "units" / "gone.html").write_text("old", encoding="utf-8")
    manifest["outputs"]["units/gone.html"] = {"sha256": "0" * 64, "size": 3}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    again = rerun(root, out)
    assert again.removed == ["units/gone.html"] and not (out / "units" / "gone.html").exists()
    assert again.outputs == result.outputs
    # a file with an output's name that no manifest lists is the user's: nothing is replaced
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("我的主页", encoding="utf-8")
    capsys.readouterr()
    assert main(["rerun", str(root), "--out", str(other), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "index.html" in err and "没有写出任何结果" in err
    assert sorted(p.name for p in other.iterdir()) == ["index.html"]
    assert (other / "index.html").read_text(encoding="utf-8") == "我的主页"


def test_a_foreign_manifest_is_not_overwritten(project, tmp_path, capsys):
    root, _ = project
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text('{"mine": true}', encoding="utf-8")
    assert main(["rerun", str(root), "--out", str(out)]) == 2
    assert "不是 evalkit rerun 写出的清单" in capsys.readouterr().err
    assert (out / MANIFEST).read_text(encoding="utf-8") == '{"mine": true}'


@pytest.mark.parametrize("where", [".", "raw", "raw/sub", "instruments", ".."])
def test_refuses_to_write_into_the_project_or_its_inputs(project, where, capsys):
    root, _ = project
    before = files(root)
    assert main(["rerun", str(root), "--out", str(root / where)]) == 2
    assert "输出文件夹" in capsys.readouterr().err
    assert files(root) == before


def test_missing_project_is_a_usage_error(tmp_path, capsys):
    assert main(["rerun", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert "找不到项目文件夹" in capsys.readouterr().err
    assert main(["rerun", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "没有 evalkit.toml" in capsys.readouterr().err
    assert main(["rerun"]) == 2
    assert main(["rerun", "--verify", str(tmp_path / "manifest.json")]) == 2
    assert "找不到清单文件" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_default_output_is_the_projects_out_folder_and_not_an_input(tmp_path):
    root = tmp_path / "eval"
    make_project(root)
    result = rerun(root)
    assert result.out_dir == (root / "out").resolve()
    manifest = json.loads((root / "out" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["project"] == ".."
    assert not any(k.startswith("out/") for k in manifest["inputs"])
    assert verify(root / "out" / MANIFEST).identical


def test_a_rerun_reports_each_stage_through_the_callback(project, tmp_path):
    root, _ = project
    steps: list[Step] = []
    rerun(root, tmp_path / "o", progress=steps.append)
    assert [s.label for s in steps if s.done is None] == list(STAGES)
    assert [s.stage for s in steps if s.done is None] == list(range(1, len(STAGES) + 1))
    assert {s.stages for s in steps} == {len(STAGES)}


def test_the_cli_bar_draws_steps_only_when_enabled():
    stream = io.StringIO()
    bar = Bar(enabled=True, stream=stream)
    bar(Step(1, 2, "读取输入文件"))
    bar(Step(1, 2, "读取输入文件", 500, 1000))
    bar(Step(2, 2, "计分"))
    bar.close()
    text = stream.getvalue()
    assert "1/2 读取输入文件 500/1000" in text and "2/2 计分" in text
    quiet = io.StringIO()
    bar = Bar(enabled=False, stream=quiet)
    bar(Step(1, 1, "计分"))
    bar.close()
    assert quiet.getvalue() == ""


def test_cli_is_silent_on_stderr_when_not_a_terminal(project, tmp_path, capsys):
    root, _ = project
    main(["rerun", str(root), "--out", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert captured.err == "" and "已重算 4 个单位" in captured.out


def test_the_evalkit_command_ends_at_once_after_a_rerun_with_all_its_output(project, tmp_path, capsys):
    """The ``evalkit`` command (evalkit.cli.main.console) ends a rerun without freeing the project it read and
    without the exit handlers: what it printed is all there, flushed, its exit code is the rerun's, its outputs
    are written.  Any other command ends the ordinary way."""
    root, _ = project
    script = ("import atexit, sys; atexit.register(lambda: print('退出处理', file=sys.stderr)); "
              "sys.argv[0] = 'evalkit'; from evalkit.cli.main import console; console()")

    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}   # output to a pipe waits in a buffer

    def evalkit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=600,
                              env=buffered)

    assert main(["rerun", str(root), "--out", str(tmp_path / "here")]) == 1   # the project has errors
    printed = capsys.readouterr().out
    done = evalkit("rerun", str(root), "--out", str(tmp_path / "o"))
    assert done.returncode == 1 and "退出处理" not in done.stderr     # ended at once
    assert done.stdout == printed.replace(str(tmp_path / "here"), str(tmp_path / "o")) and "已重算 4 个单位" in printed
    assert files(tmp_path / "o") == files(tmp_path / "here")
    assert not [p.name for p in (tmp_path / "o").iterdir() if p.name.startswith((".evalkit-rerun-", ".evalkit-ahead-"))]
    done = evalkit("rerun", str(root), "--out", str(tmp_path / "o"), "--json")   # a long output, to a pipe
    assert done.returncode == 1 and json.loads(done.stdout)["out"] == str(tmp_path / "o")
    done = evalkit("problems", "--json")
    assert done.returncode == 0 and "退出处理" in done.stderr and json.loads(done.stdout)


def test_a_rerun_reads_every_input_once(project, tmp_path, monkeypatch):
    """One Project per run: each workbook parsed once and raw/ read once, for validate, score, check and reports."""
    import evalkit.project.project as project_module
    from evalkit.store import Store

    root, _ = project
    calls: list[str] = []

    def counting(name, original):
        def wrapper(*args, **kwargs):
            calls.append(f"{name} {Path(args[0]).name if args and isinstance(args[0], (str, Path)) else ''}")
            return original(*args, **kwargs)
        return wrapper

    for name in ("load_instrument", "read_framework", "read_units", "read_adjustments"):
        monkeypatch.setattr(project_module, name, counting(name, getattr(project_module, name)))
    monkeypatch.setattr(Store, "snapshot", counting("Store.snapshot", Store.snapshot))
    rerun(root, tmp_path / "o")
    assert calls and len(calls) == len(set(calls)), calls
    assert sum(c.startswith("Store.snapshot") for c in calls) == 1
    assert sum(c.startswith("load_instrument") for c in calls) == len(list((root / "instruments").glob("*.xlsx")))


def test_rerun_error_for_a_file_as_output(project, tmp_path):
    root, _ = project
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(RerunError, match="是一个文件"):
        rerun(root, tmp_path / "f")


def test_candidates_index_follows_the_list_it_is_given():
    from types import SimpleNamespace as V

    from evalkit.scoring import candidates

    a = V(unit="d1", instrument_id="x", submitted="2018-11-02T09:00:00+08:00", instance_id="b")
    b = V(unit="d1", instrument_id="x", submitted="2018-11-01T09:00:00+08:00", instance_id="c")
    c = V(unit="d2", instrument_id="y", submitted="2018-11-01T09:00:00+08:00", instance_id="a")
    views = [a, b, c]
    assert candidates(views, "d1", {"x"}) == [b, a]  # oldest first
    assert candidates(views, "d2", {"x"}) == []
    views.append(V(unit="d2", instrument_id="x", submitted="2018-11-03T09:00:00+08:00", instance_id="d"))
    assert [v.instance_id for v in candidates(views, "d2", {"x", "y"})] == ["a", "d"]  # a longer list: indexed anew
    assert candidates([c], "d2", {"y"}) == [c] and candidates(iter([c]), "d2", {"y"}) == [c]


def test_the_results_are_written_while_the_evidence_workbook_is_saved(tmp_path, monkeypatch):
    """评分结果.json, 问题.json and revisions.txt are written once the report and the pages are, before the rerun
    waits for the evidence workbook (saved by a thread, or by a forked child with --jobs 2): the same files."""
    import importlib

    module = importlib.import_module("evalkit.pipeline.rerun")
    real, seen = module.default_write_reports, []

    def spy(project, out, evaluation, problems, *, meanwhile=None, **kw):
        def wrapped():
            seen.append(sorted(p.name for p in Path(out).iterdir()))
            meanwhile()
        return real(project, out, evaluation, problems, meanwhile=wrapped, **kw)

    monkeypatch.setattr(module, "default_write_reports", spy)
    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    for jobs in (1, 2):
        rerun(demo, tmp_path / f"jobs{jobs}", use_cache=False, jobs=jobs)
    assert len(seen) == 2
    assert all({"评估报告.xlsx", "index.html"} <= set(names) and RESULTS not in names for names in seen)
    made = [output_hashes(tmp_path / "jobs1"), output_hashes(tmp_path / "jobs2")]
    assert made[0] == made[1] and {RESULTS, PROBLEMS, "revisions.txt", "评估证据.xlsx"} <= made[0].keys()
