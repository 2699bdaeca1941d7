"""Open every notebook in a real JupyterLab, Restart & Run All, and drag each slider: what nbval cannot see.

    make lab-smoke          # needs Chromium (Debian: apt-get install chromium)

nbval runs the notebooks without a front end, so it cannot tell whether a widget
renders, whether a slider's label is cut to "learning r…", or whether moving a
slider really sends a new picture.  This script starts JupyterLab from .venv on a
free port, drives headless Chromium with Playwright, and for each notebook:

1. opens it in a fresh workspace and checks that each widget cell already shows
   a static picture (what a reader sees before running anything);
2. runs Restart Kernel and Run All Cells and waits for the kernel to go idle;
3. scrolls through every cell: no "Error displaying widget", no traceback, no
   stderr output;
4. for each interactive figure: no slider label is truncated, and pressing → on
   its first slider changes the picture.

Screenshots go to build/lab-smoke/.  Exit status 1 if anything failed.  This is
a check to run by hand before a release, not part of `make test` (it needs a
browser, which a learner's machine does not).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "lab-smoke"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int) -> subprocess.Popen:
    lab = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--notebook-dir={ROOT / 'notebooks'}"],
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


def visit_cells(page, visit) -> None:
    """Scroll from top to bottom (JupyterLab only renders the cells in view), calling ``visit`` on each cell once."""
    seen = set()
    page.locator(".jp-Notebook >> visible=true").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+Home")
    for _ in range(400):
        cells = page.locator(".jp-Notebook >> visible=true").first.locator(".jp-Cell")
        for i in range(cells.count()):
            cell = cells.nth(i)
            key = cell.get_attribute("data-windowed-list-index") or cell.inner_text()[:80]
            if key not in seen and cell.is_visible():
                seen.add(key)
                visit(cell)
        before = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer')?.scrollTop ?? 0")
        page.mouse.move(700, 500)
        page.mouse.wheel(0, 500)
        time.sleep(0.25)
        after = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer')?.scrollTop ?? 0")
        if after == before:
            break


def check_notebook(page, port: int, name: str) -> list[str]:
    problems: list[str] = []
    page.goto(f"http://127.0.0.1:{port}/lab/workspaces/smoke-{name}/tree/{name}.ipynb?reset")
    page.wait_for_selector(".jp-Notebook >> visible=true", timeout=60_000)
    time.sleep(3)

    def static_picture(cell):
        if "Error displaying widget" in cell.inner_text():
            problems.append(f"{name}: a saved widget output shows 'Error displaying widget' before running")

    visit_cells(page, static_picture)

    page.get_by_text("Run", exact=True).first.click()
    page.get_by_text("Restart Kernel and Run All Cells…").click()
    accept = page.locator(".jp-Dialog-button.jp-mod-accept")
    accept.first.wait_for(timeout=10_000)
    accept.first.click()
    time.sleep(3)
    start = time.time()
    while not kernels_idle(port):
        if time.time() - start > 120:
            problems.append(f"{name}: the kernel was still busy after 120 s")
            break
        time.sleep(0.5)
    time.sleep(2)

    figures = []

    def inspect(cell):
        text = cell.inner_text()
        if "Error displaying widget" in text:
            problems.append(f"{name}: 'Error displaying widget' in a cell")
        if cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count():
            problems.append(f"{name}: stderr output in cell: {text[:80]!r}")
        if cell.locator('[data-mime-type="application/vnd.jupyter.error"]').count():
            problems.append(f"{name}: a traceback in cell: {text[:80]!r}")
        for box in cell.locator(".jupyter-widgets.widget-vbox").all():
            if box.locator("img").count():
                figures.append(box)
                check_figure(box)

    def check_figure(box):
        index = len(figures)
        box.scroll_into_view_if_needed()
        for label in box.locator(".widget-label").all():
            cut = label.evaluate("e => e.scrollWidth > e.clientWidth + 1")
            if cut:
                problems.append(f"{name}, figure {index}: slider label cut: {label.inner_text()!r}")
        box.screenshot(path=str(SHOTS / f"{name}-{index}-before.png"))
        image = box.locator("img").first
        before = image.get_attribute("src")
        handle = box.locator(".noUi-handle").first
        if handle.count() == 0:
            return
        handle.click()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        latest, settled = before, time.time()
        for _ in range(100):  # each key press redraws: wait until the picture has stopped changing for 1 s
            time.sleep(0.1)
            if image.get_attribute("src") != latest:
                latest, settled = image.get_attribute("src"), time.time()
            elif latest != before and time.time() - settled > 1.0:
                break
        if latest == before:
            problems.append(f"{name}, figure {index}: moving the first slider did not change the picture")
        box.screenshot(path=str(SHOTS / f"{name}-{index}-after.png"))

    visit_cells(page, inspect)
    if not figures and name != "00_setup_check":
        problems.append(f"{name}: no interactive figure rendered")
    print(f"{name}: {len(figures)} interactive figure(s) checked, {len(problems)} problem(s)")
    shutdown_kernels(port)
    return problems


def main(prefixes: list[str]) -> int:
    SHOTS.mkdir(parents=True, exist_ok=True)
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    notebooks = [n for n in notebooks if not prefixes or any(n.startswith(p) for p in prefixes)]
    port = free_port()
    lab = start_lab(port)
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            for name in notebooks:
                problems += check_notebook(page, port, name)
            browser.close()
    finally:
        lab.terminate()
        lab.wait(timeout=30)
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"screenshots in {SHOTS.relative_to(ROOT)}/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
