"""Fast redraws for live figures: keep as pixels what a control move did not change, draw only what did.

A slider move changes a few artists: lines, a title, a legend, sometimes an
axis's limits.  Rendering the whole figure again also redraws the ticks, tick
labels and contours that stayed the same, and drawing text is most of what
matplotlib spends.  ``FrameRenderer`` draws a figure as ``Figure.draw`` does (the
same Agg renderer, the same order), but keeps, for each Axes, an image of its
*static layer*: the Axes background and every artist below (in z-order) the first
one that changes.  A frame is then the stored layers plus the changing artists
drawn over them, encoded by ``encode_png``.

What counts as "changed":

- an artist whose ``stale`` flag is set (matplotlib sets it in every setter:
  ``set_data``, ``set_text``, ``set_visible``, …; we clear it once the artist is in a
  stored layer), an artist that was removed, added or re-ordered;
- an Axes that moved, was resized, or whose limits or scales changed;
- an ``Axis`` whose ticks, tick labels, label or tick parameters differ from the
  ones stored (its limits alone do not decide: a ``set_ylim`` to the same values
  changes nothing);
- anything drawn by a full render behind our back (``png(fig)``, ``savefig``):
  every stored layer is dropped.

Lines, texts, legends and patches are redrawn in every frame; axes, spines,
collections (contours) and images are stored until they change.  A layer that
changes is re-rendered alone, on a bare figure, and its footprint is found from
its pixels, so that nothing relies on guessed extents.

The result is, pixel for pixel, the picture a full render gives, as long as no
artist of one Axes overlaps the static layer of another (true of any readable
figure); ``tests/test_redraw.py`` checks it for every live figure of every lesson
after many control moves.  Figures this module does not know how to split
(sub-figures, rasterization z-orders, figure-level artists under the axes, …) are
simply drawn in full.
"""

from __future__ import annotations

import contextlib
import math
import struct
import sys
import weakref
import zlib
from dataclasses import dataclass
from operator import attrgetter

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import FT2Font
from matplotlib.image import _ImageBase
from matplotlib.legend import Legend
from matplotlib.offsetbox import OffsetBox
from matplotlib.spines import Spine
from matplotlib.text import Text

try:  # zlib-ng: the same deflate format as zlib, in about half its time for the same size (see encode_png)
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # pragma: no cover - requirements.txt installs it; without it, the standard library's zlib
    _deflate = zlib

__all__ = ["FrameRenderer", "FastCanvasAgg", "encode_png", "png_text"]

# An artist's place in a layer, as learned from one frame to the next.
_STATIC = "static"  # stored in its Axes' layer until it changes
_PENDING = "pending"  # new, of a kind that rarely changes: drawn on top for one frame, stored if still unchanged
_MOVING = "moving"  # redrawn in every frame

#: How many recent tiles of each Axes' static layer are kept (each about the Axes' size in pixels × 5 bytes).
_LAYER_TILES = 8

#: Kinds of artist that usually stay put: a new one is stored in its layer once it has stayed unchanged.
_USUALLY_STATIC = (Spine, Collection, _ImageBase)


@dataclass
class _Tile:
    """One Axes' static layer as pixels: the bounding box of what it drew, the pixels and which of them it drew."""

    y0: int
    y1: int
    x0: int
    x1: int
    pixels: np.ndarray  # uint32 (y1 - y0, x1 - x0): RGBA packed
    drawn: np.ndarray  # bool, same shape: pixels that differ from the bare figure

    @staticmethod
    def bounds(drawn: np.ndarray) -> tuple[int, int, int, int]:
        """Rows and columns (y0, y1, x0, x1) of the smallest box holding every True of ``drawn``; empty: zeros."""
        rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
        if not rows.size:
            return 0, 0, 0, 0
        return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.y0, self.y1, self.x0, self.x1

    def overlaps(self, box: tuple[int, int, int, int]) -> bool:
        y0, y1, x0, x1 = box
        return self.y0 < y1 and y0 < self.y1 and self.x0 < x1 and x0 < self.x1

    def common(self, other: _Tile) -> tuple[int, int, int, int]:
        return max(self.y0, other.y0), min(self.y1, other.y1), max(self.x0, other.x0), min(self.x1, other.x1)

    def inside(self, box: tuple[int, int, int, int]) -> tuple[slice, slice]:
        """Index of the part of this tile inside ``box`` (rows, columns of the canvas)."""
        y0, y1, x0, x1 = box
        return (slice(max(y0, self.y0) - self.y0, max(min(y1, self.y1) - self.y0, 0)),
                slice(max(x0, self.x0) - self.x0, max(min(x1, self.x1) - self.x0, 0)))


def _box(bbox, shape, pad: int = 0) -> tuple[int, int, int, int]:
    """A matplotlib display bbox (origin bottom left) as canvas rows and columns (origin top left), padded."""
    h, w = shape
    if bbox is None or not np.all(np.isfinite(bbox.extents)):
        return 0, 0, 0, 0
    y0 = int(np.clip(np.floor(h - bbox.y1) - pad, 0, h))
    y1 = int(np.clip(np.ceil(h - bbox.y0) + pad, 0, h))
    x0 = int(np.clip(np.floor(bbox.x0) - pad, 0, w))
    x1 = int(np.clip(np.ceil(bbox.x1) + pad, 0, w))
    return y0, y1, x0, x1


@dataclass
class _Memo:
    """What drawing one unchanged artist did: the pixels under it and the same pixels after it was drawn."""

    key: tuple
    box: tuple[slice, slice]
    under: np.ndarray
    over: np.ndarray


class _Layer:
    """What is stored of one Axes: the artists in its static layer, what they depend on, their pixels."""

    def __init__(self, ax: Axes):
        self.ax = ax
        self.static: list = []  # drawn into the tile, in draw order
        self.moving: list = []  # drawn over the background in every frame, in draw order
        self.key: tuple | None = None  # the Axes' geometry when the tile was drawn
        self.axis_keys: dict = {}  # Axis -> its ticks and labels when the tile was drawn
        self.axis_ticks: dict = {}  # Axis -> the ticks it drew into the tile
        self.tile: _Tile | None = None
        self.tiles: dict = {}  # its recent tiles by what they depend on (see FrameRenderer._store), the newest last
        self.valid = False
        self.tangled = False  # its static layer touches an earlier Axes: drawn whole in every frame


def _stale(artist) -> bool:
    """Whether ``artist`` or anything it contains was changed since we last cleared its flags."""
    if artist.stale:
        return True
    return any(_stale(child) for child in artist.get_children())


def _freshen(artist) -> None:
    """Clear the stale flags of ``artist`` and everything it contains (it has just been stored as drawn)."""
    artist.stale = False  # (setting False does not propagate to the parents)
    for child in artist.get_children():
        _freshen(child)


def _axis_parts(axis: Axis, ticks) -> list:
    """The artists an Axis draws: its label, its offset text and the ticks it drew (with their lines and labels)."""
    return [axis.label, axis.offsetText, *ticks]


def _text_key(text) -> tuple:
    return (text.get_text(), text.get_visible(), text.get_color(), text.get_fontsize(), text.get_rotation())


def _line_key(line) -> tuple:
    return (line.get_visible(), line.get_color(), line.get_alpha(), line.get_linestyle(), line.get_linewidth(),
            line.get_markersize(), line.get_markeredgewidth())


def _axis_key(axis: Axis):
    """Everything an Axis draws depends on but its Axes' place: its limits and scale, ticks, labels, settings."""
    if not axis.get_visible():
        return None, []
    ticks = axis._update_ticks()  # what Axis.draw itself draws: tick positions and labels for the current view
    key = (
        tuple(axis.get_view_interval()), axis.get_scale(),
        tuple((tick.get_loc(), _text_key(tick.label1), _text_key(tick.label2), _line_key(tick.gridline),
               _line_key(tick.tick1line), _line_key(tick.tick2line)) for tick in ticks),
        _text_key(axis.label), axis.label.get_position() if not axis._autolabelpos else None,
        axis.major.formatter.get_offset(), _text_key(axis.offsetText)[1:],  # (its text is set when drawn)
        repr(sorted(axis._major_tick_kw.items())), repr(sorted(axis._minor_tick_kw.items())),
    )
    return key, ticks


def _hashable(value):
    """``value`` (nested tuples, lists, arrays, dicts of what artists' getters return) as a key of a dict."""
    if isinstance(value, (tuple, list)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.shape, value.dtype.str, value.tobytes()
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _hashable(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return type(value).__name__, repr(value)
    return value


def _look_of(artist) -> tuple:
    """What a legend entry's handle looks like (its type and every property that shows)."""
    getters = ("get_color", "get_linestyle", "get_linewidth", "get_marker", "get_markersize", "get_markerfacecolor",
               "get_markeredgecolor", "get_markeredgewidth", "get_facecolor", "get_edgecolor", "get_hatch",
               "get_alpha", "get_visible", "get_dashes", "get_drawstyle", "get_fillstyle", "get_sizes",
               "get_linewidths", "get_facecolors", "get_edgecolors", "get_paths", "get_zorder")
    look = [type(artist).__name__]
    for name in getters:
        getter = getattr(artist, name, None)
        if getter is not None:
            value = getter()
            if name == "get_paths":
                value = tuple(p.vertices.tobytes() for p in value)
            elif isinstance(value, np.ndarray):
                value = (value.shape, value.tobytes())
            elif name == "get_marker" and not isinstance(value, (str, int, float, type(None))):
                return (object(),)  # a marker path: never equal, never pasted
            look.append(repr(value))
    return tuple(look)


def _legend_look(legend: Legend) -> tuple | None:
    """Everything a legend's picture depends on but its place: entries, handles, title, frame, spacing."""
    try:
        frame = legend.get_frame()
        title = legend.get_title()
        settings = tuple(repr(getattr(legend, name)) for name in (
            "_loc", "_ncols", "_fontsize", "borderpad", "labelspacing", "handlelength", "handleheight",
            "handletextpad", "borderaxespad", "columnspacing", "markerscale", "numpoints", "scatterpoints",
            "shadow", "_mode", "_bbox_to_anchor", "_draggable"))
        texts = tuple(_text_key(t) + (t.get_fontweight(), t.get_fontfamily(), t.get_fontstyle(), t.get_alpha())
                      for t in legend.texts)
        handles = tuple(_look_of(h) for h in legend.legend_handles if h is not None)
        return (settings, texts, handles, _text_key(title) + (title.get_fontweight(),),
                legend.get_frame_on(), legend.get_visible(), legend.get_alpha(), legend.get_zorder(),
                _look_of(frame), repr(frame.get_boxstyle()), len(legend.get_children()))
    except (AttributeError, TypeError, ValueError):
        return None


def _draw_order(ax: Axes) -> list:
    """The artists ``Axes.draw`` draws, in its order (the Axes patch first, then by z-order)."""
    artists = ax.get_children()
    artists.remove(ax.patch)
    if not (ax.axison and ax.get_frame_on()):
        for spine in ax.spines.values():
            artists.remove(spine)
    if not ax.axison:
        for axis in ax._axis_map.values():
            artists.remove(axis)
    artists = sorted((a for a in artists if not a.get_animated()), key=attrgetter("zorder"))
    if ax.axison and ax.get_frame_on():
        artists = [ax.patch] + artists
    return artists


class FrameRenderer:
    """Renders a figure into its Agg canvas, redrawing only what changed since the previous frame.

    ``render()`` returns the canvas pixels, the same as ``fig.canvas.draw()`` would
    leave there.  ``full_renders`` and ``layer_renders`` count the work done (tests
    and the benchmark read them).
    """

    def __init__(self, fig: Figure):
        self.fig = fig
        self._layers: dict[Axes, _Layer] = {}
        self._kinds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._memos: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # artist -> _Memo
        self._last_keys: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # artist -> its previous memo key
        self._legend_memos: dict = {}  # (Axes, which legend) -> _Memo
        self._legend_keys: dict = {}
        self._legend_drawn: dict = {}  # (Axes, which legend) -> the legend last drawn there
        self._blank = None  # uint32 (h, w): the figure with nothing but its background
        self._background = None  # uint32 (h, w): the blank figure with every static layer
        self._paused = False
        self._frame_axis_keys: dict = {}  # Axis -> _axis_key(axis), in the frame being drawn
        self.frames = 0
        self.full_renders = 0
        self.layer_renders = 0
        self.pasted = 0
        fig.canvas.mpl_connect("draw_event", self._drawn_elsewhere)

    # --- bookkeeping ------------------------------------------------------------------------------------

    def invalidate(self) -> None:
        """Forget every stored layer: the next frame is drawn from scratch."""
        self._layers.clear()
        self._memos.clear()
        self._last_keys.clear()
        self._legend_memos.clear()
        self._legend_keys.clear()
        self._legend_drawn.clear()
        self._blank = self._background = None

    def _drawn_elsewhere(self, event) -> None:
        """A full draw (``png(fig)``, ``savefig``) cleared the stale flags we rely on: start again."""
        if not self._paused:
            self.invalidate()

    @contextlib.contextmanager
    def paused(self):
        """Let a full draw happen without dropping the stored layers (for tests that compare the two)."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    # --- one frame ------------------------------------------------------------------------------------------

    def render(self) -> np.ndarray:
        """Draw the figure; return its pixels as an (h, w, 4) uint8 array (a view of the canvas: copy to keep)."""
        fig = self.fig
        canvas = fig.canvas
        self.frames += 1
        if not self._can_split():
            canvas.draw()
            self.full_renders += 1
            return np.asarray(canvas.get_renderer().buffer_rgba())
        renderer = canvas.get_renderer()
        self._frame_axis_keys = {}
        with getattr(Figure, "_render_lock", contextlib.nullcontext()):
            engine = fig.get_layout_engine()
            if fig.axes and engine is not None:
                try:
                    engine.execute(fig)
                except ValueError:  # as in Figure.draw
                    pass
            artists = fig.get_children()
            artists.remove(fig.patch)
            artists = sorted((a for a in artists if not a.get_animated()), key=attrgetter("zorder"))
            axes = [a for a in artists if isinstance(a, Axes)]
            on_top = [a for a in artists if not isinstance(a, Axes)]
            if axes and on_top and artists.index(on_top[0]) < artists.index(axes[-1]):
                return self._full(canvas)  # a figure-level artist under an Axes: not worth splitting
            for ax in axes:  # as Figure._get_draw_artists does
                self._apply_aspect(ax, renderer)
                for child in ax.get_children():
                    if hasattr(child, "apply_aspect"):
                        self._apply_aspect(child, renderer)

            pixels = np.asarray(renderer.buffer_rgba())
            frame = pixels.view(np.uint32).reshape(pixels.shape[:2])
            if self._blank is None or self._blank.shape != frame.shape or _stale(fig.patch):
                self.invalidate()
                frame[...] = 0
                fig.patch.draw(renderer)
                _freshen(fig.patch)
                self._blank = frame.copy()
                self._background = frame.copy()

            for ax in list(self._layers):
                if ax not in axes:
                    self._forget(self._layers.pop(ax))
            changed = [layer for layer in (self._plan(ax, renderer) for ax in axes) if not layer.valid]
            if changed:
                self._store(changed, [self._layers[ax] for ax in axes], renderer, frame)
            frame[...] = self._background
            for ax in axes:
                for artist in self._layers[ax].moving:
                    self._draw(artist, ax, renderer, frame)
                ax.stale = False
            for artist in on_top:
                _draw_artist(artist, renderer)
        fig.stale = False
        return pixels

    def _axis_key(self, axis: Axis):
        """``_axis_key(axis)``, worked out once per frame (nothing moves an axis while a frame is drawn)."""
        if axis not in self._frame_axis_keys:
            self._frame_axis_keys[axis] = _axis_key(axis)
        return self._frame_axis_keys[axis]

    def _full(self, canvas) -> np.ndarray:
        self.invalidate()
        canvas.draw()  # (its draw_event invalidates again: harmless)
        self.full_renders += 1
        return np.asarray(canvas.get_renderer().buffer_rgba())

    def _can_split(self) -> bool:
        fig = self.fig
        return (isinstance(fig.canvas, FigureCanvasAgg) and fig.get_visible() and not fig.subfigs
                and fig.suppressComposite is not False and fig.get_agg_filter() is None
                and hasattr(Axes, "_update_title_position") and hasattr(Axes, "_unstale_viewLim"))

    @staticmethod
    def _apply_aspect(ax, renderer) -> None:
        locator = ax.get_axes_locator()
        ax.apply_aspect(locator(ax, renderer) if locator else None)

    def _forget(self, layer: _Layer) -> None:
        """An Axes was removed: clear its pixels from the background."""
        if layer.tile is not None and self._background is not None:
            self._repaint([layer.tile.box], list(self._layers.values()))

    # --- which artists are static, and is the stored layer still good? ----------------------------------

    def _kind(self, artist, ax: Axes, new_layer: bool, stored: set) -> str:
        kind = self._kinds.get(artist)
        if kind is None:  # first seen
            usually_static = artist is ax.patch or isinstance(artist, _USUALLY_STATIC)
            kind = _MOVING if not usually_static else _STATIC if new_layer else _PENDING
        elif kind == _PENDING:  # drawn on top for one frame: store it if it has not changed since
            kind = _MOVING if _stale(artist) else _STATIC
        elif kind == _STATIC and artist not in stored and _stale(artist):
            kind = _MOVING  # (a stored artist that changed is found by _plan, which redraws its layer)
        self._kinds[artist] = kind
        return kind

    def _plan(self, ax: Axes, renderer) -> _Layer:
        """Split ``ax``'s artists into its static layer and those drawn on top; mark the layer invalid if needed."""
        layer = self._layers.get(ax)
        new_layer = layer is None
        if new_layer:
            layer = self._layers[ax] = _Layer(ax)
        ax._unstale_viewLim()
        self._apply_aspect(ax, renderer)
        unit = (type(ax).draw is not Axes.draw or ax.get_agg_filter() is not None
                or ax.get_rasterization_zorder() is not None)

        # An Axis in the stored layer: was any of its parts touched since (read before anything else
        # recomputes its ticks), and do its ticks, labels and settings still match the stored ones?
        touched = {axis: any(_stale(a) for a in _axis_parts(axis, layer.axis_ticks[axis]))
                   for axis in layer.axis_keys}
        self._title_position(ax, renderer)
        axes_changed = False
        for axis, was_touched in touched.items():
            key, ticks = self._axis_key(axis)
            if was_touched or key != layer.axis_keys[axis]:
                axes_changed = True
            else:
                for part in _axis_parts(axis, ticks):
                    _freshen(part)  # _update_ticks set their flags again, to the same values

        order = [] if unit else _draw_order(ax)
        stored = set(layer.static) if layer.valid else set()
        cut = len(order)
        for i, artist in enumerate(order):
            if not isinstance(artist, Axis) and self._kind(artist, ax, new_layer, stored) != _STATIC:
                cut = i
                break
        static, moving = order[:cut], ([ax] if unit else order[cut:])
        if layer.tangled:
            static, moving = [], static + moving
        key = (ax.bbox.bounds,)
        if any(not (a is ax.patch or isinstance(a, (Spine, Axis))) for a in static):  # (an Axis has its own key)
            key += (tuple(ax.viewLim.bounds), ax.get_xscale(), ax.get_yscale())
        changed = [a for a in static if not isinstance(a, Axis) and a in stored and _stale(a)]
        valid = (layer.valid and not axes_changed and not changed and key == layer.key
                 and len(static) == len(layer.static)
                 and all(a is b for a, b in zip(static, layer.static, strict=True)))
        if changed:  # changed while stored: drawn on top from now on
            for a in changed:
                self._kinds[a] = _MOVING
            cut = static.index(changed[0])
            static, moving = static[:cut], static[cut:] + moving
        layer.static, layer.moving, layer.key, layer.valid = static, moving, key, valid
        return layer

    def _title_position(self, ax: Axes, renderer) -> None:
        """Place the titles as ``Axes.draw`` does; skip its costly part (measuring the y axis) when it cannot matter.

        Matplotlib raises a title above tick labels or an axis label at the top, or
        above the y axis's offset text ("1e4") where they would overlap.  Without any
        of these, the titles sit at y = 1 (axes coordinates) plus their pad.
        """
        titles = (ax.title, ax._left_title, ax._right_title)
        simple = (
            ax._autotitlepos in (None, True) and any(t.get_text() for t in titles) and not ax.child_axes
            and len(ax._twinned_axes.get_siblings(ax)) == 1
            and len(ax.get_figure(root=False)._align_label_groups["title"].get_siblings(ax)) == 1
            and ax.xaxis.get_label_position() != "top" and not self._x_labels_on_top(ax.xaxis)
        )
        if simple:
            self._axis_key(ax.yaxis)  # (its _update_ticks sets the formatter's offset for the current view)
            simple = not (ax.yaxis.offsetText.get_visible() and ax.yaxis.major.formatter.get_offset())
        if simple:
            top = ax.spines.get("outline", ax).get_window_extent().ymax
            simple = top >= 0
        if simple:
            for title in titles:
                x, y = title.get_position()
                if y != 1.0:  # (setting it marks the title changed: only when it is)
                    title.set_position((x, 1.0))
            simple = all(not t.get_text() or t.get_window_extent(renderer).ymin >= top for t in titles)
        if not simple:
            ax._update_title_position(renderer)

    @staticmethod
    def _x_labels_on_top(axis) -> bool:
        """Whether an x axis may put tick labels or its offset text above its Axes (then titles move up).

        ``Axes._update_title_position`` measures the x axis when its ticks sit at the
        top or at "unknown" (e.g. after ``label_outer()``); what it measures is the tick
        labels, the label and the offset text, none of which is above the Axes unless
        one of these is on.
        """
        if axis.get_ticks_position() == "top":
            return True
        return bool(axis._major_tick_kw.get("label2On", False) or axis._minor_tick_kw.get("label2On", False)
                    or getattr(axis, "offset_text_position", "bottom") != "bottom")

    # --- drawing one artist, or pasting what it drew last time ------------------------------------------------

    def _memo_key(self, artist, ax: Axes):
        """What the pixels of ``artist`` depend on besides the pixels under it; None: not worth remembering.

        An Axis: its ticks, labels and settings, its limits and scale, the Axes' place.
        A legend (at a fixed place) or a text: that it has not changed since we last
        drew it (matplotlib marks it stale when it does), the Axes' place, limits, scales.
        """
        if isinstance(artist, Axis):
            if not artist.get_visible():
                return None
            return ax.bbox.bounds, self._axis_key(artist)[0]
        if isinstance(artist, Text) and not artist.get_text() or not isinstance(artist, (Legend, Text)):
            return None
        if isinstance(artist, Legend):
            if getattr(artist, "_loc", 0) in (0, "best"):  # placed by where the lines are
                return None
            look = _legend_look(artist)  # (a lesson may build the same legend anew in every frame)
            if look is None or artist is self._legend_drawn.get(self._slot(artist, ax)) and _stale(artist):
                return None
            on_data = getattr(artist, "_bbox_to_anchor", True) is not None  # (anchored elsewhere than the Axes)
        else:
            if _stale(artist):
                return None
            look, on_data = (), artist.get_transform().contains_branch(ax.transData)
        return (ax.bbox.bounds, look) + ((tuple(ax.viewLim.bounds), ax.get_xscale(), ax.get_yscale())
                                          if on_data else ())

    def _slot(self, artist, ax: Axes):
        """Where the memo of ``artist`` is kept: a legend's under its place in its Axes (a new legend that
        looks the same is the same picture); any other artist's under the artist itself."""
        if isinstance(artist, Legend):
            legends = [a for a in ax.get_children() if isinstance(a, Legend)]
            return ax, legends.index(artist) if artist in legends else -1
        return artist

    def _draw(self, artist, ax: Axes, renderer, frame: np.ndarray) -> None:
        """Draw ``artist`` onto ``frame``, unless it is unchanged and so are the pixels under it: then paste.

        Pasting is exact: an unchanged artist drawn over the same pixels gives the
        same pixels.  The memo covers every pixel the artist touches (found by drawing
        it once on a transparent canvas).  An artist is remembered once the same key
        comes twice in a row, so that one that changes in every frame costs nothing extra.
        """
        key = self._memo_key(artist, ax)
        if key is None:
            _draw_artist(artist, renderer)
            if isinstance(artist, (Legend, Text)):
                _freshen(artist)  # drawn as it is now: stale from here on means changed
                if isinstance(artist, Legend):
                    self._legend_drawn[self._slot(artist, ax)] = artist
            return
        slot = self._slot(artist, ax)
        memos, last_keys = (self._legend_memos, self._legend_keys) if isinstance(slot, tuple) else \
            (self._memos, self._last_keys)
        memo = memos.get(slot)
        if memo is not None and memo.key == key:
            region = frame[memo.box]
            if np.array_equal(region, memo.under):
                region[...] = memo.over
                self.pasted += 1
            else:  # the same artist over something new: draw it, remember the new pixels
                memo.under = region.copy()
                _draw_artist(artist, renderer)
                memo.over = region.copy()
        elif last_keys.get(slot) == key:  # the same twice in a row: remember it
            before = frame.copy()
            frame[...] = 0  # drawn once on nothing, to see every pixel it touches
            _draw_artist(artist, renderer)
            y0, y1, x0, x1 = _Tile.bounds(frame != 0)
            index = (slice(y0, y1), slice(x0, x1))
            frame[...] = before
            _draw_artist(artist, renderer)
            memos[slot] = _Memo(key, index, before[index].copy(), frame[index].copy())
        else:
            _draw_artist(artist, renderer)
        last_keys[slot] = key
        if isinstance(slot, tuple):
            self._legend_drawn[slot] = artist
        if not isinstance(artist, Axis):
            _freshen(artist)

    # --- drawing the stored layers -------------------------------------------------------------------------------

    def _store(self, changed: list[_Layer], layers: list[_Layer], renderer, frame: np.ndarray) -> None:
        """Re-render each changed layer on a bare figure (or take it from the layer's recent tiles), then repaint
        the background where it was and is.

        A tile depends on the Axes' place and limits, on which artists are in the layer (none
        of them changed since: a changed one leaves the layer for good) and on each axis's
        ticks and labels; so a tile drawn for the same of all these is the same tile.  A slider
        dragged to and fro brings an axis back to limits it had: its tile is pasted, not drawn.
        """
        boxes = []
        for layer in changed:
            old = layer.tile
            layer.axis_keys, layer.axis_ticks, layer.tile = {}, {}, None
            if layer.static:
                axes_now = {a: self._axis_key(a) for a in layer.static if isinstance(a, Axis)}
                signature = (layer.key, tuple(layer.static), _hashable([key for key, _ in axes_now.values()]))
                layer.tile = layer.tiles.pop(signature, None)
                if layer.tile is None:
                    frame[...] = self._blank
                    for artist in layer.static:
                        self._draw(artist, layer.ax, renderer, frame)
                    layer.tile = self._cut(frame)
                    self.layer_renders += 1
                if layer.tile is not None:
                    layer.tiles[signature] = layer.tile  # the most recent last
                    while len(layer.tiles) > _LAYER_TILES:
                        del layer.tiles[next(iter(layer.tiles))]
                for artist in layer.static:
                    if isinstance(artist, Axis):
                        layer.axis_keys[artist], layer.axis_ticks[artist] = axes_now[artist]
                        for part in _axis_parts(artist, layer.axis_ticks[artist]):
                            _freshen(part)
                        artist.stale = False
                    else:
                        _freshen(artist)
            layer.valid = True
            boxes += [tile.box for tile in (old, layer.tile) if tile is not None]
        boxes += self._untangle(layers, changed, renderer, frame.shape)
        self._repaint(boxes, layers)

    def _untangle(self, layers: list[_Layer], changed: list[_Layer], renderer, shape) -> list:
        """Stop storing a layer whose pixels touch an earlier Axes: its area, its stored pixels, its titles,
        an axis or a legend it draws on top outside its area.  (A full render draws that layer over the
        earlier Axes' changing artists, so it cannot sit under them.)  Such a layer is drawn whole in
        every frame from then on.  (A legend placed by ``loc`` alone stays inside its Axes' area.)"""
        boxes = []
        for i, later in enumerate(layers):
            tile = later.tile
            if tile is None:
                continue
            for earlier in layers[:i]:
                if later not in changed and earlier not in changed:
                    continue  # (checked when one of them was last stored)
                zones = [_box(earlier.ax.bbox, shape, pad=3)]
                zones += [_box(t.get_window_extent(renderer), shape, pad=2)
                          for t in (earlier.ax.title, earlier.ax._left_title, earlier.ax._right_title) if t.get_text()]
                zones += [_box(a.get_tightbbox(renderer), shape, pad=2) for a in earlier.moving
                          if a.get_visible() and (isinstance(a, Axis) or isinstance(a, Legend)
                                                  and getattr(a, "_bbox_to_anchor", True) is not None)]
                touching = any(tile.drawn[tile.inside(zone)].any() for zone in zones if tile.overlaps(zone))
                if not touching and earlier.tile is not None and tile.overlaps(earlier.tile.box):
                    zone = tile.common(earlier.tile)
                    touching = (tile.drawn[tile.inside(zone)] & earlier.tile.drawn[earlier.tile.inside(zone)]).any()
                if touching:
                    boxes.append(tile.box)
                    later.tangled = True
                    later.static, later.moving, later.tile = [], later.static + later.moving, None
                    later.axis_keys, later.axis_ticks = {}, {}
                    break
        return boxes

    def _cut(self, frame: np.ndarray) -> _Tile | None:
        drawn = frame != self._blank
        y0, y1, x0, x1 = _Tile.bounds(drawn)
        if y0 == y1:
            return None
        return _Tile(y0, y1, x0, x1, frame[y0:y1, x0:x1].copy(), drawn[y0:y1, x0:x1].copy())

    def _repaint(self, boxes, layers: list[_Layer]) -> None:
        """Background = the bare figure with every stored tile, recomputed inside ``boxes`` only."""
        for box in boxes:
            y0, y1, x0, x1 = box
            self._background[y0:y1, x0:x1] = self._blank[y0:y1, x0:x1]
            for layer in layers:
                tile = layer.tile
                if tile is None or not tile.overlaps(box):
                    continue
                inner = tile.inside(box)
                outer = (slice(tile.y0 + inner[0].start, tile.y0 + inner[0].stop),
                         slice(tile.x0 + inner[1].start, tile.x0 + inner[1].stop))
                np.copyto(self._background[outer], tile.pixels[inner], where=tile.drawn[inner])


def _draw_artist(artist, renderer) -> None:
    """``artist.draw(renderer)``; a legend with each of its boxes laid out once (``_laid_out_once``)."""
    box = getattr(artist, "_legend_box", None) if isinstance(artist, Legend) else None
    if not isinstance(box, OffsetBox):
        artist.draw(renderer)
        return
    with _laid_out_once(box):
        artist.draw(renderer)


#: The layout methods of an offset box (a legend is a tree of them: packers of rows of handle and text).
_LAYOUT_METHODS = ("get_bbox", "_get_bbox_and_child_offsets")


@contextlib.contextmanager
def _laid_out_once(root: OffsetBox):
    """While drawing ``root``'s tree, each box computes its size and its children's offsets once.

    Matplotlib asks a box for its layout again from every level above it: drawing a
    five-entry legend lays each text out six times, half the cost of the draw.  Nothing
    a layout depends on (texts, fonts, pads) changes during one draw, so the first answer
    is the answer: the pixels are the same (``tests/test_redraw.py``).
    """
    boxes, todo = [], [root]
    while todo:
        box = todo.pop()
        if isinstance(box, OffsetBox):
            boxes.append(box)
            todo.extend(box.get_children())
    for box in boxes:
        for name in _LAYOUT_METHODS:
            setattr(box, name, _once(getattr(box, name)))
    try:
        yield
    finally:
        for box in boxes:
            for name in _LAYOUT_METHODS:
                vars(box).pop(name, None)


def _once(method):
    """``method(renderer)``, computed on the first call for each renderer and then repeated."""
    answers = {}

    def once(renderer):
        if renderer not in answers:
            answers[renderer] = method(renderer)
        return answers[renderer]

    return once


# --- text: the same glyphs, rendered once ---------------------------------------------------------------------

#: What ``RendererAgg`` needs to draw text glyph by glyph (matplotlib ≥ 3.11); without it, text is drawn as usual.
_GLYPH_API = (all(hasattr(RendererAgg, name) for name in ("_draw_text_glyphs_and_boxes", "_prepare_font"))
              and all(hasattr(FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph")))
_LAYOUTS: dict = {}  # (font, size, dpi, text, flags, features, language) -> [(font, glyph, x, y), ...]
_GLYPHS: dict = {}  # (font, size, dpi, glyph, matrix, x mod 1 px, y mod 1 px, flags, antialiased) -> bitmap
_CACHE_LIMIT = 40_000  # entries in each cache before it starts again (a few MB)
_HEIGHTS: dict = {}  # (font properties, dpi, font rcParams) -> (ascent, descent, line gap) of the font, in pixels
_FONT_RC = ("font.family", "font.style", "font.variant", "font.weight", "font.stretch", "font.size", "font.serif",
            "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace")


class FastRendererAgg(RendererAgg):
    """``RendererAgg`` that remembers text layouts and rendered glyphs: the same pixels, drawn without FreeType.

    Matplotlib (3.11) lays text out with libraqm and renders it glyph by glyph at
    1/64-pixel positions; a figure redrawn fifty times renders the same glyphs at
    the same sub-pixel offsets fifty times.  A glyph's bitmap depends only on the
    font, size, transform and the position's fraction of a pixel (a whole-pixel
    shift moves the bitmap and changes nothing else), so it is rendered once per
    fraction and then copied.  ``tests/test_redraw.py`` checks the pixels against
    matplotlib's own renderer.
    """

    def _get_font_height_metrics(self, prop):
        """The font's ascent, descent and line gap at this size, as ``Text._get_layout`` works them out from the
        font's tables (matplotlib 3.11 asks the renderer first): looked up once per font, not per text laid out."""
        rc = [dict.__getitem__(matplotlib.rcParams, name) for name in _FONT_RC]  # (which font a family means)
        key = (hash(prop), self.dpi, *(tuple(v) if isinstance(v, list) else v for v in rc))
        metrics = _HEIGHTS.get(key)
        if metrics is None:
            metrics = _HEIGHTS[key] = _font_height_metrics(prop, self.dpi)
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not _GLYPH_API:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        font = self._prepare_font(prop)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        flags = get_hinting_flag()
        key = (font, size, self.dpi, s, flags, tuple(features) if features else features,
               language if not isinstance(language, list) else tuple(map(tuple, language)))
        items = _LAYOUTS.get(key)
        if items is None:
            if len(_LAYOUTS) > _CACHE_LIMIT:
                _LAYOUTS.clear()
            items = _LAYOUTS[key] = [(item.ft_object, item.glyph_index, item.x, item.y)
                                     for item in font._layout(s, flags=flags, features=features, language=language)]
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle, ((ft_object, size, glyph, 0, 1, gx, gy) for ft_object, glyph, gx, gy in items), [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        if not _GLYPH_API:
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        from matplotlib.ft2font import RenderMode

        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        flags = get_hinting_flag()
        antialiased = gc.get_antialiased()
        matrices = {}
        for font, size, glyph, slant, extend, dx, dy in glyphs:  # as RendererAgg does, dy upwards
            sx = round(0x40 * (x + dx * cos - dy * sin))
            sy = round(0x40 * (self.height - y + dx * sin + dy * cos))
            (px, fx), (py, fy) = divmod(sx, 0x40), divmod(sy, 0x40)
            shape = (slant, extend)
            if shape not in matrices:
                matrices[shape] = (0x10000 * np.array([[cos, -sin], [sin, cos]])
                                   @ [[extend, extend * slant], [0, 1]]).round().astype(int)
            matrix = matrices[shape]
            key = (font, size, self.dpi, glyph, cos, sin, shape, fx, fy, flags, antialiased)
            cached = _GLYPHS.get(key)
            if cached is None:
                if len(_GLYPHS) > _CACHE_LIMIT:
                    _GLYPHS.clear()
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [fx, fy])
                bitmap = font._render_glyph(glyph, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
                buffer = np.array(bitmap.buffer)  # (a view of FreeType's slot, overwritten by the next glyph)
                if not antialiased:
                    buffer *= 0xFF
                cached = _GLYPHS[key] = (buffer, bitmap.left, bitmap.top)
            buffer, left, top = cached
            self._renderer.draw_text_image(buffer, left + px, int(self.height) - (top + py) + buffer.shape[0], 0, gc)
        if boxes:
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, (), boxes)


def _font_height_metrics(prop, dpi: float) -> tuple:
    """What ``matplotlib.text.Text._get_layout`` (3.11) computes for a font when its renderer does not say:
    (ascent, descent, line gap) in pixels from the OS/2 or hhea table; (None, None, None): measure instead."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, linegap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"), ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale
    return None, None, None


class FastCanvasAgg(FigureCanvasAgg):
    """The Agg canvas, drawing with ``FastRendererAgg``."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key or not isinstance(getattr(self, "renderer", None), FastRendererAgg):
            self.renderer = FastRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


# --- PNG ------------------------------------------------------------------------------------------------------------


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def encode_png(pixels: np.ndarray, text: dict[str, str] | None = None, level: int = 2) -> bytes:
    """An (h, w, 4) RGBA uint8 image as PNG bytes: RGB when fully opaque, no row filter, zlib ``level``.

    About four times faster than Pillow's encoder at its fastest setting (which tries a
    filter per row: 4.5 against 19.8 ms for a 1400 × 420 frame of lesson 03), since a figure
    is mostly flat colour and needs no filter to compress well.  The deflate is zlib-ng's
    when installed (``_deflate``): its level 2 gives the size of zlib's level 1 in half its
    time (that frame: 134 kB in 2.9 ms against 5.8 ms; its level 1 saves 0.9 ms and sends
    23 % more bytes to the browser).  ``text``
    becomes tEXt chunks (Latin-1), e.g. the control values a frame was drawn from.
    """
    h, w, _ = pixels.shape
    opaque = bool((pixels[..., 3] == 255).all())
    channels = 3 if opaque else 4
    if opaque and sys.byteorder == "little" and w > 1:
        rows = _rgb_rows(np.ascontiguousarray(pixels))
    else:
        rows = np.empty((h, 1 + w * channels), np.uint8)
        rows[:, 0] = 0  # filter type: none
        rows[:, 1:].reshape(h, w, channels)[...] = pixels[..., :channels]
    header = struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0)
    chunks = [_chunk(b"IHDR", header)]
    for key, value in (text or {}).items():
        chunks.append(_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")))
    chunks.append(_chunk(b"IDAT", _deflate.compress(rows, level)))
    chunks.append(_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _rgb_rows(pixels: np.ndarray) -> np.ndarray:
    """The rows of an RGB PNG without row filter (a 0 byte, then R, G, B of each pixel) from RGBA pixels.

    Dropping every fourth byte costs numpy a slow loop over triples; instead each pixel is
    written as one 4-byte word 3 bytes after the previous one, its 4th byte being the next
    pixel's R, which that pixel's word writes too: the words overlap only in equal bytes, so
    the order of the writes does not matter (about ten times faster).  Little-endian only.
    """
    h, w, _ = pixels.shape
    u = pixels.view(np.uint32).reshape(h, w)  # R | G << 8 | B << 16 | A << 24
    words = u & 0x00FFFFFF
    words[:, :-1] |= u[:, 1:] << 24  # the next pixel's R
    buffer = np.empty(h * (1 + 3 * w) + 1, np.uint8)  # (the last word's 4th byte lands in the extra one)
    np.ndarray((h, w), np.uint32, buffer=buffer, offset=1, strides=(1 + 3 * w, 3))[...] = words
    rows = buffer[:-1].reshape(h, 1 + 3 * w)
    rows[:, 0] = 0  # filter type: none (a row's last word wrote a byte of 0 here)
    return rows


def png_text(data: bytes) -> dict[str, str]:
    """The tEXt chunks of PNG bytes, as a dict (what ``encode_png`` wrote)."""
    data, found, at = bytes(data), {}, 8
    while at + 8 <= len(data):
        length, tag = struct.unpack(">I4s", data[at:at + 8])
        if tag == b"tEXt":
            key, _, value = data[at + 8:at + 8 + length].partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        at += 12 + length
    return found
