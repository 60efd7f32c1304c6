"""The lead evaluator's analysis notebooks (notebooks/analysis/) run against the demo with nbclient, end to
end, and are committed without outputs; each opens with a parameters cell naming the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from test_whatif import snapshot

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks" / "analysis").glob("*.ipynb"))


def test_there_are_the_five_analysis_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_data_quality", "02_scoring_walkthrough", "03_rater_agreement",
                                           "04_sensitivity", "05_sampling_results"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_with_a_parameters_cell(path):
    book = nbformat.read(path, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "clear the outputs before committing"
    assert "parameters" in code[0].metadata.get("tags", []) and code[0].source.strip().endswith('PROJECT = ""')
    assert book.cells[0].cell_type == "markdown" and book.metadata.get("title")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A copy of the demo, so that the test also shows the notebooks write nothing into the project."""
    root = tmp_path_factory.mktemp("nb") / "demo"
    shutil.copytree(ROOT / "data" / "demo", root, ignore=shutil.ignore_patterns("out"))
    return root


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_runs_against_the_demo(path, demo, tmp_path):
    before = snapshot(demo)
    book = nbformat.read(path, as_version=4)
    book.cells[1].source = f"PROJECT = {str(demo)!r}"
    NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in book.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    pictures = sum("image/png" in o.get("data", {}) for c in book.cells for o in c.get("outputs", []))
    assert pictures >= (0 if path.stem == "01_data_quality" else 1)
    assert snapshot(demo) == before
