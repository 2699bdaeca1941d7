"""Open every lesson in the classroom view (``make present``: Voila) in headless Chromium at 1280×720.

    make present-smoke          # needs Chromium (Debian: apt-get install chromium)
    .venv-browser/bin/python tools/present_smoke.py 03 04      # only the notebooks whose names start so

The classroom view is what an instructor projects, so this checks it at a
projector's size, 1280×720.  It starts Voila from .venv exactly as ``make present``
does (``present/voila.py``) and drives Chromium with Playwright:

1. the landing page lists every notebook of ``lessons.CATALOG``, in order, and
   each lesson is opened through its link there;
2. each lesson renders with no code (no input area), no traceback or stderr
   output, no exercise stub or "Not yet: …" check output, and no "Error
   displaying widget", and links to the next lesson;
3. every slider renders, and no control's label is cut short at this size;
4. for every interactive figure, its first slider, focused and moved with the →
   key, changes the picture (the time from key press to new picture is printed);
5. for every predict-first question (``lessons.predict.Question``), a click on a
   choice reveals an explanation, and Enter on another choice (keyboard only)
   reveals that one's.

Then the same for ``tests/fixtures/classroom_fixture.ipynb``, which has one of
each (a question, a figure, an exercise, a cell tagged ``classroom-hide``), so that
steps 4 and 5 are exercised on every part, whatever the lessons hold.  Every lesson
but the setup check must show at least one question.

Screenshots (1280×720) go to build/present-smoke/: the landing page and, per
lesson, its first interactive figure with its controls at the top of the screen.
Exit status 1 if anything failed.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "present-smoke"
FIXTURE = ROOT / "tests" / "fixtures" / "classroom_fixture.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1280, "height": 720}
RENDER_TIMEOUT = 240  # s: Voila runs every cell before it shows the lesson
# What must never show in the classroom view: exercise feedback, widget and kernel errors.
FORBIDDEN = ["Not yet:", "NotImplementedError", "Error displaying widget", "Traceback (most recent call last)"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_voila(target: Path, port: int) -> subprocess.Popen:
    """Voila on ``target`` (a folder or one notebook) with the classroom configuration, as ``make present`` runs it."""
    voila = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "voila"), "--Voila.config_file_paths=present", str(target),
         "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return voila
        except OSError:
            time.sleep(0.5)
    voila.kill()
    raise RuntimeError("Voila did not start")


def catalog() -> list[str]:
    """The notebooks of lessons.CATALOG, in order, from .venv's Python (this script runs in .venv-browser)."""
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c",
                          "import json, lessons; print(json.dumps(list(lessons.CATALOG)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def check_landing(page, port: int, names: list[str]) -> tuple[dict[str, str], list[str]]:
    """The landing page lists the notebooks in CATALOG's order; return each one's link and the problems."""
    problems = []
    page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
    page.wait_for_selector(".classroom-lessons", timeout=30_000)
    links = page.locator(".classroom-lessons li a")
    found = {}
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        found[Path(href).stem] = href
    if list(found) != names:
        problems.append(f"landing page: lists {list(found)}, expected CATALOG's {names}")
    for i, item in enumerate(page.locator(".classroom-lessons li").all()):
        if not item.locator(".classroom-summary").inner_text().strip():
            problems.append(f"landing page: no summary for {list(found)[i]} (add it to lessons.SUMMARIES)")
    page.screenshot(path=str(SHOTS / "landing.png"))
    return found, problems


def cut_labels(page) -> list[str]:
    """The text of every control label that is cut short (text wider than its box)."""
    return page.evaluate("""() => [...document.querySelectorAll(
            '.widget-label, .widget-label-basic span, .widget-inline-hbox label, .jupyter-button')]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.innerText)""")


def figures(page) -> list[tuple]:
    """Every interactive figure: (its box, its picture, the first slider handle), in page order."""
    result = []
    for image in page.locator("img.widget-image").all():
        box = image.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')]"
                            "[.//div[contains(@class, 'noUi-handle')]][1]")
        if box.count():
            result.append((box.first, image, box.first.locator(".noUi-handle").first))
    return result


def move_slider(page, image, handle) -> float | None:
    """Focus the slider's handle, press → and return the seconds until the picture changes (None: it did not)."""
    before = image.get_attribute("src")
    handle.focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    try:
        page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                               arg=[image.element_handle(), before], timeout=15_000, polling=5)
    except Exception:  # noqa: BLE001 - a timeout is the failure reported
        return None
    return time.perf_counter() - start


def check_question(page, question, label: str) -> list[str]:
    """A click on a choice reveals its explanation; Enter on another (keyboard only) reveals that one's."""
    problems = []
    buttons = question.locator("button")
    feedback = question.locator(".widget-htmlmath").last
    if not 2 <= buttons.count() <= 4:
        return [f"{label}: {buttons.count()} choices (2 to 4 expected)"]
    if feedback.inner_text().strip():
        problems.append(f"{label}: an explanation shows before any choice")
    buttons.nth(0).click()
    try:
        page.wait_for_function("e => /right\\.|not quite\\./.test(e.innerText)", arg=feedback.element_handle(),
                               timeout=10_000)
    except Exception:  # noqa: BLE001
        return problems + [f"{label}: clicking a choice revealed no explanation"]
    first = feedback.inner_text()
    buttons.nth(1).focus()
    page.keyboard.press("Enter")
    try:
        page.wait_for_function("([e, before]) => e.innerText !== before", arg=[feedback.element_handle(), first],
                               timeout=10_000)
    except Exception:  # noqa: BLE001
        problems.append(f"{label}: Enter on another choice changed nothing (keyboard)")
    marks = [b.inner_text() for b in buttons.all()]
    if sum(m.startswith("✓") for m in marks) != 1:
        problems.append(f"{label}: after a choice, {marks} should mark exactly one answer ✓")
    for shown in (first, feedback.inner_text()):
        if "not quite." in shown and "The answer is" not in shown:
            problems.append(f"{label}: a wrong choice does not say what the answer is")
    return problems


def check_page(page, url: str, name: str, expect_figures: bool, expect_question: bool = False,
               absent: list[str] = (), next_lesson: str | None = None) -> list[str]:
    problems: list[str] = []
    start = time.perf_counter()
    page.goto(url, timeout=RENDER_TIMEOUT * 1000)  # Voila sends the page once every cell has run
    page.wait_for_selector("#rendered_cells", state="visible", timeout=RENDER_TIMEOUT * 1000)
    rendered = time.perf_counter() - start
    time.sleep(2)  # the widgets' views render after the cells

    cells = page.locator("#rendered_cells")
    text = cells.inner_text()
    if page.locator("#rendered_cells .jp-CodeCell .jp-InputArea, #rendered_cells .hl-ipython3, .cm-editor").count():
        problems.append(f"{name}: code shows (an input area is rendered)")
    for forbidden in [*FORBIDDEN, *absent]:
        if forbidden in text:
            problems.append(f"{name}: the page shows {forbidden!r}")
    for mime in ("application/vnd.jupyter.stderr", "application/vnd.jupyter.error"):
        if page.locator(f'#rendered_cells [data-mime-type="{mime}"]').count():
            problems.append(f"{name}: an output of type {mime} shows")
    if next_lesson is not None:
        link = page.locator('.classroom-nav a[rel="next"]').first
        if not link.count() or Path(link.get_attribute("href") or "").stem != next_lesson:
            problems.append(f"{name}: no link to the next lesson, {next_lesson}")
    sliders = page.locator("#rendered_cells .widget-slider").count()
    if expect_figures and not sliders:
        problems.append(f"{name}: no slider rendered")
    for label in cut_labels(page):
        problems.append(f"{name}: a label is cut short at 1280×720: {label!r}")

    latencies = []
    found = figures(page)
    if expect_figures and not found:
        problems.append(f"{name}: no interactive figure rendered")
    for index, (box, image, handle) in enumerate(found, start=1):
        box.scroll_into_view_if_needed()
        latency = move_slider(page, image, handle)
        if latency is None:
            problems.append(f"{name}, figure {index}: → on its first slider did not change the picture")
        else:
            latencies.append(latency)

    questions = page.locator(".lessons-predict").all()
    if expect_question and not questions:
        problems.append(f"{name}: no predict-first question rendered")
    for index, question in enumerate(questions, start=1):
        question.scroll_into_view_if_needed()
        problems += check_question(page, question, f"{name}, question {index}")

    if found:  # the screenshot: the first figure with its controls at the top of the screen
        found[0][0].evaluate("e => e.scrollIntoView({block: 'start'})")
        time.sleep(0.5)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    median = f"{1e3 * statistics.median(latencies):.0f} ms" if latencies else "–"
    print(f"{name}: rendered in {rendered:.1f} s; {sliders} sliders, {len(found)} figures, {len(questions)} questions; "
          f"key press to new picture, median {median}; {len(problems)} problem(s)", flush=True)
    page.goto("about:blank")  # Voila shuts the lesson's kernel down when its page goes
    return problems


def main(prefixes: list[str]) -> int:
    SHOTS.mkdir(parents=True, exist_ok=True)
    names = catalog()
    selected = [n for n in names if not prefixes or any(n.startswith(p) for p in prefixes)]
    problems: list[str] = []
    start = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        port = free_port()
        voila = start_voila(ROOT / "notebooks", port)
        try:
            links, found = check_landing(page, port, names)
            problems += found
            for name in selected:
                if name not in links:
                    continue
                url = f"http://127.0.0.1:{port}{links[name]}"
                following = names[names.index(name) + 1] if name != names[-1] else None
                lesson = name != "00_setup_check"
                problems += check_page(page, url, name, expect_figures=lesson, expect_question=lesson,
                                       next_lesson=following)
        finally:
            voila.terminate()
            voila.wait(timeout=30)
        port = free_port()
        voila = start_voila(FIXTURE, port)
        try:
            problems += check_page(page, f"http://127.0.0.1:{port}/", FIXTURE.stem, expect_figures=True,
                                   expect_question=True, absent=["shown in JupyterLab, hidden in the classroom view"])
        finally:
            voila.terminate()
            voila.wait(timeout=30)
        browser.close()
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"present-smoke: {len(selected) + 1} pages checked in {time.perf_counter() - start:.0f} s, "
          f"{len(problems)} problem(s); screenshots in {SHOTS.relative_to(ROOT)}/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
