"""What every lesson's interactive figure shares: labelled sliders, and a figure that redraws as they move.

A ``LiveFigure`` owns one matplotlib figure, its controls and an ``ipywidgets.Image``
showing the figure as PNG.  Moving a control calls ``draw(params)`` (which only sets
the artists' data) and re-renders the PNG into the image widget.  Because the
picture travels as the image widget's value, not as a cell output, nbval sees no
extra outputs, and headless tests can check ``image.value`` and the artists.

Redraws are fast without any work from a lesson: ``lessons.redraw`` keeps as
pixels what a move did not change (axes, tick labels, contours, a legend whose
lines did not move), draws only what did, and encodes the PNG with a cheap
filter; the picture is pixel for pixel what a full render gives.  Each PNG also
records, in a text chunk named ``PARAMS_KEY``, the control values it was drawn
from (``make lab-smoke`` reads them to tell a stale frame from the latest one).

A figure whose ``draw`` is long (lesson 09 trains a network) can show its work as it
goes: ``draw_steps(params)`` updates the artists in stages and yields after each one.
A move made in the browser then shows the first stage at once, and the kernel
draws the next stages between the messages it handles, so a newer move cancels
the rest of an older one.  A move made in code (a test, a notebook cell) is drawn
whole, as ``draw`` draws it, before the call returns.

Displaying a ``LiveFigure`` shows the live widget where a kernel runs, and the
default figure as a plain PNG where none does (GitHub, nbviewer).
"""

from __future__ import annotations

import asyncio
import base64
import json

import ipywidgets as widgets
import numpy as np
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from helpers.plotting import png
from lessons.redraw import FastCanvasAgg, FrameRenderer, encode_png

__all__ = ["LiveFigure", "from_browser", "move_as_browser", "beta_slider", "lr_slider", "eps_slider", "seed_slider",
           "dropdown", "toggle", "show", "update_legend", "SLIDER_STYLE", "SLIDERS"]

#: Without this, ipywidgets cuts a long description to "learning r…".
SLIDER_STYLE = {"description_width": "initial"}
SLIDER_LAYOUT = {"width": "420px"}
#: The controls that are sliders (what the benchmark and the tests drag; the others are drop-downs and toggles).
SLIDERS = (widgets.FloatSlider, widgets.FloatLogSlider, widgets.IntSlider, widgets.SelectionSlider)
#: Between two stages of a staged redraw, the kernel's event loop runs this long on its own (reads messages).
STAGE_PAUSE_S = 0.002
#: The PNG text chunk in which a live figure's picture records the control values it was drawn from.
PARAMS_KEY = "lessons.params"


def beta_slider(value: float = 0.9, min: float = 0.5, max: float = 0.999, step: float = 0.001,
                description: str = "β (smoothing)", readout_format: str | None = None) -> widgets.FloatSlider:
    """A slider for a decay rate β ∈ [0, 1), labelled with the symbol and the word.

    The readout shows as many decimals as ``step`` has (0.9999 does not read "1.000").
    """
    if readout_format is None:
        decimals = -int(np.floor(np.log10(step) + 1e-9))  # (the arguments min and max shadow the builtins)
        readout_format = f".{decimals if decimals > 0 else 1}f"
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               readout_format=readout_format, style=SLIDER_STYLE, layout=SLIDER_LAYOUT)


def lr_slider(value: float = 0.01, min_exp: float = -4, max_exp: float = 0, step: float = 0.05,
              description: str = "learning rate α") -> widgets.FloatLogSlider:
    """A learning-rate slider on a log scale, from 10^min_exp to 10^max_exp."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                  description=description, readout_format=".2g", style=SLIDER_STYLE,
                                  layout=SLIDER_LAYOUT)


def eps_slider(value: float = 1e-8, min_exp: float = -12, max_exp: float = -1,
               description: str = "ε") -> widgets.FloatLogSlider:
    """ε (the guard in α·g/(√s + ε)) on a log scale, from 10^min_exp to 10^max_exp."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=0.5, description=description,
                                  readout_format=".0e", style=SLIDER_STYLE, layout=SLIDER_LAYOUT)


def seed_slider(value: int = 0, max: int = 99, description: str = "noise seed") -> widgets.IntSlider:
    """The seed of a figure's random draws: the same seed, the same picture; move it to see another draw."""
    return widgets.IntSlider(value=value, min=0, max=max, step=1, description=description, style=SLIDER_STYLE,
                             layout=SLIDER_LAYOUT)


def dropdown(options, value=None, description: str = "") -> widgets.Dropdown:
    """A labelled drop-down (a surface, a start point, an optimizer)."""
    options = list(options)
    return widgets.Dropdown(options=options, value=options[0] if value is None else value,
                            description=description, style=SLIDER_STYLE)


def toggle(value: bool = True, description: str = "") -> widgets.Checkbox:
    """A labelled on/off switch (e.g. bias correction)."""
    return widgets.Checkbox(value=value, description=description, style=SLIDER_STYLE, indent=False)


def show(fig: Figure) -> None:
    """Display a figure once, as PNG only: no ``<Figure size …>`` text for nbval to compare."""
    display({"image/png": base64.b64encode(png(fig)).decode("ascii")}, raw=True)


def from_browser(change) -> bool:
    """Whether a control's change came from the browser (ipywidgets locks the property it sets from there)."""
    return change.get("name") in getattr(change.get("owner"), "_property_lock", {})


def move_as_browser(control, value) -> None:
    """Set ``control.value`` as a message from the browser sets it (the property locked while observers run):
    what tests and the benchmark use to see what a learner's move does (``from_browser`` is then True)."""
    with control._lock_property(value=value):
        control.value = value


def update_legend(ax, **kwargs) -> None:
    """``ax.legend(**kwargs)`` for a live figure: built only when its lines or settings change; new labels of
    the same lines are set in place.

    A legend costs a few ms to build; its entries' texts set in place give the same picture
    (the legend lays its box out again when drawn).
    """
    handles, labels = ax.get_legend_handles_labels()
    legend = ax.get_legend()
    if legend is None or getattr(legend, "_built_from", None) != (handles, kwargs):
        legend = ax.legend(handles, labels, **kwargs)
        legend._built_from = (handles, kwargs)
    for text, label in zip(legend.get_texts(), labels, strict=True):
        if text.get_text() != label:  # (setting it, even to the same text, marks the legend changed)
            text.set_text(label)


class LiveFigure:
    """A figure plus the controls that redraw it.

    Subclasses build ``self.fig`` and its artists, then call
    ``super().__init__(fig, controls)``; they implement ``draw(params)``, which
    receives ``{name: control.value}`` and updates the artists in place (through
    matplotlib's setters: ``set_data``, ``set_title``, ``set_ylim``, a new
    ``legend()``…; any of them is noticed and redrawn).
    """

    def __init__(self, fig: Figure, controls: dict[str, widgets.ValueWidget]):
        self.fig = fig
        self.controls = dict(controls)
        self.image = widgets.Image(format="png", layout={"max_width": "100%"})
        box = widgets.Box(list(self.controls.values()), layout={"flex_flow": "row wrap"})
        self.widget = widgets.VBox([box, self.image])
        self.redraws = 0
        self._stages = None  # (the stages still to draw, their params) of a staged redraw
        try:
            if type(fig.canvas) is FigureCanvasAgg:
                FastCanvasAgg(fig)  # the same pixels, with text glyphs rendered once (see lessons.redraw)
            self.frames: FrameRenderer | None = FrameRenderer(fig)
        except Exception:  # noqa: BLE001 - as in _pixels: without the fast path, full renders
            self.frames = None
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.redraw()

    @property
    def params(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def draw(self, params: dict) -> None:  # pragma: no cover - every lesson overrides it
        raise NotImplementedError

    def draw_steps(self, params: dict):
        """``draw(params)`` in stages: update the artists, ``yield``, …; the last stage is ``draw``'s picture.

        The default is one stage.  A lesson whose ``draw`` takes long overrides it, so that
        a move in the browser shows a first picture at once (see ``redraw``).  A stage that
        yields ``False`` has nothing new to show: it only lets the kernel read its messages
        (a newer move) between pieces of a long computation.
        """
        self.draw(params)
        yield

    def redraw(self, staged: bool = False) -> None:
        """Recompute what the controls change, then render the figure into the image widget.

        Only what changed is drawn again (``self.frames``, a ``lessons.redraw.FrameRenderer``).
        The layout (constrained) is worked out on the first render and then kept:
        it costs about as much as the drawing itself.  Call ``relayout()`` when a
        change alters the figure's structure (new tick ranges, a new surface).

        ``staged=True`` shows ``draw_steps``'s first stage now and leaves the others to
        the kernel's event loop, one per turn, with a pause of ``STAGE_PAUSE_S`` between
        them in which the kernel handles what came from the browser (``finish()`` draws them
        at once); a redraw that comes first cancels them.  Without a running event loop,
        every stage is drawn now.
        """
        self._cancel()
        params = self.params
        if not staged:
            self.draw(params)
            self._show(params)
            return
        stages = self.draw_steps(params)
        self._stages = (stages, params)
        self._next_stage()
        if self._stages is not None:
            try:
                asyncio.get_running_loop().call_later(STAGE_PAUSE_S, self._next_stage_later, stages)
            except RuntimeError:  # no event loop (a script, a test): draw the rest now
                self.finish()

    def finish(self) -> None:
        """Draw every stage still to come of a staged redraw, now."""
        while self._stages is not None:
            self._next_stage()

    def _next_stage(self) -> None:
        stages, params = self._stages
        try:
            show = next(stages)
        except StopIteration:
            self._stages = None
            return
        except BaseException:
            self._stages = None
            raise
        if show is not False:
            self._show(params)

    def _next_stage_later(self, stages) -> None:
        """One more stage, then the next turn of the event loop (unless a newer redraw replaced these stages)."""
        if self._stages is None or self._stages[0] is not stages:
            return
        self._next_stage()
        if self._stages is not None:
            asyncio.get_running_loop().call_later(STAGE_PAUSE_S, self._next_stage_later, stages)

    def _cancel(self) -> None:
        if self._stages is not None:
            self._stages[0].close()
            self._stages = None

    def _show(self, params: dict) -> None:
        self.image.value = encode_png(self._pixels(), {PARAMS_KEY: json.dumps(params, default=str)})
        if isinstance(self.fig.get_layout_engine(), ConstrainedLayoutEngine):
            self.fig.set_layout_engine("none")  # keep the positions just computed
        self.redraws += 1

    def _pixels(self) -> np.ndarray:
        """This frame's RGBA pixels: from the incremental renderer, or from a full render if it fails.

        ``lessons.redraw`` leans on matplotlib internals; should a future matplotlib
        break it, a class still gets every picture (slower), never a traceback.
        """
        if self.frames is not None:
            try:
                return self.frames.render()
            except Exception:  # noqa: BLE001 - any failure of the fast path falls back to the full render
                self.frames = None
        self.fig.canvas.draw()
        return np.asarray(self.fig.canvas.buffer_rgba()).copy()

    def relayout(self) -> None:
        """Work the layout out again on the next render."""
        self.fig.set_layout_engine("constrained")

    def _changed(self, change) -> None:
        self.redraw(staged=from_browser(change))

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")  # for viewers without a kernel
        return bundle
