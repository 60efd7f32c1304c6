"""The house keeps its shape: layer contracts (import-linter), ruff, small modules, public package faces.

``make test`` runs ruff and lint-imports before the tests; the tests here show that the contracts
really fail on a violation (on a copy of the package with one bad import added) and check what the
tools cannot: that code outside a subpackage uses only the names the subpackage exports, that every
subpackage says what it owns and may use, and that modules stay small.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "evalkit"
BIN = Path(sys.executable).parent
MAX_LINES = 400
# ground packages whose modules are the public unit (``from evalkit.io import tables``)
MODULE_PACKAGES = {"io", "stats"}


def subpackages() -> list[Path]:
    return sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": str(BIN), "PYTHONPATH": str(cwd)}, timeout=300)


def test_the_layer_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("scoring/score.py", "import ipywidgets", "ipywidgets and voila only in evalkit.app"),
    ("scoring/score.py", "from evalkit.project import open_project", "Layers"),
    ("store/records.py", "import evalkit.cli.main", "Layers"),
    ("framework/model.py", "from evalkit.framework.read import read_framework", "No import cycles"),
])
def test_a_violation_breaks_the_contracts(tmp_path, module, line, contract):
    """On purpose: one bad import in a copy of the package, and lint-imports fails naming the contract."""
    shutil.copytree(PACKAGE, tmp_path / "evalkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "evalkit" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # the violation\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and f"evalkit.{module.split('/')[0]}" in broken


def test_ruff_passes_on_the_whole_repository():
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout


def test_ruff_fails_on_an_import_inside_a_function(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bad.py").write_text('"""x"""\n\n\ndef f():\n    import json\n\n    return json\n', encoding="utf-8")
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "bad.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "PLC0415" in result.stdout


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("evalkit.") and not node.level:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("evalkit."):
                    yield node.lineno, alias.name, []


def test_code_outside_a_subpackage_uses_only_what_the_subpackage_exports():
    """``from evalkit.ledger import load_ledger``, never ``from evalkit.ledger.loading import …`` from outside."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).parts
        own = rel[0] if len(rel) > 1 else None
        for line, module, names in _imports(path):
            parts = module.split(".")
            if len(parts) < 2 or parts[1] == own or parts[1] in MODULE_PACKAGES or parts[1] in ("problems", "version"):
                continue
            if len(parts) > 2:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
                continue
            exported = set(getattr(__import__(module, fromlist=["__all__"]), "__all__", ()))
            wrong += [f"{path.relative_to(ROOT)}:{line} imports {module}.{n} (not in its __all__)"
                      for n in names if n not in exported]
    assert wrong == []


def test_every_subpackage_says_what_it_owns_and_what_it_may_use():
    for package in subpackages():
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "May use" in doc or package.name in ("cli", "app", "stats"), package.name
        assert len(doc) > 80, f"{package.name}: say what the package owns"


def test_modules_stay_small_and_say_what_they_hold():
    big, silent = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            big.append(f"{path.relative_to(ROOT)}: {lines} lines")
        if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) and lines > 5:
            silent.append(str(path.relative_to(ROOT)))
    assert big == [] and silent == []


def test_only_the_edges_and_the_root_are_flat():
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "problems.py", "version.py"]
