"""The optimizer playground shared by lessons 3 to 6.

Left: contours of a ``helpers.surfaces`` surface with each contender's path.
Right: f(x_k) − f* per step on a log scale.  Optionally a third panel that a
lesson fills (the velocity, the effective learning rate, …).  Controls: the
lesson's sliders, plus a surface and a start point where it offers a choice.

Each contender turns the current control values into an optimizer::

    Playground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                    Contender("Momentum", lambda p: Momentum(p["lr"], p["beta"]))],
        controls={"lr": lr_slider(0.1), "beta": beta_slider(0.9)},
        surfaces={"elongated quadratic": elongated_quadratic()},
    )

Every position of every control draws: a path that diverges is cut where it leaves
the window and its legend entry says "diverged at step k".  The contour grid of a
surface is computed once; a slider move reruns only the optimizers.

Surfaces differ in scale: a learning rate that suits one may diverge at step 1 on
another.  ``surface_defaults={"Rosenbrock": {"lr": 1e-3}, …}`` gives a surface the
control values it starts with: choosing it in the drop-down sets them (one redraw).
Noisy gradients and schedules (lesson 07): ``gradient(surface, params)`` makes the
gradient every run steps with, afresh for each run (a ``helpers.stochastic.NoisyGradient``
seeded from a control gives every contender the same draws, and the same picture for
the same seed), and a contender's ``schedule(params)`` gives its learning-rate schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from helpers.optimizers import Trace, trace
from helpers.plotting import (
    LOSS_FLOOR,
    OKABE_ITO,
    clip_path,
    draw_surface,
    loss_axis,
    loss_gap,
    new_figure,
    style,
)
from helpers.surfaces import Surface
from lessons.widgets import LiveFigure, dropdown

__all__ = ["Contender", "Panel", "Playground", "divergence_step"]

BLOW_UP = 1e6  # a loss this many times the starting loss counts as diverged


@dataclass(frozen=True)
class Contender:
    """One optimizer in the playground: its legend name, how to build it from the controls, its look.

    ``look`` is a key of ``helpers.plotting.STYLES`` (default: ``name``), or the plot keywords
    themselves (colour, line style, marker) for a run that is not one of the standard
    optimizers, e.g. the same optimizer under a schedule.  ``schedule``, if given, turns the
    controls into the run's learning-rate schedule (a ``helpers.schedules`` record, or None).
    """

    name: str
    make: Callable[[dict], object]
    look: str | Mapping = ""
    schedule: Callable[[dict], object] | None = None

    @property
    def style_name(self) -> str:
        return self.look if isinstance(self.look, str) and self.look else self.name

    def style(self, markevery: int | None = None) -> dict:
        """Keyword arguments for ``ax.plot``: the look, with the playground's line width and marker size."""
        if isinstance(self.look, Mapping):
            kwargs = dict(self.look, linewidth=1.8, markersize=4)
            return kwargs if markevery is None else dict(kwargs, markevery=markevery)
        return style(self.style_name, markevery=markevery)


class Panel(Protocol):
    """A lesson's extra panel: set up once, updated after every run."""

    def setup(self, ax) -> None: ...

    def update(self, ax, traces: Mapping[str, Trace], surface: Surface, params: dict) -> None: ...


def divergence_step(surface: Surface, path: np.ndarray) -> int | None:
    """The first step at which a run has diverged: its iterate is not finite, or its loss has blown up.

    "Blown up" means f(x_k) − f* > 1e6 · (f(x_0) − f*): the run is heading to
    infinity even if float64 has not overflowed yet.
    """
    gap = surface.f(path) - surface.f_min
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(gap) | (gap > BLOW_UP * max(float(gap[0]), LOSS_FLOOR))
    return int(np.argmax(bad)) if bad.any() else None


class Playground(LiveFigure):
    """Contour + loss panels for several optimizers, redrawn whenever a control moves."""

    #: The path and loss panels' legends (a lesson may set 10 or more: projected, 8 pt is small).
    legend_fontsize: float = 8

    def __init__(
        self,
        contenders: list[Contender],
        controls: dict,
        surfaces: Mapping[str, Surface],
        starts: Callable[[Surface], Mapping[str, np.ndarray]] | None = None,
        steps: int = 100,
        panel: Panel | None = None,
        describe: Callable[[dict], str] | None = None,
        width: float = 11.0,
        surface_defaults: Mapping[str, Mapping[str, object]] | None = None,
        gradient: Callable[[Surface, dict], Callable] | None = None,
    ):
        self.contenders = list(contenders)
        self.gradient = gradient or (lambda surface, params: surface.grad)
        self.surfaces = dict(surfaces)
        self.starts = starts or (lambda s: {"default start": s.start})
        self.steps = steps
        self.panel = panel
        self.describe = describe or (lambda p: "")
        self.surface_defaults = {name: dict(values) for name, values in (surface_defaults or {}).items()}
        for name, values in self.surface_defaults.items():
            unknown = set(values) - set(controls)
            if name not in self.surfaces or unknown:
                raise ValueError(f"surface_defaults must map a surface ({', '.join(map(repr, self.surfaces))}) to "
                                 f"values of the controls ({', '.join(map(repr, controls))}); "
                                 f"got {name!r}: {values!r}.")
        self.traces: dict[str, Trace] = {}
        self.diverged: dict[str, int | None] = {}
        self._grids: dict[str, tuple] = {}
        self._surface_drawn: str | None = None
        self._legend_labels: tuple = ()

        controls = dict(controls)
        first = next(iter(self.surfaces))
        if len(self.surfaces) > 1:
            controls["surface"] = dropdown(self.surfaces, description="surface")
        start_names = list(self.starts(self.surfaces[first]))
        if len(start_names) > 1:
            controls["start"] = dropdown(start_names, description="start")
        if "surface" in controls and ("start" in controls or self.surface_defaults):
            # registered before the redraw, so it runs first
            controls["surface"].observe(self._surface_changed, names="value")

        fig = new_figure(width, 4.2)
        n_panels = 3 if panel else 2
        axes = fig.subplots(1, n_panels, width_ratios=[1.15, 1, 1][:n_panels])
        self.ax_path, self.ax_loss = axes[0], axes[1]
        self.ax_panel = axes[2] if panel else None
        self.path_lines, self.loss_lines = {}, {}
        for c in self.contenders:
            look = c.style(markevery=max(1, steps // 20))
            (self.path_lines[c.name],) = self.ax_path.plot([], [], label=c.name, zorder=4, **look)
            (self.loss_lines[c.name],) = self.ax_loss.plot([], [], label=c.name, **dict(look, markevery=None,
                                                                                          marker=None))
        (self.start_marker,) = self.ax_path.plot([], [], marker="o", markersize=9, markerfacecolor="none",
                                                 markeredgecolor=OKABE_ITO["black"], linestyle="none",
                                                 label="start", zorder=5)
        loss_axis(self.ax_loss)
        self.ax_loss.set_xlim(0, steps)
        if panel:
            panel.setup(self.ax_panel)
        super().__init__(fig, controls)

    # --- what a control change recomputes ---------------------------------------

    def _surface_changed(self, change) -> None:
        """A new surface may offer other starts and come with its own control values (``surface_defaults``).

        Refresh the start menu and set those values without a redraw of their own: the
        surface's redraw follows.  Setting the start options selects the first one.
        """
        quiet = {}
        if "start" in self.controls:
            names = list(self.starts(self.surfaces[change["new"]]))
            if list(self.controls["start"].options) != names:
                quiet["start"] = lambda control, names=names: setattr(control, "options", names)
        for control_name, value in self.surface_defaults.get(change["new"], {}).items():
            quiet[control_name] = lambda control, value=value: setattr(control, "value", value)
        for control_name, apply in quiet.items():
            control = self.controls[control_name]
            control.unobserve(self._changed, names="value")
            try:
                apply(control)
            finally:
                control.observe(self._changed, names="value")

    def _background(self, name: str) -> None:
        """Contours of the surface: computed once per surface, redrawn only when the surface changes."""
        surface = self.surfaces[name]
        if name not in self._grids:
            self._grids[name] = surface.grid(160)
        for artist in list(self.ax_path.collections):
            artist.remove()
        for line in [ln for ln in self.ax_path.lines if ln.get_label() == "minimum"]:
            line.remove()
        draw_surface(self.ax_path, surface, self._grids[name])
        self._surface_drawn = name
        self.relayout()

    def draw(self, params: dict) -> None:
        name = params.get("surface", next(iter(self.surfaces)))
        surface = self.surfaces[name]
        if name != self._surface_drawn:
            self._background(name)
        starts = self.starts(surface)
        x0 = np.asarray(starts.get(params.get("start"), next(iter(starts.values()))), dtype=float)
        steps = int(params.get("steps", self.steps))
        self.start_marker.set_data([x0[0]], [x0[1]])

        k_axis = np.arange(steps + 1)
        for line in self.path_lines.values():
            line.set_markevery(max(1, steps // 20))  # about 20 markers, whatever the number of steps
        for c in self.contenders:
            schedule = c.schedule(params) if c.schedule else None
            tr = trace(c.make(params), self.gradient(surface, params), x0, steps, schedule=schedule)
            self.traces[c.name] = tr
            k = self.diverged[c.name] = divergence_step(surface, tr.path)
            shown = clip_path(tr.path, surface.xlim, surface.ylim)
            self.path_lines[c.name].set_data(shown[:, 0], shown[:, 1])
            gap = loss_gap(surface, tr.path)
            if k is not None:
                gap[k + 1 :] = np.nan  # one point past the blow-up shows the climb; the rest is off the chart
            self.loss_lines[c.name].set_data(k_axis, gap)
            label = c.name if k is None else f"{c.name}: diverged at step {k}"
            self.path_lines[c.name].set_label(label)
            self.loss_lines[c.name].set_label(label)

        self._scale_loss_axis(surface, x0)
        labels = (name, *(line.get_label() for line in self.path_lines.values()))
        if labels != self._legend_labels:  # a legend costs a few ms to build: only when an entry changes
            self.ax_path.legend(loc="upper right", fontsize=self.legend_fontsize, framealpha=0.9)
            self.ax_loss.legend(loc="lower left", fontsize=self.legend_fontsize, framealpha=0.9)
            self._legend_labels = labels
        details = self.describe(params)
        self.ax_path.set_title(f"{surface.name}" + (f": {details}" if details else ""), fontsize=10)
        if self.panel:
            self.panel.update(self.ax_panel, self.traces, surface, params)

    def _scale_loss_axis(self, surface: Surface, x0: np.ndarray) -> None:
        """From a whole decade below the best loss reached to far above the start, so a blow-up exits at the top.

        The bottom moves by whole decades (at least a factor 2 below the best loss):
        while a slider is dragged, the axis stays put until the best loss crosses a
        decade, so that curves can be compared from one position to the next (and the
        ticks need no redrawing).
        """
        start_gap = max(float(surface.f(x0) - surface.f_min), LOSS_FLOOR)
        finite = [line.get_ydata() for line in self.loss_lines.values()]
        finite = np.concatenate([y[np.isfinite(y)] for y in finite])
        low = max(10.0 ** np.floor(np.log10(float(finite.min()) / 2)), LOSS_FLOOR) if finite.size else LOSS_FLOOR
        self.ax_loss.set_xlim(0, len(self.loss_lines[self.contenders[0].name].get_xdata()) - 1)
        self.ax_loss.set_ylim(low, start_gap * 1e3)
