"""The classroom view (`make present`, lessons/classroom.py, present/voila.py): its landing page and hidden cells.

The browser check (`make present-smoke`) opens every lesson in Voila; these tests
pin what can be checked without a browser: the landing page that `make present`
serves lists every notebook of CATALOG in order, and the cells the classroom view
hides are exactly the exercise cells (and the cells tagged classroom-hide), never
a figure or a printed number.
"""

import html
import json
import re
import runpy
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from traitlets.config import Config

from lessons import CATALOG, SUMMARIES
from lessons.classroom import HIDE, hidden_cells, is_exercise_cell, lesson_list, tag_hidden_cells, title_of

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURE = ROOT / "tests" / "fixtures" / "classroom_fixture.ipynb"
FEEDBACK = re.compile(r"^(Not yet:|✗|✓ Correct)")  # how lessons.checks.Feedback starts


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code(source: str, tags=()) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}, "outputs": []}


def output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts += ["".join(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


def test_every_notebook_has_a_one_line_summary():
    missing = [name for name in CATALOG if not SUMMARIES.get(name, "").strip()]
    assert not missing, f"add a one-line summary for {missing} to lessons.SUMMARIES (the landing page shows it)"
    assert set(SUMMARIES) <= set(CATALOG), f"summaries of notebooks not in CATALOG: {set(SUMMARIES) - set(CATALOG)}"
    for name, summary in SUMMARIES.items():
        assert "\n" not in summary and len(summary) <= 110, f"{name}: keep its summary to one line of ≤ 110 characters"


def test_lesson_list_follows_the_catalog_with_titles_from_the_notebooks():
    lessons = lesson_list(ROOT / "notebooks")
    assert [lesson["name"] for lesson in lessons] == list(CATALOG)
    for lesson in lessons:
        assert lesson["file"] == f"{lesson['name']}.ipynb"
        assert lesson["title"].startswith(lesson["name"][:2] + " · "), lesson["title"]
        assert lesson["summary"] == SUMMARIES[lesson["name"]]


def test_title_is_the_first_heading(tmp_path):
    path = tmp_path / "x.ipynb"
    heading = {"cell_type": "markdown", "source": ["Intro\n", "# 07 · LSTM\n"]}
    path.write_text(json.dumps({"cells": [code("# not a heading"), heading]}))
    assert title_of(path) == "07 · LSTM"


@pytest.mark.parametrize("source, exercise", [
    ("def my_ewma(theta, beta):\n    raise NotImplementedError  # your code here", True),
    ("lesson.check_ewma(my_ewma)", True),
    ("check_adam_step(adam_step)", True),
    ("feedback = lessons.momentum.check_velocity(my_step)\nfeedback", True),
    ("from lessons.checks import rounding", False),
    ("show(lesson.data_figure(beta=0.9))", False),
    ("lesson.SmoothingExplorer(beta=0.9)", False),
    ("print('raise NotImplementedError is how a stub starts')", False),
])
def test_exercise_cells_are_recognised(source, exercise):
    assert is_exercise_cell(code(source)) is exercise


def test_markdown_is_never_an_exercise_cell():
    assert not is_exercise_cell({"cell_type": "markdown", "source": "raise NotImplementedError", "metadata": {}})


def test_tagging_is_in_memory_and_idempotent():
    nb = {"cells": [code("x = 1"), code("lesson.check_x(f)"), code("print(2)", tags=[HIDE])]}
    assert hidden_cells(nb) == [1, 2]
    tag_hidden_cells(nb)
    tag_hidden_cells(nb)
    assert [c["metadata"]["tags"] for c in nb["cells"]] == [[], [HIDE], [HIDE]]


@pytest.mark.parametrize("path", [*NOTEBOOKS, FIXTURE], ids=lambda p: p.stem)
def test_the_classroom_view_hides_exercises_and_nothing_a_learner_should_see(path):
    """From the committed outputs: every exercise stub and feedback is hidden; no figure, widget or table is."""
    nb = load(path)
    hidden = set(hidden_cells(nb))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            assert i not in hidden
            continue
        text = output_text(cell)
        if FEEDBACK.search(text) or "raise NotImplementedError" in "".join(cell["source"]):
            assert i in hidden, (f"cell {i} is an exercise (its output: {text[:60]!r}) that the classroom view would "
                                 f"show: call the check as lesson.check_…(…), or tag the cell {HIDE}")
        if i in hidden:
            shows = [k for o in cell["outputs"] for k in o.get("data", {}) if k.startswith("image/")]
            assert not shows, f"cell {i} shows a figure, yet the classroom view would hide it"


def test_the_voila_configuration_hides_exercises_and_links_the_lessons(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "")  # the configuration prepends present/ to it
    config = runpy.run_path(str(ROOT / "present" / "voila.py"), init_globals={"get_config": Config})
    assert config["c"].VoilaConfiguration.template == "classroom"
    nb = config["prelaunch"](None, notebook=load(NOTEBOOKS[1]), cwd=".")
    assert [i for i, c in enumerate(nb["cells"]) if HIDE in c["metadata"].get("tags", [])] == hidden_cells(nb)
    assert hidden_cells(nb), "lesson 01 has an exercise"
    names = list(CATALOG)
    page = config["page_config"]({}, notebook_path=f"{names[1]}.ipynb")
    assert [lesson["name"] for lesson in page["classroomLessons"]] == names
    assert page["classroomPrevious"]["name"] == names[0]
    assert page["classroomNext"]["name"] == names[2]
    assert config["page_config"]({}, notebook_path=f"{names[0]}.ipynb")["classroomPrevious"] is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_present_landing_page_lists_every_notebook_in_the_catalog():
    """Start Voila exactly as `make present` does and read its landing page."""
    port = free_port()
    dry_run = subprocess.run(["make", "-s", "-n", "present", f"PRESENT_ARGS=--no-browser --port={port}"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    command = shlex.split(next(line for line in dry_run.splitlines() if "voila" in line))
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("`make present` did not serve its landing page within 60 s")
    finally:
        server.terminate()
        server.wait(timeout=30)
    items = re.findall(r'<a href="/voila/render/([^"]+)\.ipynb">([^<]+)</a>\s*<span class="classroom-summary">([^<]*)',
                       page)
    assert [name for name, _, _ in items] == list(CATALOG)
    for name, title, summary in items:
        assert html.unescape(title) == title_of(ROOT / "notebooks" / f"{name}.ipynb")
        assert html.unescape(summary) == SUMMARIES[name]


def test_instructor_notes_cover_every_lesson_in_order():
    """docs/teaching.md, the one place for instructor notes: a section per notebook, in order, each with its time."""
    notes = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", notes, flags=re.MULTILINE)[1:]
    numbered = [s for s in sections if re.match(r"\d\d · ", s)]
    assert [s[:2] for s in numbered] == [name[:2] for name in CATALOG], (
        "docs/teaching.md needs one '## NN · title' section per notebook of CATALOG, in order")
    for section in numbered:
        assert "**Time:**" in section, f"the notes on {section.splitlines()[0]} give no time"
        assert f"\n| {section[:2]} · " in notes, f"the time table lacks a row for lesson {section[:2]}"


def test_the_listing_names_each_hidden_cell(capsys):
    from lessons.classroom import main

    main([str(FIXTURE)])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "classroom_fixture.ipynb: 3 cell(s) hidden in the classroom view"
    assert out[1:] == ["  cell 6: def my_ewma(theta, beta):", "  cell 7: lesson.check_ewma(my_ewma)",
                       '  cell 9: print("shown in JupyterLab, hidden in the classroom view")']
