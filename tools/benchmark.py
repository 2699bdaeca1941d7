"""What a learner feels: how long "Run All" takes, and how long a slider takes to redraw.

    python tools/benchmark.py            # every notebook
    python tools/benchmark.py 03 06      # notebooks whose name starts with these

For each notebook: the time to execute it top to bottom in a fresh kernel; then
for each interactive figure in its lesson module (``WIDGETS``): the median time of
a redraw after a control moves (recompute + render), and the median time to
render the same figure with nothing recomputed.  The aim is that recomputation
is small beside drawing.  A benchmark, not a test: timings vary by machine.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from helpers.plotting import png  # noqa: E402
from lessons import CATALOG  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def run_all_seconds(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def control_values(control) -> list:
    """A few positions across a control's range (both ends included)."""
    if hasattr(control, "options"):
        return list(control._options_values)  # a drop-down: every option
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    if hasattr(control, "base"):  # log slider
        return [control.base**e for e in (control.min, (control.min + control.max) / 2, control.max)]
    return [control.min, (control.min + control.max) / 2, control.max]


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def widget_timings(factory) -> tuple[float, float, int]:
    """(median redraw after a control moves, median render with nothing recomputed, number of redraws) in ms."""
    live = factory()
    redraws = []
    for control in live.controls.values():
        original = control.value
        for value in control_values(control) + [original]:
            start = time.perf_counter()
            control.value = value
            redraws.append(time.perf_counter() - start)
    renders = []
    for _ in range(5):
        start = time.perf_counter()
        png(live.fig, fast=True)
        renders.append(time.perf_counter() - start)
    return median_ms(redraws), median_ms(renders), len(redraws)


def main(prefixes: list[str]) -> None:
    print(f"{'notebook / figure':<48} {'Run All':>8} {'redraw':>8} {'render only':>12} {'moves':>6}")
    for notebook, module_name in CATALOG.items():
        if prefixes and not any(notebook.startswith(p) for p in prefixes):
            continue
        seconds = run_all_seconds(ROOT / "notebooks" / f"{notebook}.ipynb")
        print(f"{notebook:<48} {seconds:>7.1f}s")
        if module_name is None:
            continue
        module = importlib.import_module(f"lessons.{module_name}")
        for name, factory in getattr(module, "WIDGETS", {}).items():
            redraw, render, moves = widget_timings(factory)
            print(f"  {name:<46} {'':>8} {redraw:>6.0f}ms {render:>10.0f}ms {moves:>6}")


if __name__ == "__main__":
    main(sys.argv[1:])
