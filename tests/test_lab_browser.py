"""evalkit lab in the browser: JupyterLab (Chromium) opens the sensitivity notebook the lead evaluator
got in PROJECT/analysis/, runs it, and the bump chart is drawn; every request stays on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from browser import SHOTS, launched_chromium, new_page, wait_for_port

from evalkit.analysis import LabConfig, copy_notebooks, lab_command
from evalkit.analysis.lab import environment, with_token
from evalkit.app.serve import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.browser


def test_the_sensitivity_notebook_runs_in_jupyterlab(tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    project = tmp_path / "demo"
    shutil.copytree(ROOT / "data" / "demo", project, ignore=shutil.ignore_patterns("out"))
    config = with_token(LabConfig(project=project, port=free_port()))
    copy_notebooks(project)
    env = {**environment(config), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen(lab_command(config), env=env, stdout=(tmp_path / "lab.log").open("w"),
                              stderr=subprocess.STDOUT)
    try:
        wait_for_port(config.port, server)
        with launched_chromium() as chromium:
            page = new_page(chromium, 1400, 900)
            page.goto(f"http://127.0.0.1:{config.port}/lab/tree/analysis/04_sensitivity.ipynb?token={config.token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            try:  # JupyterLab asks which kernel on the first opening of a notebook
                page.get_by_role("button", name="Select").click(timeout=20_000)
            except PlaywrightTimeout:
                pass
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            page.wait_for_selector(".jp-OutputArea-output img", timeout=240_000)
            page.wait_for_function("document.querySelectorAll('.jp-OutputArea-output img').length >= 2",
                                   timeout=240_000)
            assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
            assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0
            page.locator(".jp-OutputArea-output img").first.scroll_into_view_if_needed()
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "lab-sensitivity.png"))
    finally:
        server.terminate()
        server.wait(timeout=30)
