"""The Project: one folder, each input read once, the public API on top."""

from __future__ import annotations

import shutil
from pathlib import Path

import evalkit
from evalkit.project import Project, init_project, open_project

ROOT = Path(__file__).resolve().parent.parent


def test_the_public_api_names_the_stable_entry_points():
    for name in ("open_project", "Project", "Store", "load_instrument", "load_framework", "score", "evaluate",
                 "project_checks", "validate_project", "rerun", "verify", "catalogue", "Problem", "__version__"):
        assert hasattr(evalkit, name) and name in evalkit.__all__, name


def test_a_project_reads_each_input_once_and_keeps_it(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "data" / "demo", root, ignore=shutil.ignore_patterns("out"))
    project = evalkit.open_project(root)
    assert isinstance(project, Project) and project.exists
    assert project.config.name.startswith("吉林市") and project.config.as_of == "2018-12-20"
    assert project.framework.id == "province-2018" and len(project.units.units) == 95
    assert set(project.instruments) >= {"hotline_test", "site_visit", "questionnaire"}
    assert project.framework is project.framework and project.records is project.records  # kept, not re-read
    assert len(project.records) > 900 and project.record_problems == []
    assert project.known_assessors and "赵敏" in project.known_assessors
    assert project.events and project.selfassess_inputs.submitted and project.draws
    assert project.load_errors() == []


def test_the_snapshot_stays_while_the_live_store_sees_new_records(tmp_path):
    from scoring_helpers import Records, shipped_instruments

    root = tmp_path / "p"
    init_project(root, "province-2018")
    project = open_project(root)
    assert project.records == []
    Records(root, shipped_instruments()).add("hotline_test", "c1-01", {"visit_date": "2018-11-20"})
    assert project.records == [] and len(project.store.records()) == 1  # a run's snapshot vs the forms' store
    assert len(open_project(root).records) == 1


def test_a_broken_instrument_is_named_and_the_others_load(tmp_path):
    root = tmp_path / "p"
    init_project(root, "province-2018")
    (root / "instruments" / "hotline_test.xlsx").write_bytes(b"not a workbook")
    project = open_project(root)
    assert "hotline_test" not in project.instruments and "site_visit" in project.instruments
    errors = project.load_errors()
    assert errors and all(p.file.endswith("hotline_test.xlsx") for p in errors)


def test_a_folder_that_is_not_a_project_is_said_so_without_an_exception(tmp_path):
    project = open_project(tmp_path / "nowhere")
    assert not project.exists and project.framework is None and project.units is None
    assert project.instruments == {} and project.records == []
    assert {p.code for p in project.framework_problems} == {"file-missing"}
