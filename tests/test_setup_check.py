"""notebooks/00_setup_check: on a broken install, every cell says what is wrong and how to fix it, and none raises.

The notebook's cells are run here as a kernel runs them (one namespace, in order, from
the notebooks folder), with a package made to look missing or too old.
"""

import importlib.metadata
import json
import platform
import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "00_setup_check.ipynb"
CELLS = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
REAL_VERSION = importlib.metadata.version


def run_cells(monkeypatch, capsys, cwd=NOTEBOOK.parent, missing=(), versions=None, python=None):
    """Run every code cell in order, with ``missing`` packages not installed and ``versions`` faked; return the text.

    ``python``: the Python version the kernel pretends to run (``platform.python_version``).
    """
    versions = versions or {}
    if python is not None:
        monkeypatch.setattr(platform, "python_version", lambda: python)

    def version(name):
        if name in missing:
            raise importlib.metadata.PackageNotFoundError(name)
        return versions.get(name) or REAL_VERSION(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    monkeypatch.chdir(cwd)
    namespace = {}
    for source in CELLS:
        exec(compile(source, "<setup-check cell>", "exec"), namespace)  # noqa: S102 - as the kernel runs a cell
    return capsys.readouterr().out


def line_of(out, package):
    return next(line for line in out.splitlines() if line.startswith(f"{package} ") and ">=" in line)


def test_a_healthy_install_says_ok_everywhere(monkeypatch, capsys):
    out = run_cells(monkeypatch, capsys)
    assert "NOT ok" not in out and "missing" not in out
    assert line_of(out, "numpy").endswith(" ok") and "optimizer run: ok" in out
    assert line_of(out, "python") == "python       >=3.10        ok"
    rows = [line for line in out.splitlines() if " >=" in line]  # python and every requirement: one table
    assert len(rows) >= 10 and len({line.index(">=") for line in rows}) == 1, rows  # its columns line up


def test_an_old_python_is_named_with_its_fix(monkeypatch, capsys):
    out = run_cells(monkeypatch, capsys, python="3.9.18")
    assert line_of(out, "python").endswith("NOT ok: this kernel runs Python 3.9.18; install Python 3.10 or newer and "
                                           "rebuild the environment with it (make clean, then make lab "
                                           "PYTHON=python3.11)")
    assert line_of(out, "numpy").endswith(" ok")  # the packages are still checked


@pytest.mark.parametrize("package", ["ipywidgets", "numpy", "ipykernel"])
def test_a_missing_package_is_named_with_its_fix_and_nothing_raises(monkeypatch, capsys, package):
    out = run_cells(monkeypatch, capsys, missing={package})
    wanted = {"ipywidgets": ">=8.1,<9", "numpy": ">=2.2,<3", "ipykernel": ">=7.3,<8"}[package]
    assert line_of(out, package).endswith(f"missing: fix with  %pip install \"{package}{wanted}\"")
    if package != "ipykernel":  # the versions cell lists the main packages
        assert f"{package}: not installed (the next cell gives the command that fixes it)" in out
    assert line_of(out, "matplotlib").endswith(" ok")  # the others are still checked


def test_an_old_version_is_named_with_its_fix(monkeypatch, capsys):
    out = run_cells(monkeypatch, capsys, versions={"numpy": "1.26.4"})
    assert line_of(out, "numpy").endswith('NOT ok: 1.26.4 is installed; fix with  %pip install "numpy>=2.2,<3"')


def test_without_packaging_the_versions_are_shown_but_not_compared(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "packaging", None)  # import packaging → ImportError
    monkeypatch.setitem(sys.modules, "packaging.requirements", None)
    out = run_cells(monkeypatch, capsys)
    assert "without `packaging` it cannot be compared: %pip install packaging" in line_of(out, "numpy")


def test_when_the_project_does_not_import_the_fix_is_an_editable_install(monkeypatch, capsys):
    for name in ("helpers", "helpers.optimizers", "helpers.surfaces"):  # as if `-e .` had not been installed
        monkeypatch.setitem(sys.modules, name, None)
    out = run_cells(monkeypatch, capsys)
    assert "helpers, lessons: NOT ok, they do not import (ModuleNotFoundError" in out
    assert "fix with  %pip install -e ..  (the project, from this folder), then restart the kernel" in out
    assert "optimizer run: skipped, helpers does not import (ModuleNotFoundError); fix the lines above first" in out


def test_run_from_the_wrong_folder_says_where_to_open_it(monkeypatch, capsys, tmp_path):
    out = run_cells(monkeypatch, capsys, cwd=tmp_path)
    assert "NOT ok: ../requirements.txt is not there. Open this notebook from the project's notebooks/ folder." in out
