"""The problem catalogue is static: every code, with its template and a one-line description, declared in
its subpackage's own ``problems.py`` and complete without importing the UI or the command line."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from evalkit.problems import CATALOGUES, catalogue

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "evalkit"


def registrations() -> dict[str, list[str]]:
    """Every literal ``register("code", …)`` in the package, by module."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "register":
                found.setdefault(path.relative_to(ROOT).as_posix(), []).append(node.args[0].value)
    return found


def test_every_code_is_declared_in_a_catalogue_module():
    found = registrations()
    assert all(path.endswith("/problems.py") for path in found), sorted(found)
    modules = {path.removesuffix(".py").replace("/", ".") for path in found} - {"evalkit.problems"}
    assert modules == set(CATALOGUES)


def test_the_catalogue_is_complete_without_the_ui_or_the_cli():
    script = ("import json, sys\nfrom evalkit.problems import catalogue\ncodes = sorted(catalogue())\n"
              "print(json.dumps({'codes': codes, 'ui': sorted(m for m in sys.modules "
              "if m.startswith(('evalkit.app', 'evalkit.cli', 'ipywidgets', 'voila')))}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    data = json.loads(out)
    assert data["ui"] == []
    assert data["codes"] == sorted(code for codes in registrations().values() for code in codes)


def test_every_code_has_a_chinese_template_and_a_one_line_description():
    for spec in catalogue().values():
        assert spec.severity in ("error", "warning", "info"), spec.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.template), spec.code
        assert spec.description.endswith("。") and "\n" not in spec.description, spec.code
        assert 4 <= len(spec.description) <= 80, spec.code
