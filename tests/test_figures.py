"""Every figure a learner sees: a title, labelled axes, and a legend wherever more than one line is drawn.

Builds every interactive figure (each module's WIDGETS) and every static figure
(each public ``*_figure`` function that needs no argument) of every lesson.
"""

import importlib
import inspect

import pytest
from matplotlib.figure import Figure

from lessons import CATALOG

MODULES = [importlib.import_module(f"lessons.{m}") for m in CATALOG.values() if m]


def _figures():
    for module in MODULES:
        for name, factory in module.WIDGETS.items():
            yield f"{module.__name__}.WIDGETS[{name!r}]", lambda factory=factory: factory().fig
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_figure") and not name.startswith("_") and fn.__module__ == module.__name__:
                required = [p for p in inspect.signature(fn).parameters.values() if p.default is p.empty]
                if not required:
                    yield f"{module.__name__}.{name}()", fn


FIGURES = dict(_figures())


def is_colourbar(ax) -> bool:
    return ax.get_label() == "<colorbar>"


def siblings(ax, axis: str) -> list:
    group = ax.get_shared_x_axes() if axis == "x" else ax.get_shared_y_axes()
    return group.get_siblings(ax)


def problems(fig: Figure) -> list[str]:
    """What a figure lacks.  Panels that share an axis may share its label and title."""
    found = []
    suptitle = fig._suptitle.get_text() if fig._suptitle else ""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    in_a_legend = {t.get_text() for lg in legends for t in lg.get_texts()}
    for ax in [a for a in fig.axes if not is_colourbar(a) and a.get_visible()]:
        where = f"axes {fig.axes.index(ax)}"
        related = siblings(ax, "x") + siblings(ax, "y")
        if not (suptitle or any(a.get_title() or a.get_title("left") for a in related)):
            found.append(f"{where}: no title")
        if not any(a.get_ylabel() for a in siblings(ax, "y")):
            found.append(f"{where}: no y label")
        if not any(a.get_xlabel() for a in siblings(ax, "x")):
            found.append(f"{where}: no x label")
        labelled = [a for a in ax.get_lines() + ax.collections + ax.patches
                    if not str(a.get_label()).startswith("_") and a.get_visible()]
        missing = {str(a.get_label()) for a in labelled} - in_a_legend if len(labelled) > 1 else set()
        if missing:
            found.append(f"{where}: lines with no legend entry: {sorted(missing)}")
    return found


def test_the_checker_sees_what_is_missing():
    from helpers.plotting import new_figure

    fig = new_figure()
    ax = fig.subplots()
    ax.plot([0, 1], label="one")
    ax.plot([1, 0], label="two")
    assert problems(fig) == ["axes 0: no title", "axes 0: no y label", "axes 0: no x label",
                             "axes 0: lines with no legend entry: ['one', 'two']"]
    ax.set(title="t", xlabel="x", ylabel="y")
    ax.legend()
    assert problems(fig) == []


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_is_titled_labelled_and_has_legends(name):
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    assert problems(fig) == []
