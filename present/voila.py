"""Voila's configuration for the classroom view: prose, figures and live sliders, no code.

    make present                                            # what it runs:
    .venv/bin/voila --Voila.config_file_paths=present notebooks

- the template ``present/voila/templates/classroom`` (projector-sized text and
  widgets, a landing page, links to the previous and next lesson);
- its landing page lists ``lessons.CATALOG`` in order with ``lessons.SUMMARIES``;
- exercise stubs and checks are tagged ``classroom-hide`` as each notebook is
  loaded, and the template does not show such cells (``lessons/classroom.py``).

Nothing here changes a notebook on disk: JupyterLab and the classroom view read
the same files.
"""

import os
from pathlib import Path

from lessons.classroom import lesson_list, tag_hidden_cells

c = get_config()  # noqa: F821 - traitlets provides get_config to a config file

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent / "notebooks"

# Voila finds templates in the Jupyter data directories: put present/ first, for voila/templates/classroom.
os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("JUPYTER_PATH")]))


def page_config(page_config, notebook_path=None, **kwargs):
    """Give the templates the lesson list (landing page) and the previous/next lesson (each lesson's header)."""
    lessons = lesson_list(NOTEBOOKS)
    page_config["classroomLessons"] = lessons
    files = [lesson["file"] for lesson in lessons]
    name = Path(notebook_path or "").name
    if name in files:
        i = files.index(name)
        page_config["classroomPrevious"] = lessons[i - 1] if i > 0 else None
        page_config["classroomNext"] = lessons[i + 1] if i + 1 < len(lessons) else None
    return page_config


def prelaunch(request_handler, notebook, cwd):
    """Tag exercise cells ``classroom-hide`` (in memory) before Voila runs and renders the notebook."""
    return tag_hidden_cells(notebook)


c.VoilaConfiguration.template = "classroom"
c.VoilaConfiguration.classic_tree = True  # the landing page is the template's tree.html: the lessons, in order
c.VoilaConfiguration.theme = "light"
c.VoilaConfiguration.show_tracebacks = True  # in class, a visible error beats a silent blank
c.VoilaConfiguration.page_config_hook = page_config
c.VoilaConfiguration.prelaunch_hook = prelaunch
