"""lessons.widgets: labelled sliders, and a LiveFigure that redraws when a control moves."""

import asyncio

import numpy as np

from helpers.plotting import new_figure
from lessons.widgets import (
    LiveFigure,
    beta_slider,
    dropdown,
    from_browser,
    lr_slider,
    move_as_browser,
    seed_slider,
    toggle,
)


class Line(LiveFigure):
    def __init__(self):
        fig = new_figure(4, 3)
        ax = fig.subplots()
        (self.line,) = ax.plot([], [])
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 1)
        super().__init__(fig, {"beta": beta_slider(0.9), "on": toggle(True, "on")})

    def draw(self, params):
        t = np.arange(10)
        self.line.set_data(t, params["beta"] ** t if params["on"] else 0 * t)


def test_sliders_are_labelled_and_readable():
    assert beta_slider().description == "β (smoothing)"
    lr = lr_slider(0.01, -4, 0)
    assert lr.description == "learning rate α" and lr.base == 10 and abs(lr.value - 0.01) < 1e-12
    seed = seed_slider(3)
    assert seed.description == "noise seed" and (seed.value, seed.min, seed.max, seed.step) == (3, 0, 99, 1)
    for w in (beta_slider(), lr, dropdown(["a", "b"], description="surface"), toggle(description="x"), seed):
        assert w.style.description_width == "initial"  # no "learning r…"


def test_live_figure_redraws_on_every_control():
    live = Line()
    first = live.image.value
    assert first[:4] == b"\x89PNG" and live.redraws == 1
    live.controls["beta"].value = 0.5
    assert live.redraws == 2 and live.line.get_ydata()[1] == 0.5 and live.image.value != first
    live.controls["on"].value = False
    assert live.redraws == 3 and np.all(live.line.get_ydata() == 0)


def test_mimebundle_has_a_static_png_for_viewers_without_a_kernel():
    bundle = Line()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"].startswith("iVBORw0KGgo")  # base64 of the PNG signature


def test_layout_is_worked_out_once_then_kept_until_relayout():
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    live = Line()
    position = live.line.axes.get_position().bounds
    assert not isinstance(live.fig.get_layout_engine(), ConstrainedLayoutEngine)  # frozen after the first render
    live.relayout()
    assert isinstance(live.fig.get_layout_engine(), ConstrainedLayoutEngine)
    live.controls["beta"].value = 0.7
    assert not isinstance(live.fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert live.line.axes.get_position().bounds == position


def test_beta_readout_shows_the_step_s_decimals():
    assert beta_slider(0.999, step=0.0001).readout_format == ".4f"
    assert beta_slider(0.9, min=0.0, step=0.01).readout_format == ".2f"
    assert beta_slider(0.9, readout_format=".1f").readout_format == ".1f"


def test_a_failing_fast_renderer_falls_back_to_the_full_render():
    """Should a future matplotlib break lessons.redraw, the picture still comes, from a full render."""
    from lessons.averages import SmoothingExplorer

    live = SmoothingExplorer()
    full = live._pixels()

    class Broken:
        def render(self):
            raise AttributeError("'Axes' object has no attribute '_unstale_viewLim'")

    live.frames = Broken()
    before = live.image.value
    first = next(iter(live.controls.values()))
    first.value = first.max
    assert live.frames is None and live.image.value != before  # redrawn, with no exception
    first.value = first.min
    assert live._pixels().shape == full.shape


class Stages(Line):
    """A figure drawn in three stages: the line at a third of its length, at two thirds, whole."""

    def draw_steps(self, params):
        for n in (3, 6, 10):
            t = np.arange(n)
            self.line.set_data(t, params["beta"] ** t)
            yield


def test_a_move_from_the_browser_is_told_from_one_made_in_code():
    live, seen = Line(), []
    live.controls["beta"].observe(lambda change: seen.append(from_browser(change)), names="value")
    live.controls["beta"].value = 0.5
    move_as_browser(live.controls["beta"], 0.6)
    assert seen == [False, True]


def shown_lengths(live):
    """Record the line's length in every picture the figure shows from now on."""
    shown, show = [], live._show
    live._show = lambda params: (shown.append(len(live.line.get_xdata())), show(params))
    return shown


async def until_done(live):
    while live._stages is not None:
        await asyncio.sleep(0.001)


def test_a_staged_redraw_shows_its_first_stage_now_and_the_rest_on_later_turns_of_the_event_loop():
    async def scenario():
        live = Stages()
        assert len(live.line.get_xdata()) == 10  # built in code: drawn whole
        shown = shown_lengths(live)
        move_as_browser(live.controls["beta"], 0.5)
        first = list(shown)  # what the move itself drew, before the loop turned
        await until_done(live)
        return live, first, shown

    live, first, shown = asyncio.run(scenario())
    assert first == [3] and shown == [3, 6, 10] and live.line.get_ydata()[1] == 0.5


def test_a_newer_move_cancels_the_stages_of_an_older_one():
    async def scenario():
        live = Stages()
        shown = shown_lengths(live)
        move_as_browser(live.controls["beta"], 0.5)
        move_as_browser(live.controls["beta"], 0.7)  # before the loop turned: 0.5's other stages never come
        await until_done(live)
        return live, shown

    live, shown = asyncio.run(scenario())
    assert shown == [3, 3, 6, 10] and live.line.get_ydata()[1] == 0.7


def test_a_stage_that_yields_false_shows_nothing_new():
    class Quiet(Stages):
        def draw_steps(self, params):
            yield from (show for _, show in zip(super().draw_steps(params), (True, False, True), strict=True))

    async def scenario():
        live = Quiet()
        shown = shown_lengths(live)
        move_as_browser(live.controls["beta"], 0.5)
        await until_done(live)
        return shown

    assert asyncio.run(scenario()) == [3, 10]


def test_a_staged_redraw_without_an_event_loop_draws_every_stage_now():
    live = Stages()
    live.redraw(staged=True)
    assert len(live.line.get_xdata()) == 10 and live.redraws == 1 + 3
