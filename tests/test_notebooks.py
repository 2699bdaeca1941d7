"""The committed notebooks: structure, hygiene of their outputs, and what nbval alone would not catch.

nbval (in `make test`) re-runs every notebook and compares its text outputs with
the committed ones.  These tests check what makes that comparison meaningful and
what a learner relies on: outputs from one top-to-bottom run, no output that
varies between runs, only widget cells excused from comparison, and the arc of a
lesson (you will learn … solution … further reading).
"""

import base64
import importlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lessons import CATALOG
from lessons.widgets import PARAMS_KEY

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = [nb for nb in NOTEBOOKS if CATALOG.get(nb.stem)]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
UNSTABLE = [
    (re.compile(r"<Figure size"), "a bare Figure repr"),
    (re.compile(r"<matplotlib\.\w+"), "a matplotlib object repr"),
    (re.compile(r"\bat 0x[0-9a-fA-F]+"), "a memory address"),
    (re.compile(r"(/work/|/home/|/tmp/|[A-Z]:\\\\)"), "an absolute path"),
    (re.compile(r"np\.float64\("), "a numpy scalar repr"),
]


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def text_of(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    data = output.get("data", {})
    return "".join("".join(v) if isinstance(v, list) else str(v)
                   for k, v in data.items() if k.startswith("text/"))


def is_widget(output: dict) -> bool:
    """A widget's output: its view reference, or (as tools/execute_notebooks.py saves it) its short repr."""
    data = output.get("data", {})
    return WIDGET_VIEW in data or re.match(r"(VBox|HBox|Box|interactive)\(", "".join(data.get("text/plain", "")))


def test_widget_outputs_carry_a_static_picture_and_no_model_id():
    for path in NOTEBOOKS:
        for cell in code_cells(load(path)):
            for output in cell["outputs"]:
                if is_widget(output):
                    assert "image/png" in output["data"], f"{path.stem}: a widget output without its static PNG"
                    assert WIDGET_VIEW not in output["data"], f"{path.stem}: re-run `make notebooks`"


def test_catalog_and_notebooks_agree():
    assert [nb.stem for nb in NOTEBOOKS] == list(CATALOG)


@pytest.mark.parametrize("stem", [s for s, m in CATALOG.items() if m], ids=str)
def test_every_lesson_has_its_module_widgets_and_tests(stem):
    module = importlib.import_module(f"lessons.{CATALOG[stem]}")
    assert module.WIDGETS, f"lessons.{CATALOG[stem]} has no interactive figure in WIDGETS"
    assert (ROOT / "tests" / f"test_lesson_{CATALOG[stem]}.py").exists()


def _saved_params(png: bytes) -> dict | None:
    """The control values a live figure's PNG records (``lessons.widgets.PARAMS_KEY``), or None."""
    text = getattr(Image.open(io.BytesIO(png)), "text", {})
    return json.loads(text[PARAMS_KEY]) if PARAMS_KEY in text else None


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_saved_pictures_of_live_figures_are_what_the_figures_draw_now(path):
    """What a reader sees before running a cell is the figure as the code draws it today.

    nbval compares text, not pictures, so a change to a figure's drawing would leave the
    saved pictures showing the old one.  Each saved picture records its control values:
    the lesson's figure (``WIDGETS``) with those values must draw it pixel for pixel.
    """
    module = importlib.import_module(f"lessons.{CATALOG[path.stem]}")
    saved = [base64.b64decode(output["data"]["image/png"]) for cell in code_cells(load(path))
             for output in cell["outputs"] if is_widget(output) and "image/png" in output["data"]]
    figures = {name: factory() for name, factory in module.WIDGETS.items()}
    for k, png in enumerate(saved, start=1):
        params = _saved_params(png)
        assert params is not None, f"{path.stem}: live figure {k}'s saved picture records no control values"
        differences = {}
        for name, figure in figures.items():
            if list(figure.params) != list(params):
                continue
            for key, value in params.items():
                figure.controls[key].value = value  # a move made in code: drawn whole, as the notebook drew it
            ours, theirs = _rgb(figure.image.value), _rgb(png)
            differences[name] = int((ours != theirs).any(axis=2).sum()) if ours.shape == theirs.shape else ours.shape
        assert 0 in differences.values(), (
            f"{path.stem}: live figure {k}'s saved picture ({params}) is not what lessons.{CATALOG[path.stem]} draws "
            f"now (pixels that differ, by figure: {differences}): run `make notebooks` to save the pictures again")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_come_from_one_top_to_bottom_run(path):
    counts = [c["execution_count"] for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), "re-run with `make notebooks` (Restart & Run All)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_hold_nothing_that_varies_between_runs_or_machines(path):
    for i, cell in enumerate(code_cells(load(path))):
        ignored = "nbval-ignore-output" in cell["metadata"].get("tags", [])
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"code cell {i} raised"
            assert output.get("name") != "stderr", f"code cell {i} wrote to stderr: {text_of(output)[:200]}"
            if ignored:
                continue
            for pattern, what in UNSTABLE:
                assert not pattern.search(text_of(output)), f"code cell {i} prints {what}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_only_widget_cells_are_excused_from_comparison(path):
    for i, cell in enumerate(code_cells(load(path))):
        ignored = "nbval-ignore-output" in cell["metadata"].get("tags", [])
        widget = any(is_widget(o) for o in cell["outputs"])
        if widget:
            assert ignored, f"code cell {i} shows a widget: tag it nbval-ignore-output"
        if ignored and not widget:
            # the one other excuse: output that varies by machine (versions, timings), said so in the cell
            assert "# varies by machine" in "".join(cell["source"]), (
                f"code cell {i} is excused from nbval without a widget; say why in a '# varies by machine' comment")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_follows_the_arc(path):
    markdown = "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    first = "".join(load(path)["cells"][0]["source"])
    assert first.startswith("# "), "the first cell is the title"
    for part in ["You will learn", "Prerequisites", "Try this", "<details>", "Summary", "Further reading"]:
        assert part.lower() in markdown.lower(), f"no '{part}' section"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_readme_lists_the_notebook(path):
    assert f"`{path.stem}`" in (ROOT / "README.md").read_text()
