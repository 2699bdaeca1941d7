"""The classroom view (``make present``): which lessons its landing page lists, and which cells it hides.

``make present`` serves ``notebooks/`` with Voila, configured by ``present/voila.py``:
the prose, the figures and the live sliders of each lesson, without its code.
The same notebooks serve JupyterLab and the classroom view; the decisions the
classroom view makes live here, so that the Voila configuration, the unit tests
and the browser check (``tools/present_smoke.py``) all use the same ones.

**The landing page** lists every notebook of ``lessons.CATALOG`` in order, each with
its title (the notebook's first heading, "# 03 · Momentum") and its line from
``lessons.SUMMARIES``.  A lesson added to ``CATALOG`` appears there at once.

**Hidden cells.**  A projected lesson has no use for an exercise's stub or for its
check's "Not yet: … NotImplementedError".  The classroom view still *runs* every
cell (later cells may need them) but does not show a cell tagged ``classroom-hide``.
That tag is applied in memory, when Voila loads a notebook, to every exercise cell:

- the stub: a code cell that contains ``raise NotImplementedError``;
- the check: a code cell that calls a ``check_…(…)`` function from ``lessons``.

So a notebook author who writes exercises the usual way (``GUIDE.md`` §4) has
nothing to do; ``python -m lessons.classroom notebooks/*.ipynb`` lists what the
classroom view hides in each notebook.  To hide another cell in the classroom view, tag it
``classroom-hide`` in JupyterLab (property inspector → cell tags).  Markdown
cells (the exercise's text and its collapsed solution) are always shown.
``tests/test_classroom.py`` checks, from the committed outputs, that every cell
that shows exercise feedback is hidden and that no figure or printed number is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lessons import CATALOG, SUMMARIES

__all__ = ["HIDE", "is_exercise_cell", "hidden_cells", "tag_hidden_cells", "lesson_list", "title_of"]

#: The cell tag the classroom view hides (the cell still runs).
HIDE = "classroom-hide"

_STUB = re.compile(r"^\s*raise NotImplementedError\b", re.MULTILINE)
_CHECK = re.compile(r"(?<![\w.])(?:\w+\.)*check_\w+\(")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def is_exercise_cell(cell: dict) -> bool:
    """True for an exercise's stub (``raise NotImplementedError``) or its check (a ``check_…(…)`` call)."""
    if cell.get("cell_type") != "code":
        return False
    source = _source(cell)
    return bool(_STUB.search(source) or _CHECK.search(source))


def hidden_cells(nb: dict) -> list[int]:
    """The indices of the cells the classroom view does not show: exercise cells and cells tagged ``classroom-hide``."""
    return [i for i, cell in enumerate(nb["cells"])
            if is_exercise_cell(cell) or HIDE in cell.get("metadata", {}).get("tags", [])]


def tag_hidden_cells(nb: dict) -> dict:
    """Tag every exercise cell ``classroom-hide`` (in place, and returned): what Voila does before rendering."""
    for i in hidden_cells(nb):
        tags = nb["cells"][i].setdefault("metadata", {}).setdefault("tags", [])
        if HIDE not in tags:
            tags.append(HIDE)
    return nb


def title_of(path: Path) -> str:
    """A notebook's title: its first Markdown heading without the '#' (``"03 · Momentum"``)."""
    for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(path).stem


def lesson_list(notebooks: Path) -> list[dict]:
    """Every notebook of ``CATALOG`` found in ``notebooks``, in order: its file, title and one-line summary."""
    lessons = []
    for name in CATALOG:
        path = Path(notebooks) / f"{name}.ipynb"
        if path.exists():
            lessons.append({"name": name, "file": path.name, "title": title_of(path),
                            "summary": SUMMARIES.get(name, "")})
    return lessons


def main(paths: list[str]) -> None:
    """Print, per notebook, the cells the classroom view hides (their first line)."""
    for path in paths:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        hidden = hidden_cells(nb)
        print(f"{Path(path).name}: {len(hidden)} cell(s) hidden in the classroom view")
        for i in hidden:
            first = (_source(nb["cells"][i]).strip().splitlines() or [""])[0]
            print(f"  cell {i}: {first[:90]}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
