"""lessons.redraw: fast redraws must show, pixel for pixel, what a full render shows.

The fast path keeps unchanged layers as pixels and pastes unchanged artists; a
mistake there shows a stale picture (an axis that rescaled under old tick labels,
a legend that lost its "diverged at step k").  So every live figure of every
lesson is driven through control moves, and after each move the picture in the
image widget is compared with a full render by matplotlib's own renderer.
"""

import importlib
import io
import json

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.ticker import FixedLocator, NullLocator
from PIL import Image

from helpers.plotting import new_figure, png
from lessons import CATALOG
from lessons.redraw import FastRendererAgg, encode_png, png_text
from lessons.widgets import PARAMS_KEY, SLIDERS, LiveFigure, beta_slider, dropdown, toggle

MODULES = [importlib.import_module(f"lessons.{m}") for m in CATALOG.values() if m]
FIGURES = {f"{module.__name__}.{name}": factory for module in MODULES for name, factory in module.WIDGETS.items()}


def _artists(artist, found):
    found.append(artist)
    for child in artist.get_children():
        _artists(child, found)
    return found


def reference(live: LiveFigure) -> np.ndarray:
    """The figure drawn in full by matplotlib's own Agg renderer, as RGB, leaving the fast path's state as it was."""
    fig = live.fig
    flags = [(a, a._stale) for a in _artists(fig, [])]
    width, height = fig.canvas.get_width_height(physical=True)
    renderer = RendererAgg(width, height, fig.dpi)
    with live.frames.paused():
        fig.draw(renderer)
    for artist, stale in flags:  # a full draw marks everything fresh: undo that, or it would hide changes
        artist._stale = stale
    pixels = np.asarray(renderer.buffer_rgba())
    assert np.all(pixels[..., 3] == 255)
    return pixels[..., :3].copy()


def shown(live: LiveFigure) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(live.image.value)).convert("RGB"))


def assert_same(live: LiveFigure, what: str) -> None:
    fast, full = shown(live), reference(live)
    assert fast.shape == full.shape, what
    differ = np.argwhere((fast != full).any(axis=2))
    assert not differ.size, f"{what}: {len(differ)} pixels differ from a full render, first at (row, col) {differ[0]}"


def random_value(control, rng):
    """A value the control accepts, anywhere in its range."""
    if hasattr(control, "options"):  # drop-downs and selection sliders
        options = list(control._options_values)
        return options[rng.integers(len(options))]
    if isinstance(control.value, bool):
        return not control.value
    if isinstance(control, widgets.FloatLogSlider):
        return control.base ** rng.uniform(control.min, control.max)
    if isinstance(control, widgets.IntSlider):
        return int(rng.integers(control.min, control.max + 1))
    return float(rng.uniform(control.min, control.max))


def moves(live: LiveFigure, n: int, seed: int):
    """``n`` control moves: mostly small slider steps (a drag), some jumps, some other controls."""
    rng = np.random.default_rng(seed)
    names = list(live.controls)
    for _ in range(n):
        name = names[rng.integers(len(names))]
        control = live.controls[name]
        if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider)) and rng.random() < 0.6:
            low, high = control.min, control.max
            here = np.log10(control.value) / np.log10(control.base) if hasattr(control, "base") else control.value
            step = (high - low) * rng.uniform(-0.06, 0.06)
            new = float(np.clip(here + step, low, high))
            value = control.base**new if hasattr(control, "base") else new
        else:
            value = random_value(control, rng)
        yield name, value


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_frame_equals_a_full_render(name):
    live = FIGURES[name]()
    assert_same(live, f"{name}, first frame")
    for i, (control, value) in enumerate(moves(live, 10, seed=11)):
        live.controls[control].value = value
        assert_same(live, f"{name}, move {i}: {control} = {value!r}")
    assert live.frames.layer_renders < 3 * live.frames.frames  # (it did keep layers: not a full render each time)


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_long_drag_ends_on_the_full_render(name):
    """No full render in between (it would refresh state the fast path relies on): compare at the end only."""
    live = FIGURES[name]()
    for control, value in moves(live, 20, seed=5):
        live.controls[control].value = value
    assert_same(live, f"{name}, after 20 moves")
    decoded = np.asarray(Image.open(io.BytesIO(png(live.fig))).convert("RGB"))  # the static picture, too
    np.testing.assert_array_equal(decoded, shown(live))


def sweep(control, n: int) -> list:
    """``n`` slider positions from just past the control's value toward its far end (the way a hand drags it)."""
    if isinstance(control, widgets.SelectionSlider):
        options = list(control._options_values)
        here = options.index(control.value)
        ahead = options[here + 1:] or options[:here][::-1]
        return ahead[:n]
    log = isinstance(control, widgets.FloatLogSlider)
    here = np.log10(control.value) / np.log10(control.base) if log else control.value
    end = control.max if control.max - here >= here - control.min else control.min
    values = np.linspace(here, end, n + 1)[1:]
    if log:
        return [float(control.base**v) for v in values]
    return [int(round(v)) for v in values] if isinstance(control, widgets.IntSlider) else [float(v) for v in values]



@pytest.mark.parametrize("name", list(FIGURES))
def test_a_drag_back_pastes_what_the_way_there_drew(name):
    """Dragged there and back, a slider brings back limits and ticks already drawn: the way back renders no
    layer again (``FrameRenderer._store`` keeps each layer's recent tiles), and shows what a full render shows."""
    live = FIGURES[name]()
    slider = next((c for c in live.controls.values() if isinstance(c, SLIDERS)), None)
    if slider is None:
        pytest.skip("no slider")
    start = slider.value
    there = sweep(slider, 5)
    for value in there:
        slider.value = value
    renders = live.frames.layer_renders
    for value in [*there[-2::-1], start]:
        slider.value = value
        assert_same(live, f"{name}, back at {slider.description} = {value!r}")
    assert live.frames.layer_renders == renders, "a layer drawn on the way there was drawn again on the way back"


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_picture_records_the_controls_it_was_drawn_from(name):
    live = FIGURES[name]()
    control, value = next(moves(live, 1, seed=3))
    live.controls[control].value = value
    recorded = json.loads(png_text(live.image.value)[PARAMS_KEY])
    assert recorded == json.loads(json.dumps(live.params, default=str))
    assert Image.open(io.BytesIO(live.image.value)).text[PARAMS_KEY] == png_text(live.image.value)[PARAMS_KEY]


# --- what a lesson may do in draw(): each must show up ------------------------------------------------------------


class Everything(LiveFigure):
    """A figure whose draw() changes, depending on the controls, each kind of thing the fast path keeps."""

    def __init__(self):
        fig = new_figure(8, 4)
        self.ax, self.other = fig.subplots(1, 2)
        x = np.linspace(-2, 2, 60)
        self.X, self.Y = np.meshgrid(x, x)
        self.line, = self.ax.plot([], [], label="line")
        self.ax.plot([0, 1], [0, 1], color="grey", label="fixed")
        self.contours = self.ax.contour(self.X, self.Y, self.X**2 + self.Y**2, levels=5)
        self.mesh = self.other.imshow(self.X, extent=(0, 1, 0, 1))
        self.other.set_title("right")
        self.ax.legend(loc="upper right")
        super().__init__(fig, {"a": beta_slider(0.5, 0.0, 1.0, 0.01), "what": dropdown(
            ["nothing", "contours", "ylim same ticks", "ticks", "label", "tick colour", "image", "grid",
             "legend", "remove", "suptitle", "visible"]), "on": toggle(True, "on")})

    def draw(self, params):
        a, what = params["a"], params["what"]
        self.line.set_data([0, 1, 2], [0, a, 2 * a])
        self.ax.set_title(f"a = {a:.2f}")
        self.ax.set_ylim(-2, 2)
        if what == "contours":
            self.contours.remove()
            self.contours = self.ax.contour(self.X, self.Y, self.X**2 + a * self.Y**2, levels=5)
        elif what == "ylim same ticks":
            self.ax.set_ylim(-2 - a / 100, 2 + a / 100)
        elif what == "ticks":
            self.ax.yaxis.set_major_locator(FixedLocator([-1, 0, a]))
        elif what == "label":
            self.ax.set_xlabel(f"x ({a:.2f})")
        elif what == "tick colour":
            self.ax.tick_params(colors="red" if a > 0.5 else "blue")
        elif what == "image":
            self.mesh.set_data(self.X * a + self.Y)
        elif what == "grid":
            self.ax.grid(a > 0.5)
        elif what == "legend":
            self.ax.legend(loc="lower left", title=f"{a:.1f}")
        elif what == "remove" and self.other.images:
            self.mesh.remove()
        elif what == "suptitle":
            self.fig.suptitle(f"suptitle {a:.2f}")
        elif what == "visible":
            self.other.xaxis.set_visible(not params["on"])
            self.other.yaxis.set_minor_locator(NullLocator())


def test_every_kind_of_change_is_drawn():
    live = Everything()
    for what in live.controls["what"].options:
        live.controls["what"].value = what
        for a in (0.2, 0.8, 0.8, 0.3):
            live.controls["a"].value = a
            assert_same(live, f"{what}, a = {a}")
        live.controls["on"].value = not live.controls["on"].value
        assert_same(live, f"{what}, toggled")


def test_a_full_render_elsewhere_is_noticed():
    live = Everything()
    live.controls["a"].value = 0.7
    live.ax.xaxis.label.set_color("red")  # a change made and then drawn by someone else's full render ...
    png(live.fig)  # ... which clears the stale flags
    live.controls["a"].value = 0.71
    assert_same(live, "after png(fig)")


def test_relayout_and_resizing_redraw_everything():
    live = Everything()
    live.fig.set_size_inches(9, 4)
    live.relayout()
    live.controls["a"].value = 0.9
    assert shown(live).shape == (400, 900, 3)
    assert_same(live, "resized")


def test_a_legend_lays_each_entry_out_once_per_draw(monkeypatch):
    """Matplotlib measures a legend's texts again from every level of its boxes (six times for each entry of
    a five-entry legend); the fast path measures each once, and draws the same pixels."""
    from matplotlib.offsetbox import TextArea

    from lessons.redraw import _draw_artist

    fig = new_figure(6, 3)
    ax = fig.subplots()
    for i in range(5):
        ax.plot([0, 1], [i, i + 1], label=f"entry {i}: {0.1 * i:.3g}")
    legend = ax.legend(loc="upper left", framealpha=0.9)
    png(fig)
    renderer = fig.canvas.get_renderer()
    pixels = np.asarray(renderer.buffer_rgba())
    measured = []
    plain_get_bbox = TextArea.get_bbox
    monkeypatch.setattr(TextArea, "get_bbox", lambda box, r: measured.append(box) or plain_get_bbox(box, r))
    drawn = {}
    for how, draw in (("matplotlib", lambda: legend.draw(renderer)), ("fast", lambda: _draw_artist(legend, renderer))):
        pixels[...] = 255
        measured.clear()
        draw()
        drawn[how] = pixels.copy(), len(measured)
    assert drawn["matplotlib"][1] >= 4 * 5  # (what the fast path saves: if matplotlib caches one day, drop this)
    assert drawn["fast"][1] == 5  # each entry's text once (the empty title is not shown, so not measured)
    np.testing.assert_array_equal(drawn["fast"][0], drawn["matplotlib"][0])


def test_fast_text_is_matplotlib_s_text():
    """Rendered glyphs are reused, so every size, angle, mathtext and fallback must match the stock renderer."""
    fig = new_figure(6, 3)
    ax = fig.subplots()
    for i, (size, angle) in enumerate([(8, 0), (10, 90), (13, 30), (7.5, -45), (20, 0)]):
        ax.text(0.1 + 0.15 * i, 0.1 + 0.1 * i, r"β = 0.9 $\hat v_t = v_t/(1-\beta^t)$ gÅ", size=size, rotation=angle)
    ax.set_title("loss, log scale: f(x_k) − f*")
    png(fig)
    fig.set_layout_engine("none")  # (so that every draw below places everything where the first did)
    for renderer_class in (RendererAgg, FastRendererAgg, FastRendererAgg):  # (the second fast one reuses glyphs)
        renderer = renderer_class(600, 300, fig.dpi)
        fig.draw(renderer)
        pixels = np.asarray(renderer.buffer_rgba()).copy()
        if renderer_class is RendererAgg:
            expected = pixels
        np.testing.assert_array_equal(pixels, expected)


def test_png_round_trip():
    rng = np.random.default_rng(0)
    opaque = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    opaque[..., 3] = 255
    see_through = rng.integers(0, 256, (3, 4, 4), dtype=np.uint8)
    for pixels, mode in ((opaque, "RGB"), (see_through, "RGBA")):
        data = encode_png(pixels, {"note": "hello"})
        image = Image.open(io.BytesIO(data))
        assert image.mode == mode and image.text == {"note": "hello"} == png_text(data)
        np.testing.assert_array_equal(np.asarray(image.convert("RGBA")), pixels)


def test_frames_are_deflated_by_zlib_ng_and_decode_to_the_figure():
    """requirements.txt installs zlib-ng (a third of zlib's time per frame); its stream is standard deflate."""
    import lessons.redraw

    assert lessons.redraw._deflate.__name__ == "zlib_ng.zlib_ng"
    live = next(iter(FIGURES.values()))()
    pixels = np.asarray(live.fig.canvas.buffer_rgba()).copy()
    image = Image.open(io.BytesIO(live.image.value))
    np.testing.assert_array_equal(np.asarray(image.convert("RGBA")), pixels)
