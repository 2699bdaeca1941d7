"""What a learner feels: how long "Run All" takes, and how long a slider takes to redraw.

    python tools/benchmark.py                 # every notebook: Run All, then every live figure
    python tools/benchmark.py 03 06           # notebooks whose name starts with these
    python tools/benchmark.py --figures       # live figures only (no Run All)
    python tools/benchmark.py --save FILE     # also write the figures measured as JSON (a new baseline)

For each notebook: the time to execute it top to bottom in a fresh kernel.  For
each live figure in its lesson module (``WIDGETS``): every slider is dragged
across its range and back (24 moves each), made as the browser makes them, and each
move is timed from setting the value to the new PNG in the image widget (recompute +
render + encode).  A figure drawn in stages (lesson 09 trains a network: its first
picture after 5 steps) is timed to its first picture, and the note beside it gives
the median time to its last.  The
table gives the median and 90th percentile of those slider moves, beside the
same numbers measured before the fast redraws (``tools/benchmark_baseline.json``: median,
p90 and CPU median);
"other" is the median of the other controls' changes (drop-downs, toggles: a new
surface is laid out again); "floor" is what no drawing strategy can save: the
lesson's own computation (``draw``) plus one PNG encode.

Targets (issue 11): median ≤ 40 ms and p90 ≤ 60 ms per figure.  A benchmark, not a
test: timings vary by machine and by what else runs on it (``uptime`` is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402

from lessons import CATALOG  # noqa: E402
from lessons.widgets import SLIDERS, LiveFigure, move_as_browser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "benchmark_baseline.json"
TARGET_MEDIAN_MS, TARGET_P90_MS = 40, 60


def run_all_seconds(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])  # not "running over TCP" per notebook
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def drag(control, moves: int = 24) -> list:
    """Slider positions for a drag from the current value up to the maximum, down to the minimum and back.

    A position equal to the one before is left out: setting a slider to its own value redraws nothing,
    and a move that costs nothing would pull the median down.
    """
    path = _drag_path(control, moves)
    kept, last = [], control.value
    for value in path:
        if value != last:
            kept.append(value)
        last = value
    return kept


def _drag_path(control, moves: int) -> list:
    if isinstance(control, widgets.SelectionSlider):
        options = list(control._options_values)
        here = options.index(control.value)
        path = options[here:] + options[::-1] + options[:here + 1]
        return path[1:]
    if isinstance(control, widgets.FloatLogSlider):
        low, high, here = control.min, control.max, np.log10(control.value) / np.log10(control.base)
    else:
        low, high, here = control.min, control.max, control.value
    quarter = moves // 4
    path = np.concatenate([np.linspace(here, high, quarter + 1)[1:], np.linspace(high, low, 2 * quarter + 1)[1:],
                           np.linspace(low, here, quarter + 1)[1:]])
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base**e for e in path]
    if isinstance(control, widgets.IntSlider):
        return [int(round(v)) for v in path]
    return [float(v) for v in path]


def other_values(control) -> list:
    """Every option of a drop-down (then the original), or a toggle switched and back."""
    if hasattr(control, "options"):
        return list(control._options_values)[1:] + [control.value]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    return []


def percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(samples, q)) if samples else float("nan")


def figure_timings(factory) -> dict:
    """Median and p90 (ms) of the slider moves, median of the other controls' changes, and the floor.

    Each move is made as the browser makes it, inside a running event loop, and timed to
    the first new picture; a figure drawn in stages (``LiveFigure.draw_steps``, lesson 09's
    training) is also timed to its last stage (``whole_median_ms``).
    """
    return asyncio.run(_figure_timings(factory))


async def _figure_timings(factory) -> dict:
    live = factory()
    slider_ms, slider_cpu_ms, whole_ms, other_ms = [], [], [], []
    for control in live.controls.values():
        values = drag(control) if isinstance(control, SLIDERS) else other_values(control)
        for value in values:
            start, cpu = time.perf_counter(), time.process_time()
            move_as_browser(control, value)
            elapsed = 1000 * (time.perf_counter() - start)
            cpu_elapsed = 1000 * (time.process_time() - cpu)
            while live._stages is not None:  # the stages still to come, one per turn of the loop
                await asyncio.sleep(0)
            whole = 1000 * (time.perf_counter() - start)
            if isinstance(control, SLIDERS):
                slider_ms.append(elapsed)
                slider_cpu_ms.append(cpu_elapsed)
                whole_ms.append(whole)
            else:
                other_ms.append(elapsed)
    floor = []
    for _ in range(5):
        start = time.perf_counter()
        live.draw(live.params)
        encode(live)
        floor.append(1000 * (time.perf_counter() - start))
    staged = type(live).draw_steps is not LiveFigure.draw_steps
    return {"median_ms": round(statistics.median(slider_ms), 1), "p90_ms": round(percentile(slider_ms, 90), 1),
            "cpu_median_ms": round(statistics.median(slider_cpu_ms), 1),
            "cpu_p90_ms": round(percentile(slider_cpu_ms, 90), 1),
            "whole_median_ms": round(statistics.median(whole_ms), 1) if staged else None,
            "moves": len(slider_ms), "other_median_ms": round(statistics.median(other_ms), 1) if other_ms else None,
            "floor_ms": round(statistics.median(floor), 1)}


def encode(live) -> bytes:
    """One PNG encode of what the canvas holds, as the live figure does it."""
    try:
        from lessons.redraw import encode_png
    except ImportError:  # the code before the fast redraws: Pillow through matplotlib
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(np.asarray(live.fig.canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
    return encode_png(np.asarray(live.fig.canvas.buffer_rgba()))


def load_baseline() -> dict:
    return json.loads(BASELINE.read_text())["kernel"] if BASELINE.exists() else {}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*")
    parser.add_argument("--figures", action="store_true", help="live figures only, no Run All")
    parser.add_argument("--save", type=Path, help="write the figures' timings to this JSON file")
    args = parser.parse_args(argv)
    baseline = load_baseline()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work inflates the timings)")
    print(f"{'notebook / figure':<44} {'Run All':>7} | {'median':>6} {'p90':>6} | {'before':>13} | {'other':>6}"
          f" {'floor':>6} {'moves':>5} | {'CPU':>9}")
    print(f"{'':<44} {'':>7} | {'slider moves, ms':>13} | {'med, p90, CPU':>13} | {'ms':>6} {'ms':>6} {'':>5} |"
          f" {'med, p90':>9}")
    measured, missed = {}, []
    for notebook, module_name in CATALOG.items():
        if args.prefixes and not any(notebook.startswith(p) for p in args.prefixes):
            continue
        seconds = "" if args.figures else f"{run_all_seconds(ROOT / 'notebooks' / f'{notebook}.ipynb'):.1f}s"
        print(f"{notebook:<44} {seconds:>7} |")
        if module_name is None:
            continue
        module = importlib.import_module(f"lessons.{module_name}")
        for name, factory in getattr(module, "WIDGETS", {}).items():
            key = f"{notebook}/{name}"
            t = measured[key] = figure_timings(factory)
            before = baseline.get(key)
            was = (f"{before['median_ms']:>4.0f} {before['p90_ms']:>4.0f} {before['cpu_median_ms']:>3.0f}"
                   if before else f"{'–':>13}")
            other = f"{t['other_median_ms']:>6.0f}" if t["other_median_ms"] is not None else f"{'':>6}"
            flag = "" if t["median_ms"] <= TARGET_MEDIAN_MS and t["p90_ms"] <= TARGET_P90_MS else "  > target"
            if flag:
                missed.append(key)
            if t["whole_median_ms"] is not None:
                flag += f"  (drawn in stages: the last one after {t['whole_median_ms']:.0f} ms, median)"
            print(f"  {name:<42} {'':>7} | {t['median_ms']:>6.0f} {t['p90_ms']:>6.0f} | {was:>13} | {other}"
                  f" {t['floor_ms']:>6.0f} {t['moves']:>5} | {t['cpu_median_ms']:>4.0f} {t['cpu_p90_ms']:>4.0f}{flag}")
    print(f"targets: median ≤ {TARGET_MEDIAN_MS} ms, p90 ≤ {TARGET_P90_MS} ms; "
          + (f"above target: {', '.join(missed)}" if missed else "every figure within them"))
    if args.save:
        saved = {"about": f"make benchmark, load average {os.getloadavg()[0]:.2f}", "kernel": measured}
        args.save.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")  # load_baseline's shape
        print(f"wrote {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
