"""Open every notebook in a real JupyterLab, Restart & Run All, and drive every slider: what nbval cannot see.

    make lab-smoke                      # needs Chromium (Debian: apt-get install chromium)
    python tools/lab_smoke.py 03 06     # notebooks whose name starts with these
    python tools/lab_smoke.py --save F  # also write the timings as JSON

nbval runs the notebooks without a front end, so it cannot tell whether a widget
renders, whether a slider's label is cut to "learning r…", whether moving a slider
really sends a new picture, or how long that takes.  This script starts JupyterLab
from .venv on a free port, on a copy of the notebooks (JupyterLab saves what it
runs; the script fails if a committed notebook changes), drives headless Chromium
with Playwright, and for each notebook:

1. opens it in a fresh workspace and checks that each widget cell already shows a
   static picture (what a reader sees before running anything);
2. runs Restart Kernel and Run All Cells and waits for the kernel to go idle;
3. scrolls through every cell: no "Error displaying widget", no traceback, no
   stderr output, and as many live figures as the notebook has saved pictures of;
4. for each live figure: no slider label or readout is cut off; then for every
   slider, a key press (→, then ← back) is timed from the key to the new picture
   on screen (decoded and painted), and a fast drag (ten presses in a third of a
   second) is timed from the last press that moved the slider until the picture
   first shows the final value and until it has settled.

To know which values a picture was drawn from, each live figure's PNG carries
them in a text chunk (``lessons.widgets.PARAMS_KEY``); the page reads the bytes
of every new picture and compares the values with the slider's readout.  A picture
that settles on other values than the readout shows is a stale frame.

Exit status 1 on: a widget that fails to render, a cut-off label, a slider that
changes nothing, a stale frame (and, with --strict, a missed timing target:
median key press ≤ 120 ms, fast drag settled ≤ 300 ms after the last move).
Screenshots go to build/lab-smoke/.  `.ci/run` runs this after `make test`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "lab-smoke"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
PARAMS_KEY = "lessons.params"  # lessons.widgets.PARAMS_KEY (this script runs outside the project's venv)
TARGET_PRESS_MS, TARGET_SETTLE_MS = 120, 300
QUIET_S = 0.4  # no new picture for this long: the figure has settled
DRAG_MOVES, DRAG_SECONDS = 10, 1 / 3

# Installed in the page: note every key press, and for every figure every new picture (when its src
# changed, when it was on screen, and the control values its PNG records).
WATCH_JS = r"""
() => {
  if (window.__smoke) return;
  const smoke = window.__smoke = {keys: [], figures: {}};
  document.addEventListener('keydown', e => smoke.keys.push(performance.now()), true);
  async function params(url) {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const view = new DataView(bytes.buffer);
    for (let at = 8; at + 8 <= bytes.length;) {
      const length = view.getUint32(at), tag = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
      if (tag === 'tEXt') {
        const data = bytes.subarray(at + 8, at + 8 + length), zero = data.indexOf(0);
        const latin1 = new TextDecoder('latin1');
        if (latin1.decode(data.subarray(0, zero)) === '%KEY%')
          return JSON.parse(latin1.decode(data.subarray(zero + 1)));
      }
      if (tag === 'IDAT') break;
      at += 12 + length;
    }
    return null;
  }
  smoke.watch = (img, id) => {
    const seen = smoke.figures[id] = [];
    new MutationObserver(() => {
      const record = {changed: performance.now(), shown: null, params: 'pending', width: 0};
      seen.push(record);
      const src = img.src;
      params(src).then(p => { record.params = p; }, () => { record.params = null; });
      img.decode().then(() => requestAnimationFrame(() => {
        record.shown = performance.now(); record.width = img.naturalWidth;
      }), () => { record.shown = -1; });
    }).observe(img, {attributes: true, attributeFilter: ['src']});
  };
}
""".replace("%KEY%", PARAMS_KEY)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def working_copy(into: Path) -> Path:
    """The notebooks (and the two files lesson 00 reads from ``..``) copied into ``into``: JupyterLab saves the
    notebooks it runs (autosave, widget model ids included), and that must not touch the committed ones."""
    shutil.copytree(ROOT / "notebooks", into / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("pyproject.toml", "requirements.txt"):
        shutil.copy2(ROOT / name, into / name)
    return into / "notebooks"


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.ipynb"))}


def start_lab(port: int, notebook_dir: Path) -> subprocess.Popen:
    lab = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--notebook-dir={notebook_dir}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=1)
            return lab
        except OSError:
            time.sleep(0.5)
    lab.kill()
    raise RuntimeError("JupyterLab did not start")


def kernels_idle(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels", timeout=5) as response:
        kernels = json.load(response)
    return bool(kernels) and all(k["execution_state"] == "idle" for k in kernels)


def shutdown_kernels(port: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels", timeout=5) as response:
        for kernel in json.load(response):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels/{kernel['id']}", method="DELETE")
            urllib.request.urlopen(request, timeout=10)


def saved_pictures(name: str) -> int:
    """How many live figures the notebook shows: outputs saved as a static picture of a widget (a VBox)."""
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    return sum(1 for cell in nb["cells"] for out in cell.get("outputs", [])
               if "image/png" in out.get("data", {})
               and ("application/vnd.jupyter.widget-view+json" in out["data"]
                    or "".join(out["data"].get("text/plain", "")).startswith("VBox(")))


def readout_value(text: str) -> tuple[float, float] | None:
    """A slider readout ("0.900", "0.01", "1e-8", "2.0%", "100") as (value, half a unit of its last digit)."""
    match = re.fullmatch(r"\s*([-−]?)(\d*)(?:\.(\d*))?(?:e([-+−]?\d+))?\s*(%?)\s*", text)
    if not match or not (match.group(2) or match.group(3)):
        return None
    sign, whole, decimals, exponent, percent = match.groups()
    decimals = decimals or ""
    value = float(f"{'-' if sign else ''}{whole or 0}.{decimals or 0}e{(exponent or '0').replace('−', '-')}")
    unit = 10.0 ** (int((exponent or "0").replace("−", "-")) - len(decimals))
    scale = 0.01 if percent else 1.0
    return value * scale, 0.51 * unit * scale


def agrees(value, text: str) -> bool:
    """Whether a control value (from a picture) is what a readout shows, to the readout's precision."""
    parsed = readout_value(text)
    if parsed is None or not isinstance(value, (int, float)):
        return str(value) == text.strip()
    shown, tolerance = parsed
    return abs(float(value) - shown) <= tolerance + 1e-9 * abs(shown)


class Figure:
    """One live figure on the page: its controls, its picture, and what the page recorded of its pictures."""

    def __init__(self, page, box, figure_id: str):
        self.page, self.box, self.id = page, box, figure_id
        self.image = box.locator("img").first
        self.controls = box.locator(".widget-box").first.locator(":scope > *")  # every control, in the order of params
        page.evaluate(WATCH_JS)
        self.image.evaluate("(img, id) => window.__smoke.watch(img, id)", figure_id)

    def records(self) -> list[dict]:
        return self.page.evaluate("id => window.__smoke.figures[id]", self.id)

    def keys(self) -> list[float]:
        return self.page.evaluate("() => window.__smoke.keys")

    def settle(self, since: int = 0, timeout: float = 8.0, quiet: float = QUIET_S, expect: bool = False) -> list[dict]:
        """Wait until no new picture has come for ``quiet`` s (and each has been shown); the records since ``since``.

        With ``expect``, first wait (up to ``timeout``) for a new picture at all: a slow
        machine may take longer than ``quiet`` to send the first one.
        """
        start, count, last_change = time.time(), -1, time.time()
        while expect and len(self.records()) <= since and time.time() - start < timeout:
            time.sleep(0.05)
        while time.time() - start < timeout:
            records = self.records()
            if len(records) != count:
                count, last_change = len(records), time.time()
            elif time.time() - last_change > quiet and all(
                    r["shown"] is not None and r["params"] != "pending" for r in records[since:]):
                return records[since:]
            time.sleep(0.05)
        return self.records()[since:]

    def readout(self, slider) -> str:
        return slider.locator(".widget-readout").first.inner_text()


def check_figure(page, name: str, index: int, box, report: dict, problems: list[str]) -> None:
    where = f"{name}, figure {index}"
    box.scroll_into_view_if_needed()
    for label in box.locator(".widget-label, .widget-readout").all():
        if label.is_visible() and label.evaluate("e => e.scrollWidth > e.clientWidth + 1"):
            problems.append(f"{where}: label or readout cut off: {label.inner_text()!r}")
    figure = Figure(page, box, f"{name}-{index}")
    if figure.image.evaluate("img => img.naturalWidth") == 0:
        problems.append(f"{where}: the picture did not render")
    box.screenshot(path=str(SHOTS / f"{name}-{index}-before.png"))
    controls = figure.controls.all()
    for position, control in enumerate(controls):
        handle = control.locator(".noUi-handle")
        if not handle.count():
            continue  # a drop-down or a toggle
        description = control.locator(".widget-label").first.inner_text().strip() or f"slider {position}"
        check_slider(page, figure, position, control, handle.first, f"{where}, {description!r}", report, problems)
    box.screenshot(path=str(SHOTS / f"{name}-{index}-after.png"))


def _final_params(records, position):
    """The value of control ``position`` in the last picture, or ``...`` if the pictures carry none."""
    if not records or not isinstance(records[-1]["params"], dict):
        return ...
    params = records[-1]["params"]
    keys = list(params)
    return params[keys[position]] if position < len(keys) else ...


def _settled_on(figure: Figure, before: int, records: list, position: int, readout: str, what: str,
                problems: list[str]) -> tuple[list, object]:
    """The pictures since ``before`` and the value the last one shows, once it shows the readout's value: a picture
    that does not is late or stale, so a slow machine gets more time; still another value is a stale frame."""
    final = _final_params(records, position)
    if final is ...:  # every LiveFigure PNG records its controls: without them no stale frame could be seen
        problems.append(f"{what.rsplit(':', 1)[0]}: the picture carries no control values under {PARAMS_KEY!r} "
                        "(lessons.widgets.PARAMS_KEY changed?), so stale frames cannot be checked")
    elif not agrees(final, readout):
        records = figure.settle(before, timeout=15, quiet=3)
        final = _final_params(records, position)
        if not agrees(final, readout):
            problems.append(f"{what}: the picture shows {final!r}, the slider {readout!r}")
    return records, final


# Each press fires noUiSlider's "slide" event with the slider's value: note the key presses that changed it (at the
# end of its range a press changes nothing).  Reading the value after each press instead costs a round trip per
# press, and the handle's aria-valuenow is rounded to one decimal: a β step of 0.01 would look like no move.
MOVES_JS = r"""
(handle, on) => {
  const slider = handle.closest('.noUi-target').noUiSlider, smoke = window.__smoke;
  slider.off('slide.smoke');
  smoke.moves = [];
  let last = String(slider.get(true));
  if (on) slider.on('slide.smoke', (values, which, unencoded) => {
    const value = String(unencoded[which]);
    if (value !== last) smoke.moves.push(smoke.keys.length - 1);
    last = value;
  });
}
"""


def check_slider(page, figure: Figure, position: int, slider, handle, where: str, report: dict,
                 problems: list[str]) -> None:
    low, now, top = (float(handle.get_attribute(a) or 0) for a in ("aria-valuemin", "aria-valuenow", "aria-valuemax"))
    up, down = ("ArrowRight", "ArrowLeft") if top - now >= now - low else ("ArrowLeft", "ArrowRight")  # the far end
    handle.focus()
    figure.settle(timeout=3)
    for key in (up, down):  # one press away, one back
        before, keys_before, readout_before = len(figure.records()), len(figure.keys()), figure.readout(slider)
        page.keyboard.press(key)
        records = figure.settle(before, expect=True)
        readout = figure.readout(slider)
        pressed = figure.keys()[keys_before]
        if readout == readout_before:
            problems.append(f"{where}: {key} did not move the slider (readout {readout!r})")
            continue
        if not records:
            problems.append(f"{where}: moving the slider to {readout} changed nothing in the picture")
            continue
        records, final = _settled_on(figure, before, records, position, readout, f"{where}: stale frame", problems)
        match = next((r for r in records if final is ... or isinstance(r["params"], dict)
                      and agrees(list(r["params"].values())[position], readout)), records[-1])
        report["press_ms"].append(match["shown"] - pressed)
        report["press_by_slider"].setdefault(where, []).append(round(match["shown"] - pressed))

    # A fast drag: ten presses in a third of a second, away from the nearer end.
    before, keys_before = len(figure.records()), len(figure.keys())
    handle.evaluate(MOVES_JS, True)
    start = time.perf_counter()
    for i in range(DRAG_MOVES):
        page.keyboard.press(up)
        time.sleep(max(0.0, start + (i + 1) * DRAG_SECONDS / DRAG_MOVES - time.perf_counter()))
    records = figure.settle(before, expect=True)
    # Timed from the last press that moved the slider: near the end of its range the last presses do nothing
    # (timed from those, a picture could settle "before" the last move).
    moved = sorted(set(page.evaluate("() => window.__smoke.moves")))
    handle.evaluate(MOVES_JS, False)
    last_key = figure.keys()[moved[-1] if moved else keys_before + DRAG_MOVES - 1]
    readout = figure.readout(slider)
    if not records:
        problems.append(f"{where}: a fast drag to {readout} changed nothing in the picture")
        return
    records, _ = _settled_on(figure, before, records, position, readout, f"{where}: stale frame after a fast drag",
                             problems)
    settled = records[-1]["shown"] - last_key
    report["settle_ms"].append(settled)
    report["settle_by_slider"][where] = round(settled)
    report["drag_pictures"].append(len(records))
    final = next((r for r in records if isinstance(r["params"], dict) and r["shown"] >= last_key
                  and agrees(list(r["params"].values())[position], readout)), records[-1])
    report["first_final_by_slider"][where] = round(final["shown"] - last_key)
    report["drag_trace"][where] = {  # times in ms from the last move; each picture: [arrived, on screen]
        "readout": readout, "moved": [k - keys_before for k in moved],
        "keys": [round(k - last_key, 1) for k in figure.keys()[keys_before:keys_before + DRAG_MOVES]],
        "pictures": [[round(r["changed"] - last_key, 1), round(r["shown"] - last_key, 1)] for r in records]}
    for _ in range(len(moved)):  # back where it was, for the next slider
        page.keyboard.press(down)
    figure.settle(len(figure.records()), timeout=5)


# What visit_cells needs to know of every rendered cell, in one round trip per scroll step.
CELLS_JS = r"""
() => {
  const notebook = [...document.querySelectorAll('.jp-Notebook')].find(n => n.offsetParent !== null);
  if (!notebook) return [];
  return [...notebook.querySelectorAll('.jp-Cell')].map((cell, position) => {
    const rect = cell.getBoundingClientRect(), text = cell.innerText;
    return {
      position, key: cell.getAttribute('data-windowed-list-index') ?? text.slice(0, 80), text: text.slice(0, 80),
      visible: rect.width > 0 && rect.height > 0 && getComputedStyle(cell).visibility !== 'hidden',
      widget_error: text.includes('Error displaying widget'),
      stderr: !!cell.querySelector('[data-mime-type="application/vnd.jupyter.stderr"]'),
      error: !!cell.querySelector('[data-mime-type="application/vnd.jupyter.error"]'),
      figures: [...cell.querySelectorAll('.jupyter-widgets.widget-vbox')].filter(b => b.querySelector('img')).length,
    };
  });
}
"""


def visit_cells(page, visit) -> None:
    """Scroll from top to bottom (JupyterLab only renders the cells in view), calling ``visit(info, cell)`` once
    per cell: ``info`` is what ``CELLS_JS`` reads of it, ``cell`` its locator."""
    seen = set()
    notebook = page.locator(".jp-Notebook >> visible=true").first
    notebook.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+Home")
    for _ in range(400):
        for info in page.evaluate(CELLS_JS):
            if info["key"] not in seen and info["visible"]:
                seen.add(info["key"])
                visit(info, notebook.locator(".jp-Cell").nth(info["position"]))
        before = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer')?.scrollTop ?? 0")
        page.mouse.move(700, 500)
        page.mouse.wheel(0, 500)
        time.sleep(0.25)
        after = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer')?.scrollTop ?? 0")
        if after == before:
            break


def check_notebook(page, port: int, name: str, report: dict) -> list[str]:
    problems: list[str] = []
    started = time.time()
    page.goto(f"http://127.0.0.1:{port}/lab/workspaces/smoke-{name}/tree/{name}.ipynb?reset")
    page.wait_for_selector(".jp-Notebook >> visible=true", timeout=60_000)
    time.sleep(2)

    def static_picture(info, cell):
        if info["widget_error"]:
            problems.append(f"{name}: a saved widget output shows 'Error displaying widget' before running")

    visit_cells(page, static_picture)

    page.get_by_text("Run", exact=True).first.click()
    page.get_by_text("Restart Kernel and Run All Cells…").click()
    accept = page.locator(".jp-Dialog-button.jp-mod-accept")
    accept.first.wait_for(timeout=10_000)
    accept.first.click()
    start = time.time()
    while kernels_idle(port) and time.time() - start < 30:  # until the restarted kernel starts running cells
        time.sleep(0.1)
    idle_since = None
    while idle_since is None or time.time() - idle_since < 1.5:  # then until it has been idle for a while
        if time.time() - start > 180:
            problems.append(f"{name}: the kernel was still busy after 180 s")
            break
        idle = kernels_idle(port)
        idle_since = (idle_since or time.time()) if idle else None
        time.sleep(0.2)

    figures, figure_cells = [], set()

    def inspect(info, cell):
        key, text = info["key"], info["text"]
        if info["widget_error"]:
            problems.append(f"{name}: 'Error displaying widget' in a cell")
        if info["stderr"]:
            problems.append(f"{name}: stderr output in cell: {text!r}")
        if info["error"]:
            problems.append(f"{name}: a traceback in cell: {text!r}")
        if not info["figures"]:
            return
        for i, box in enumerate(cell.locator(".jupyter-widgets.widget-vbox").all()):
            if box.locator("img").count() and (key, i) not in figure_cells:
                figure_cells.add((key, i))
                figures.append(box)
                check_figure(page, name, len(figures), box, report, problems)

    visit_cells(page, inspect)
    expected = saved_pictures(name)
    for _ in range(3):  # on a slow machine a widget may still be rendering: look again
        if len(figures) >= expected:
            break
        time.sleep(5)
        visit_cells(page, inspect)
    if len(figures) < expected:
        problems.append(f"{name}: {len(figures)} live figure(s) rendered, the notebook has {expected}")
    print(f"{name}: {len(figures)} live figure(s) checked in {time.time() - started:.0f} s, "
          f"{len(set(problems))} problem(s)", flush=True)
    shutdown_kernels(port)
    return list(dict.fromkeys(problems))  # (a second look at the cells finds the same problems again)


def summary(report: dict) -> dict:
    press, settle = report["press_ms"], report["settle_ms"]
    per_slider = [statistics.median(v) for v in report["press_by_slider"].values()]
    return {
        "sliders": len(report["settle_by_slider"]),
        "press_median_ms": round(statistics.median(per_slider)) if per_slider else None,
        "press_p90_ms": round(sorted(press)[math.ceil(0.9 * len(press)) - 1]) if press else None,
        "press_max_ms": round(max(press)) if press else None,
        "settle_median_ms": round(statistics.median(settle)) if settle else None,
        "settle_max_ms": round(max(settle)) if settle else None,
        "settle_over_target": sorted(k for k, v in report["settle_by_slider"].items() if v > TARGET_SETTLE_MS),
        "pictures_per_drag_median": statistics.median(report["drag_pictures"]) if report["drag_pictures"] else None,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*")
    parser.add_argument("--save", type=Path, help="write the timings to this JSON file")
    parser.add_argument("--strict", action="store_true", help="also fail when a timing target is missed")
    args = parser.parse_args(argv)
    SHOTS.mkdir(parents=True, exist_ok=True)
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    notebooks = [n for n in notebooks if not args.prefixes or any(n.startswith(p) for p in args.prefixes)]
    port = free_port()
    started = time.time()
    committed = fingerprint(ROOT / "notebooks")
    scratch = Path(tempfile.mkdtemp(prefix="lab-smoke-"))
    lab = start_lab(port, working_copy(scratch))
    problems: list[str] = []
    report = {"press_ms": [], "press_by_slider": {}, "settle_ms": [], "settle_by_slider": {}, "drag_pictures": [],
              "first_final_by_slider": {}, "drag_trace": {}}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            for name in notebooks:
                problems += check_notebook(page, port, name, report)
            browser.close()
    finally:
        lab.terminate()
        lab.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    if fingerprint(ROOT / "notebooks") != committed:
        problems.append("the committed notebooks changed during the run (JupyterLab must only see the copy)")
    result = summary(report)
    print(f"\nkey press → new picture on screen, over {result['sliders']} sliders (2 presses each): "
          f"median of the sliders' medians {result['press_median_ms']} ms (target ≤ {TARGET_PRESS_MS}), "
          f"p90 {result['press_p90_ms']} ms, slowest {result['press_max_ms']} ms")
    print(f"fast drag ({DRAG_MOVES} moves in {DRAG_SECONDS * 1000:.0f} ms) → picture settled after the last move: "
          f"median {result['settle_median_ms']} ms, slowest {result['settle_max_ms']} ms "
          f"(target ≤ {TARGET_SETTLE_MS}); {result['pictures_per_drag_median']} pictures per drag (median)")
    if result["settle_over_target"]:
        print("settled later than the target:", "; ".join(
            f"{where} (the final value on screen after {report['first_final_by_slider'][where]} ms, the last picture "
            f"after {report['settle_by_slider'][where]} ms)" for where in result["settle_over_target"]))
    for where, times in report["press_by_slider"].items():
        print(f"  {where}: press {times} ms, drag: final value shown {report['first_final_by_slider'].get(where, '–')}"
              f" ms, settled {report['settle_by_slider'].get(where, '–')} ms")
    if args.strict:
        if result["press_median_ms"] is None or result["press_median_ms"] > TARGET_PRESS_MS:
            problems.append(f"median key press {result['press_median_ms']} ms > {TARGET_PRESS_MS} ms")
        problems += [f"{where}: settled {report['settle_by_slider'][where]} ms after the drag"
                     for where in result["settle_over_target"]]
    if args.save:
        args.save.write_text(json.dumps({"summary": result, **report}, indent=1, ensure_ascii=False) + "\n")
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"screenshots in {SHOTS.relative_to(ROOT)}/; {len(problems)} problem(s) in {time.time() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
