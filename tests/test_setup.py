"""The set-up of the README's two commands on machines that lack pieces (issue 22).

``tools/venv.sh`` creates the virtual environment.  A stock Debian/Ubuntu Python has no ``venv``
without the python3-venv package: the script then installs it with apt where it may, and otherwise
falls back to virtualenv from PyPI.  The machines are faked with small stand-in commands on PATH.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def fake_python(bin_dir: Path, log: Path, *, venv_works: bool) -> Path:
    """A python3 whose ``-m venv`` fails (no ensurepip), whose pip installs nothing and whose
    ``-m virtualenv DIR`` makes DIR/bin/python; every call is logged."""
    script = bin_dir / "python3"
    make_venv = f'mkdir -p "$3/bin" && ln -s {sys.executable} "$3/bin/python"'
    no_venv = 'echo "The virtual environment was not created successfully because ensurepip is not available." >&2; exit 1'
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        echo "$*" >> {log}
        case "$1 $2" in
          "-m venv") {make_venv if venv_works else no_venv} ;;
          "-m pip") exit 0 ;;
          "-m virtualenv") mkdir -p "$4/bin" && ln -s {sys.executable} "$4/bin/python" ;;
          "-c "*) exec {sys.executable} "$@" ;;
        esac
        """), encoding="utf-8")
    script.chmod(0o755)
    return script


def run_venv(tmp_path: Path, *, venv_works: bool) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    python = fake_python(bin_dir, log, venv_works=venv_works)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    # no apt-get on this machine: shadow it where /usr/bin has one
    (bin_dir / "apt-get").write_text("#!/bin/sh\nexit 127\n", encoding="utf-8")
    (bin_dir / "apt-get").chmod(0o755)
    done = subprocess.run(["sh", str(ROOT / "tools" / "venv.sh"), str(python), str(tmp_path / "venv")],
                          capture_output=True, text=True, env=env, timeout=60)
    return done, log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_a_python_with_venv_just_makes_it(tmp_path):
    done, calls = run_venv(tmp_path, venv_works=True)
    assert done.returncode == 0 and (tmp_path / "venv" / "bin" / "python").exists()
    assert calls == [f"-m venv {tmp_path / 'venv'}"] and done.stdout == ""


def test_without_python3_venv_it_falls_back_to_virtualenv_and_says_so(tmp_path):
    done, calls = run_venv(tmp_path, venv_works=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "venv" / "bin" / "python").exists()
    assert "python3-venv" in done.stdout and "virtualenv" in done.stdout
    assert any(c.startswith("-m pip install") and "virtualenv" in c for c in calls)
    assert calls[-1] == f"-m virtualenv --quiet {tmp_path / 'venv'}"
    assert "Traceback" not in done.stdout + done.stderr


def test_the_makefile_uses_the_script_and_names_what_python_to_get():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "sh tools/venv.sh $(PYTHON) $(VENV)" in makefile
    assert "evalkit 需要 Python 3.11 或更高版本" in makefile and "PYTHON=python3.11" in makefile
    old = subprocess.run(["make", "-n", ".venv/.installed", "PYTHON=python3"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "MAKEFLAGS": ""})
    assert old.returncode == 0


def test_a_real_python_without_ensurepip_gets_a_working_venv_from_virtualenv(tmp_path):
    """The README's set-up on a container-like fresh machine, for real: the base interpreter (not this
    test's venv) with ``ensurepip`` missing as on Debian/Ubuntu without python3-venv, no apt-get, an
    empty home.  ``tools/venv.sh`` falls back to virtualenv installed from the package index, and the
    environment it makes runs Python and pip."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if not base.exists():
        pytest.skip(f"no base interpreter at {base}")
    shadow = tmp_path / "shadow" / "venv"
    shadow.mkdir(parents=True)
    # what `python3 -m venv` says on Debian/Ubuntu when python3-venv is not installed (venv runs ensurepip
    # isolated, so the venv module itself stands in for the stock one)
    (shadow / "__init__.py").write_text("", encoding="utf-8")
    (shadow / "__main__.py").write_text(textwrap.dedent("""\
        import sys
        sys.exit("The virtual environment was not created successfully because ensurepip is not\\n"
                 "available.  On Debian/Ubuntu systems, you need to install the python3-venv package.")
        """), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text("#!/bin/sh\nexit 127\n", encoding="utf-8")
    (bin_dir / "apt-get").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k.startswith("PIP_") or k in ("LANG", "LC_ALL", "SSL_CERT_FILE")}
    env.update(PATH=f"{bin_dir}:/usr/bin:/bin", HOME=str(tmp_path / "home"), PYTHONPATH=str(shadow.parent))
    (tmp_path / "home").mkdir()
    venv = tmp_path / "fresh" / ".venv"
    assert subprocess.run([str(base), "-m", "venv", str(venv)], env=env, capture_output=True).returncode != 0
    done = subprocess.run(["sh", str(ROOT / "tools" / "venv.sh"), str(base), str(venv)],
                          capture_output=True, text=True, env=env, timeout=600)
    out = done.stdout + done.stderr
    if done.returncode != 0 and "无法创建虚拟环境" in out:
        pytest.skip("virtualenv cannot be installed from the package index here: " + out[-300:])
    assert done.returncode == 0, out
    assert "python3-venv" in done.stdout and "virtualenv" in done.stdout and "Traceback" not in out
    env.pop("PYTHONPATH")
    check = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
                           capture_output=True, text=True, env=env)
    assert check.stdout.strip() == "True", check.stderr
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True, text=True,
                         env=env)
    assert pip.returncode == 0 and str(venv) in pip.stdout, pip.stderr


def test_the_readme_quick_start_names_real_targets_and_their_figures():
    """The README's quick start has exactly two commands — the main job on the demo, then the tests
    (the one .ci/run calls) — both Makefile targets with their time; the quicker test path is named
    beside them, and the screenshots' folder is documented."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = quick.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].split() for line in block.strip().splitlines()]
    assert [c[:2] for c in commands] == [["make", "run"], ["make", "test"]]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "`make test-quick`" in quick and "\ntest-quick:" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert all("≈" in line and "min" in line for line in block.strip().splitlines())
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for _, target in commands:
        assert f"\n{target}:" in makefile, target
    assert "EVALKIT_SHOTS" in quick and "PORT=" in quick and "data/demo/README.md" in quick
    for image in ("docs/images/form.png", "docs/images/report.png"):
        assert f"]({image})" in quick and (ROOT / image).stat().st_size < 200_000
