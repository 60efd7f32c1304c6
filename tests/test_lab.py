"""evalkit lab: JupyterLab on a project, always with a token, on 127.0.0.1 by default, the analysis
notebooks copied into PROJECT/analysis/ without ever replacing one."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from evalkit.analysis import LabConfig, copy_notebooks, lab_command
from evalkit.analysis.lab import environment, with_token
from evalkit.app.serve import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_the_command_binds_loopback_with_a_token_and_the_project_as_root(tmp_path):
    config = with_token(LabConfig(project=tmp_path))
    assert len(config.token) > 20
    command = lab_command(config)
    assert "--ServerApp.ip=127.0.0.1" in command and f"--IdentityProvider.token={config.token}" in command
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command and "--ServerApp.open_browser=False" in command
    assert environment(config)["EVALKIT_PROJECT"] == str(tmp_path.resolve())
    assert with_token(LabConfig(project=tmp_path, token="abc")).token == "abc"


def test_notebooks_are_copied_but_never_over_the_lead_s_own(tmp_path):
    copied = copy_notebooks(tmp_path)
    assert [p.name for p in copied] == sorted(p.name for p in (ROOT / "notebooks" / "analysis").glob("*.ipynb"))
    mine = tmp_path / "analysis" / "04_sensitivity.ipynb"
    mine.write_text("{}", encoding="utf-8")
    assert copy_notebooks(tmp_path) == [] and mine.read_text(encoding="utf-8") == "{}"


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError):
        return 0  # not listening yet


def test_jupyterlab_starts_on_the_project_and_wants_the_token(tmp_path):
    project = tmp_path / "demo"
    shutil.copytree(ROOT / "data" / "demo", project, ignore=shutil.ignore_patterns("out", "raw"))
    config = with_token(LabConfig(project=project, port=free_port()))
    copy_notebooks(project)
    server = subprocess.Popen(lab_command(config), env=environment(config), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{config.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _get(f"{base}/api/status?token={config.token}") != 200:
            assert server.poll() is None, "JupyterLab stopped"
            time.sleep(0.5)
        assert _get(f"{base}/api/status?token={config.token}") == 200
        assert _get(f"{base}/api/contents/analysis") == 403  # no token, no way in
        with urllib.request.urlopen(f"{base}/api/contents/analysis?token={config.token}", timeout=5) as response:
            listing = response.read().decode()
        assert "04_sensitivity.ipynb" in listing
        assert _get(f"{base}/lab?token={config.token}") == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_readme_shows_lab_export_and_the_chart():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for words in ("evalkit lab PROJECT", "make lab", "evalkit export PROJECT --format", "docs/images/sensitivity-bump.png",
                  "EVALKIT_PROJECT"):
        assert words in readme, words
    assert (ROOT / "docs" / "images" / "sensitivity-bump.png").stat().st_size > 10_000
