"""lessons.momentum: every widget redraws on every control, the prose's numbers, the exercise check."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from helpers.optimizers import SGD, Momentum, Nesterov, run
from helpers.surfaces import SURFACES, elongated_quadratic
from lessons import momentum as lesson

Q = elongated_quadratic()

# Values each control is moved through (extremes included); every other control keeps its value.
VALUES = {
    "lr": [1e-4, 1e-3, 0.02, 0.3, 0.55, 1.0, 2.0],
    "beta": [0.0, 0.3, 0.9, 0.99],
    "form": list(lesson.FORMS),
    "surface": list(SURFACES),
    "start": None,  # the options of the current surface
}


def _state(widget):
    """What a redraw may change: every path line's data, every title, the picture."""
    lines = {name: line.get_xydata().copy() for name, line in widget.path_lines.items()}
    titles = [ax.get_title() for ax in widget.fig.axes]
    return lines, titles, widget.image.value


def _changed(before, after):
    lines_b, titles_b, image_b = before
    lines_a, titles_a, image_a = after
    paths = any(lines_b[k].shape != lines_a[k].shape or not np.allclose(lines_b[k], lines_a[k], equal_nan=True)
                for k in lines_b)
    return paths, titles_b != titles_a, image_b != image_a


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_control_of_every_widget_redraws(name):
    widget = lesson.WIDGETS[name]()  # pytest turns any warning into an error
    assert widget.image.value[:4] == b"\x89PNG"
    for control, values in VALUES.items():
        if control not in widget.controls:
            continue
        for value in values or list(widget.controls[control].options)[1:] + [widget.controls[control].options[0]]:
            if widget.controls[control].value == value:
                continue
            before, old = _state(widget), widget.controls[control].value
            widget.controls[control].value = value
            if widget.controls[control].value == old:  # clamped to the slider's range: nothing moved
                continue
            paths, titles, image = _changed(before, _state(widget))
            assert image, (name, control, value)
            assert paths or titles, (name, control, value)
            bottom, top = widget.ax_loss.get_ylim()
            assert 0 < bottom < top < np.inf
        if control == "surface":
            widget.controls["surface"].value = list(SURFACES)[0]
    assert widget.redraws > 10


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_extreme_corners_draw_and_label_divergence(name):
    widget = lesson.WIDGETS[name]()
    for lr in [1e-4, 0.01, 0.5, 2.0]:
        for beta in [0.0, 0.99]:
            widget.controls["lr"].value = lr
            widget.controls["beta"].value = beta
            for contender, k in widget.diverged.items():
                label = widget.path_lines[contender].get_label()
                assert label == (contender if k is None else f"{contender}: diverged at step {k}")
                xy = widget.path_lines[contender].get_xydata()
                assert np.all(np.isfinite(xy)) and np.all(np.abs(xy) < 1e3)  # clipped, not 1e300
            bottom, top = widget.ax_loss.get_ylim()
            assert 0 < bottom < top < np.inf
            if lr == 2.0:
                assert widget.diverged["GD"] is not None and widget.diverged["Momentum"] is not None


def test_velocity_panel_shows_both_components_and_follows_the_sliders():
    pg = lesson.velocity_playground()
    panel = pg.panel
    v = pg.traces["Momentum"].history("v")
    np.testing.assert_array_equal(panel.v_lines[0].get_ydata(), v[:, 0])  # along w
    np.testing.assert_array_equal(panel.v_lines[1].get_ydata(), v[:, 1])  # along b
    g = Q.grad(pg.traces["Momentum"].path[:-1])
    np.testing.assert_array_equal(panel.g_lines[1].get_ydata(), g[:, 1])
    assert [ln.get_label() for ln in panel.v_lines] == ["v along w", "v along b"]
    assert panel.axes[1].get_xlim() == (0, 20)  # zoomed on the steps where v and g still move
    before = panel.v_lines[0].get_ydata().copy()
    pg.controls["beta"].value = 0.9
    assert not np.allclose(panel.v_lines[0].get_ydata(), before)
    assert panel.axes[1].get_xlim() == (0, 100)  # with β = 0.9 the velocity rings for the whole run
    pg.controls["form"].value = "ewma (lecture)"
    assert pg.panel.axes[0].get_title().endswith("ewma (lecture)")
    ewma_v = panel.v_lines[0].get_ydata().copy()  # β = 0.9, α = 0.45, lecture form
    pg.controls["form"].value = "sum (PyTorch)"
    pg.controls["lr"].value = 0.45 * (1 - 0.9)  # the same optimizer in the sum form …
    np.testing.assert_allclose(panel.v_lines[0].get_ydata(), ewma_v / (1 - 0.9),  # … whose v is v_ewma / (1 − β)
                               rtol=1e-9, atol=1e-12)
    pg.controls["surface"].value = "Rosenbrock"
    assert [ln.get_label() for ln in panel.v_lines] == ["v along x", "v along y"]
    assert pg.ax_path.get_xlabel() == "x"


def test_velocity_panel_stops_at_divergence():
    pg = lesson.velocity_playground()
    pg.controls["lr"].value = 2.0
    k = pg.diverged["Momentum"]
    assert k is not None and f"diverged at step {k}" in pg.panel.axes[0].get_title()
    assert len(pg.panel.v_lines[0].get_ydata()) == k + 1
    assert np.all(np.isfinite(pg.panel.axes[0].get_ylim()))


def test_forms_in_the_playground_are_the_same_optimizer_rescaled():
    pg = lesson.velocity_playground()
    pg.controls["beta"].value = 0.5
    pg.controls["form"].value = "ewma (lecture)"
    pg.controls["lr"].value = 0.9
    ewma_path = pg.traces["Momentum"].path.copy()
    pg.controls["form"].value = "sum (PyTorch)"
    pg.controls["lr"].value = 0.45
    np.testing.assert_allclose(pg.traces["Momentum"].path, ewma_path, rtol=1e-12, atol=1e-12)


def test_start_menu_on_the_lesson_surface():
    pg = lesson.velocity_playground()
    assert len(pg.controls["start"].options) == 3
    pg.controls["start"].value = "(−5, 0): along the valley only"
    np.testing.assert_array_equal(pg.traces["GD"].path[:, 1], 0)  # no zig-zag at all
    pg.controls["surface"].value = "Beale"
    assert pg.controls["start"].options == ("default start",)
    pg.controls["surface"].value = "elongated quadratic"  # back: the three starts again, the first selected
    assert len(pg.controls["start"].options) == 3 and pg.controls["start"].value.startswith("(−5, −2)")
    np.testing.assert_array_equal(pg.start_marker.get_xydata()[0], Q.start)


def test_map_is_computed_once_and_the_marker_follows_the_sliders(monkeypatch):
    pg = lesson.map_playground()
    calls = []
    monkeypatch.setattr(lesson, "steps_to_stay", lambda *a, **k: calls.append(1))
    panel = pg.panel
    assert panel.grid is lesson.steps_map()  # the cached grid, not a new one
    for lr, beta in [(0.01, 0.0), (0.1, 0.9), (1.0, 0.5)]:
        pg.controls["lr"].value = lr
        pg.controls["beta"].value = beta
        np.testing.assert_allclose(panel.marker.get_xydata()[0], [np.log10(lr), beta])
    assert not calls  # moving the sliders never recomputes the map
    title = [ax.get_title() for ax in pg.fig.axes if ax.get_title().startswith("momentum's steps")][0]
    assert "not within 1000 steps" in title  # α = 1, β = 0.5 is beyond α·λ_max = 2(1 + β)


def test_map_title_reads_the_grid_at_slider_positions():
    pg = lesson.map_playground()
    pg.controls["lr"].value = 10**-0.35
    pg.controls["beta"].value = 0.5
    expected = lesson.steps_to(Momentum(10**-0.35, 0.5, form="sum"))
    title = [ax.get_title() for ax in pg.fig.axes if ax.get_title().startswith("momentum's steps")][0]
    assert f"at the circle: {expected:.0f} steps" in title


def test_map_equals_separate_runs_and_the_theoretical_boundary():
    grid = lesson.steps_map()
    lrs, betas = lesson.map_grid()
    assert grid.shape == (len(betas), len(lrs)) and not grid.flags.writeable
    assert np.isclose(lrs[0], 0.01) and np.isclose(lrs[-1], 10**0.3) and betas[0] == 0 and np.isclose(betas[-1], 0.99)
    rng = np.random.default_rng(3)
    for i, j in zip(rng.integers(0, len(betas), 12), rng.integers(0, len(lrs), 12), strict=True):
        path = run(Momentum(lrs[j], betas[i], form="sum"), Q.grad, Q.start, 2 * lesson.MAP_STEPS)
        with np.errstate(invalid="ignore", over="ignore"):
            outside = np.flatnonzero(~(np.linalg.norm(path - Q.minimum, axis=1) <= lesson.TOL))
        alone = outside[-1] + 1 if outside.size else 0  # the step after its last visit outside the ball
        assert grid[i, j] == (alone if alone <= lesson.MAP_STEPS else np.inf)
    # Beyond α·λ_max = 2(1 + β) nothing converges; well inside, near the optimum, everything does.
    check = lesson.boundary_check()
    assert check["beyond and converged"] == 0 and check["beyond"] > 0
    assert np.all(np.isfinite(grid[(betas > 0.3) & (betas < 0.5)][:, (lrs > 0.4) & (lrs < 0.6)]))
    best = lesson.best_on_map()
    assert best["steps"] == grid.min() and 0.3 < best["beta"] < 0.5


def test_map_boundary_in_the_ewma_form_is_the_rescaled_sum_boundary():
    beta = np.array([0.0, 0.5, 0.9])
    np.testing.assert_allclose(lesson.momentum_limit(4.0, beta, "sum"), [0.5, 0.75, 0.95])
    np.testing.assert_allclose(lesson.momentum_limit(4.0, beta, "ewma"), [0.5, 1.5, 9.5])
    np.testing.assert_allclose(lesson.nesterov_limit(4.0, beta), [0.5, 0.375, 0.95 / 2.8])
    # The boundaries are where the iteration on f = λx²/2 stops converging: just inside / just outside.
    lam = 4.0
    for b in beta:
        for form in ("sum", "ewma"):
            limit = lesson.momentum_limit(lam, b, form)
            inside = run(Momentum(0.98 * limit, b, form=form), lambda x: lam * x, np.array([1.0]), 3000)
            outside = run(Momentum(1.02 * limit, b, form=form), lambda x: lam * x, np.array([1.0]), 3000)
            assert abs(inside[-1, 0]) < 1e-3 and not abs(outside[-1, 0]) < 1
        limit = lesson.nesterov_limit(lam, b)
        assert abs(run(Nesterov(0.98 * limit, b), lambda x: lam * x, np.array([1.0]), 3000)[-1, 0]) < 1e-3
        assert not abs(run(Nesterov(1.02 * limit, b), lambda x: lam * x, np.array([1.0]), 3000)[-1, 0]) < 1


def test_gradient_descent_numbers():
    assert lesson.gd_limit(4.0) == 0.5
    rates = lesson.gd_rates(Q)
    np.testing.assert_allclose(list(rates.values()), [0.05, 0.45, 0.55])
    runs = lesson.gd_runs(Q)
    small, below, above = (runs[lr] for lr in rates.values())
    assert small["diverged"] is None and below["diverged"] is None and above["diverged"] is not None
    # Independent: GD on a diagonal quadratic is b_k = (1 − αλ_b)^k b_0; the loss passes 1e6 × start when …
    b = Q.start[1] * (1 - 0.55 * 4) ** np.arange(101)
    w = Q.start[0] * (1 - 0.55 * 0.2) ** np.arange(101)
    loss = 0.1 * w**2 + 2 * b**2
    assert above["diverged"] == int(np.argmax(loss > 1e6 * loss[0]))
    # … and converges when max(|w_k|, |b_k|) falls below tol (both shrink geometrically).
    k = np.arange(5000)
    dist = np.hypot(Q.start[0] * (1 - 0.45 * 0.2) ** k, Q.start[1] * (1 - 0.45 * 4) ** k)
    assert below["steps"] == int(np.argmax(dist <= lesson.TOL))


def test_best_settings_match_theory():
    gd, mom = lesson.best_gd(Q), lesson.best_momentum(Q)
    assert np.isclose(gd["lr"], 2 / 4.2) and np.isclose(gd["rate"], 19 / 21)
    kappa = 20
    assert np.isclose(mom["beta"], ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2)
    assert np.isclose(mom["lr"], 4 / (2 + np.sqrt(0.2)) ** 2)
    assert mom["steps"] < gd["steps"] / 3
    # The asymptotic rate: the error ratio over the last steps of a long run equals √β*.
    path = run(Momentum(mom["lr"], mom["beta"], form="sum"), Q.grad, Q.start, 200)
    norms = np.linalg.norm(path, axis=1)
    assert abs((norms[150] / norms[50]) ** (1 / 100) - mom["rate"]) < 0.02
    path = run(SGD(gd["lr"]), Q.grad, Q.start, 200)
    norms = np.linalg.norm(path, axis=1)
    assert abs((norms[150] / norms[50]) ** (1 / 100) - gd["rate"]) < 1e-6


def test_rosenbrock_comparison():
    f = lesson.rosenbrock_comparison(lr=1e-3, betas=(0.95,), steps=100)
    surface = SURFACES["Rosenbrock"]()
    assert f["GD"] == surface.f(run(SGD(1e-3), surface.grad, surface.start, 100)[-1])
    assert f["momentum, β = 0.95"] < f["GD"] / 10


def test_averaging_ratios_and_starts():
    ratios = lesson.averaging_ratios(Q)
    assert ratios["b"] < 0.2 < 0.8 < ratios["w"] < 1
    table = lesson.start_comparison()
    both = table["(−5, −2): both directions"]
    assert both["Momentum"] < both["GD"]
    assert both["GD"] == lesson.steps_to(SGD(0.45)) and both["Momentum"] == lesson.steps_to(
        Momentum(0.45, 0.5, form="sum"))


def test_lookahead_step_is_nesterov():
    """Sutskever's look-ahead steps, read at their look-ahead points, are PyTorch's Nesterov (helpers)."""
    lr, beta = 0.3, 0.9
    x, u = Q.start.copy(), np.zeros(2)
    ahead_points = [x - lr * beta * u]
    for _ in range(20):
        step = lesson.lookahead_step(lr, beta, x, u, Q.grad)
        u = beta * u + Q.grad(step["ahead"])  # u_t = β u_{t-1} + ∇f(x_{t-1} − αβ u_{t-1})
        x = x - lr * u  # x_t = x_{t-1} − α u_t
        np.testing.assert_allclose(step["nesterov"], x, rtol=1e-12, atol=1e-12)
        ahead_points.append(x - lr * beta * u)
    np.testing.assert_allclose(np.array(ahead_points), run(Nesterov(lr, beta), Q.grad, Q.start, 20),
                               rtol=1e-12, atol=1e-12)


def test_lookahead_step_points():
    x, u = np.array([-4.7, 0.4]), np.array([-1.0, -8.0])
    step = lesson.lookahead_step(0.3, 0.9, x, u, Q.grad)
    ahead = x - 0.27 * u
    np.testing.assert_allclose(step["ahead"], ahead)
    np.testing.assert_allclose(step["polyak"], ahead - 0.3 * Q.grad(x))
    np.testing.assert_allclose(step["nesterov"], ahead - 0.3 * Q.grad(ahead))


def test_static_figures_have_titles_labels_and_legends():
    for make in (lesson.gd_figure, lesson.averaging_figure, lesson.lookahead_figure):
        fig = make()
        assert fig.axes[0].get_ylabel()  # a second panel may share the first one's y-axis
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_title() and (ax.get_legend() is not None or fig.legends)
    labels = [t.get_text() for t in lesson.gd_figure().axes[0].get_legend().get_texts()]
    assert any(label.endswith("diverged at step 39") for label in labels)


# --- the exercise ---------------------------------------------------------------------------


def correct(x, v, g, lr, beta):
    v = beta * v + g
    return x - lr * v, v


def in_place(x, v, g, lr, beta):  # correct too: the check passes copies
    v *= beta
    v += g
    x -= lr * v
    return x, v


def stub(x, v, g, lr, beta):
    raise NotImplementedError  # your code here


SLIPS = {
    "lecture form": lambda x, v, g, lr, beta: (x - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g),
    "previous velocity": lambda x, v, g, lr, beta: (x - lr * v, beta * v + g),
    "plain gradient descent": lambda x, v, g, lr, beta: (x - lr * g, beta * v + g),
    "moves uphill": lambda x, v, g, lr, beta: (x + lr * (beta * v + g), beta * v + g),
    "β multiplies the gradient": lambda x, v, g, lr, beta: (x - lr * (v + beta * g), v + beta * g),
    "returns (v, x)": lambda x, v, g, lr, beta: (beta * v + g, x - lr * (beta * v + g)),
}


def test_check_passes_correct_solutions():
    for fn in (correct, in_place):
        feedback = lesson.check_momentum_step(fn)
        assert feedback.passed and feedback.message.startswith("✓ Correct: all 8 steps")


def test_check_says_not_yet_for_the_stub():
    feedback = lesson.check_momentum_step(stub)
    assert not feedback.passed and feedback.message.startswith("Not yet: stub still raises")


@pytest.mark.parametrize("slip", list(SLIPS))
def test_check_names_each_common_slip(slip):
    feedback = lesson.check_momentum_step(SLIPS[slip])
    assert not feedback.passed
    assert "✗ Not yet. x_" in feedback.message and "(the first difference, at t = " in feedback.message
    hint = feedback.message.split("Hint: ")[1]
    words = {"lecture form": "lecture form", "previous velocity": "previous velocity",
             "plain gradient descent": "plain gradient descent", "moves uphill": "uphill",
             "β multiplies the gradient": "β multiplies the gradient", "returns (v, x)": "returns (v, x)"}
    assert words[slip] in hint


def test_check_explains_other_mistakes():
    def wrong_later(x, v, g, lr, beta):
        v = beta * v + g
        return x - lr * v * (1 if np.linalg.norm(x - Q.start) < 1e-12 else 1.1), v

    feedback = lesson.check_momentum_step(wrong_later)
    assert "x_2 is" in feedback.message and "Steps before 2 agree" in feedback.message
    assert "returned None" in lesson.check_momentum_step(lambda x, v, g, lr, beta: None).message
    assert "should return 2 things, (x, v), in that order; at step 1 it returned ndarray" in \
        lesson.check_momentum_step(lambda x, v, g, lr, beta: x).message
    assert "raised ZeroDivisionError" in lesson.check_momentum_step(lambda x, v, g, lr, beta: (1 / 0, v)).message
    bad_shape = lesson.check_momentum_step(lambda x, v, g, lr, beta: (np.zeros(3), v))
    assert not bad_shape.passed and "shape" in bad_shape.message

    calls = []

    def wrong_last_v(x, v, g, lr, beta):  # x right at every step, the last v returned wrong
        calls.append(1)
        x_new, v_new = correct(x, v, g, lr, beta)
        return x_new, (2 * v_new if len(calls) == lesson.EXERCISE["steps"] else v_new)

    feedback = lesson.check_momentum_step(wrong_last_v)
    assert not feedback.passed and feedback.message.startswith("✗ Not yet: x is right but v is not. v_8 is")


def sutskever(x, v, g, lr, beta):  # the learning rate inside the velocity
    v = beta * v + lr * g
    return x - v, v


def cs231n(x, v, g, lr, beta):  # v is the step itself
    v = beta * v - lr * g
    return x + v, v


@pytest.mark.parametrize("fn, name", [(sutskever, "ascribes to Sutskever et al."),
                                      (cs231n, "Sutskever et al.'s own signs, and CS231n's")])
def test_check_accepts_a_velocity_with_the_learning_rate_inside_and_names_its_convention(fn, name):
    """The exercise compares x, and these give PyTorch's x path exactly: they pass, and v's convention is named
    (before, they were told to 'check the starting values')."""
    feedback = lesson.check_momentum_step(fn)
    assert feedback.passed and feedback.message.startswith("✓ Correct: all 8 steps of x match")
    assert name in feedback.message and "starting values" not in feedback.message
    assert "only when α changes during training" in feedback.message


def test_check_states_its_setup_and_keeps_helpers_messages_out():
    lines = lesson.check_momentum_step(SLIPS["previous velocity"]).message.splitlines()
    assert lines[1] == ("  The check used: α = 0.3, β = 0.8, 8 steps on f(w, b) = 0.1 w² + 2 b² from x_0 = (−5, −2) "
                        "with v_0 = (0, 0), each step given g = surface.grad(x) at the current x.")
    expected = run(Momentum(0.3, 0.8, form="sum"), Q.grad, Q.start, 8)  # what that line lets a learner recompute
    assert f"expected ({expected[1, 0]:.4g}, {expected[1, 1]:.4g})" in lines[0]
    for wrong, words in [((np.zeros(3), None), "its x has shape (3,)"), ((np.zeros((1, 2)), None), "shape (1, 2)"),
                         (("x", None), "should return numbers for x; at step 1 its x is str 'x'")]:
        message = lesson.check_momentum_step(lambda x, v, g, lr, beta, wrong=wrong: (wrong[0], v)).message
        assert words in message and "p must have" not in message and "last axis" not in message, message


def test_check_names_the_line_an_exception_came_from():
    namespace = {"np": np}
    source = "def momentum_step(x, v, g, lr, beta):\n    v = beta * v + g\n    return x - lr * v[2], v\n"
    exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - as a notebook cell defines it
    lines = lesson.check_momentum_step(namespace["momentum_step"]).message.splitlines()
    assert lines[0].startswith("✗ momentum_step raised IndexError")
    assert lines[1] == "  It came from line 3 of its cell, in momentum_step"
    assert lines[2].startswith("  The check used: α = 0.3")


def test_x_right_v_wrong_says_so_without_blaming_the_start():
    calls = []

    def last_v_doubled(x, v, g, lr, beta):
        calls.append(1)
        x_new, v_new = correct(x, v, g, lr, beta)
        return x_new, (2 * v_new if len(calls) == lesson.EXERCISE["steps"] else v_new)

    lines = lesson.check_momentum_step(last_v_doubled).message.splitlines()
    assert lines[0].startswith("✗ Not yet: x is right but v is not. v_8 is")
    assert lines[1].startswith("  The check used: α = 0.3") and "starting values" not in "".join(lines)
    assert lines[2] == ("  Hint: every x is right, so each step moved along the right velocity; return that same "
                        "v_t = β·v_{t−1} + g_t as the second value.")


# --- staying within the tolerance, the cold start, Nesterov's row, the surfaces' rates ------------------------


def test_steps_to_stay_is_after_the_last_visit_outside():
    """Momentum spirals: its first arrival within 1e-6 can come long before it stays there."""
    opt = Momentum(0.1413, 0.9, form="sum")
    stays, first = lesson.steps_to(opt), lesson.first_arrival(opt)
    path = run(opt, Q.grad, Q.start, 2000)
    dist = np.linalg.norm(path - Q.minimum, axis=1)
    assert np.all(dist[int(stays):] <= lesson.TOL) and dist[int(stays) - 1] > lesson.TOL
    assert first < stays and dist[int(first)] <= lesson.TOL
    # batched: one call for many runs, each the same as alone; a diverging run never stays
    lrs = np.array([0.1413, 0.45, 2.0])
    batch = lesson.steps_to_stay(Momentum(lrs[:, None], 0.9, form="sum"), Q.grad, np.broadcast_to(Q.start, (3, 2)),
                                 Q.minimum, 1000)
    assert batch[0] == stays and batch[1] == lesson.steps_to(Momentum(0.45, 0.9, form="sum")) and np.isinf(batch[2])
    with pytest.raises(ValueError, match="steps must be"):
        lesson.steps_to_stay(opt, Q.grad, Q.start, Q.minimum, 0)


def test_the_maps_count_agrees_with_sqrt_beta_per_step():
    """Issue 7, point 6: at β = 0.9 the map said 240, a first arrival at α = 0.141 whose run swings out again and
    stays inside only from step 292; counting staying, the row's fastest is 277, and √β = 0.949 per step needs
    about 294 steps to shrink ‖x_0 − x*‖ = 5.39 to 1e-6."""
    row = lesson.beta_row(0.9)
    assert row["first"] == 240 and row["first_lr"] == pytest.approx(0.1413, abs=1e-4) and row["first_stays"] == 292
    assert row["fastest"] == 277 and row["lr"] == pytest.approx(0.0266, abs=1e-4)
    estimate = lesson.spiral_estimate(0.9)
    assert round(estimate) == 294 and 0.9 * estimate < row["fastest"] <= row["median"] < 1.05 * estimate
    assert lesson.first_arrival(Momentum(row["first_lr"], 0.9, form="sum")) == 240
    assert lesson.best_on_map()["steps"] == 36 and lesson.beta_row(0.0)["fastest"] == 156  # GD: arrival = staying


GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch_dampening.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["torch"] + "-" + c["problem"])
def test_dampened_momentum_is_torchs_sgd_with_dampening(case):
    grad = Q.grad if case["problem"] == "quadratic" else (lambda x: np.full_like(x, 3.0))
    opt = lesson.DampenedMomentum(case["lr"], case["beta"], dampening=case["dampening"])
    ours = run(opt, grad, np.array(case["x0"]), GOLDEN["steps"])
    theirs = np.array(case["path"])
    scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
    assert (np.abs(ours - theirs).max(axis=1) / scale).max() < 1e-12


def test_dampening_zero_is_the_sum_form_and_bad_values_are_named():
    ours = run(lesson.DampenedMomentum(0.45, 0.5), Q.grad, Q.start, 50)
    np.testing.assert_allclose(ours, run(Momentum(0.45, 0.5, form="sum"), Q.grad, Q.start, 50), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="dampening must be in"):
        lesson.DampenedMomentum(0.1, 0.9, dampening=1.5)
    with pytest.raises(ValueError, match="lr must be"):
        lesson.DampenedMomentum(0.0, 0.9)


def test_both_forms_ramp_up_alike_and_only_dampening_starts_at_full_speed():
    """Issue 7, point 4: the cold start is not the lecture form's alone."""
    for row in lesson.cold_start_table((0.5, 0.9, 0.99)):
        beta = row["beta"]
        for t in (1, 10):
            assert row["lecture"][t] == pytest.approx(1 - beta**t) == pytest.approx(row["sum"][t])
            assert row["dampened"][t] == pytest.approx(1.0)
        assert row["sum vs GD"][1] == pytest.approx(1.0) and row["lecture vs GD"][1] == pytest.approx(1 - beta)
        assert row["sum vs GD"][10] == pytest.approx((1 - beta**10) / (1 - beta))
    check = lesson.dampening_check()
    assert check["from_g1"] < 1e-12 < 1 < check["lecture"]  # dampening = β: the lecture form from v_0 = g_1


def test_nesterovs_row_reads_the_gradient_at_the_stored_parameters():
    """Issue 7, point 5: g_t at the stored x (already the look-ahead point) is PyTorch's Nesterov; a second
    look-ahead from there is another method, which diverges at the playground's defaults."""
    paths = lesson.nesterov_row_paths()
    np.testing.assert_allclose(paths["row"], run(Nesterov(0.3, 0.9), Q.grad, Q.start, 100), rtol=1e-12, atol=1e-12)
    assert lesson.divergence_step(Q, paths["second look-ahead"]) == 11
    gentle = lesson.nesterov_row_paths(lr=0.1)
    assert lesson.divergence_step(Q, gentle["second look-ahead"]) is None
    assert np.abs(gentle["second look-ahead"] - gentle["row"]).max() > 0.1


def test_the_nesterov_playgrounds_defaults_as_the_prose_tells_them():
    """At α = 0.3, β = 0.9 heavy ball is slower than GD; Nesterov overshoots furthest first, then rings least."""
    table = lesson.overshoot_table()
    assert table["momentum"]["steps"] > table["GD"]["steps"] > table["Nesterov"]["steps"]
    assert (table["GD"]["steps"], table["momentum"]["steps"], table["Nesterov"]["steps"]) == (250, 295, 184)
    assert round(table["Nesterov"]["top"], 2) == 2.56 and table["Nesterov"]["top_step"] == 1
    assert round(table["momentum"]["top"], 2) == 2.08 and table["momentum"]["top_step"] == 2
    assert table["Nesterov"]["ringing"] < table["momentum"]["ringing"] / 10
    # PyTorch's first Nesterov step is α(1 + β)g: 1.9 times gradient descent's, hence b = −2 + 0.3·1.9·8
    assert table["Nesterov"]["top"] == pytest.approx(-2 + 0.3 * 1.9 * 8)


def test_each_surface_starts_with_a_rate_that_shows_something():
    table = lesson.surface_rates(0.3, 0.9)
    for name in ("Rosenbrock", "Beale"):
        assert set(table[name]["at_default"].values()) == {1}  # the quadratic's α: every optimizer blows up at once
    for name, row in table.items():
        assert all(isinstance(f, float) and f < 10 for f in row["at_own"].values()), (name, row)
    pg = lesson.nesterov_playground()
    pg.controls["surface"].value = "Rosenbrock"
    assert pg.controls["lr"].value == pytest.approx(lesson.SURFACE_LRS["Rosenbrock"])
    assert all(k is None for k in pg.diverged.values())
    loss = pg.loss_lines["Nesterov"].get_ydata()
    assert np.isfinite(loss).all() and loss[-1] < loss[0] / 10  # the loss panel is not empty
    pg.controls["surface"].value = "elongated quadratic"
    assert pg.controls["lr"].value == pytest.approx(lesson.NESTEROV_DEFAULTS["lr"])
    velocity = lesson.velocity_playground()
    velocity.controls["surface"].value = "Beale"
    assert velocity.controls["lr"].value == pytest.approx(lesson.SURFACE_LRS["Beale"])
    assert all(k is None for k in velocity.diverged.values())


def test_the_ramp_is_within_one_percent_from_the_steps_the_lesson_prints():
    (row,) = lesson.cold_start_table((0.9,), at=(43, 44))
    assert row["sum"][43] < 0.99 <= row["sum"][44] and row["lecture"][44] == pytest.approx(row["ramp"][44])
    (row,) = lesson.cold_start_table((0.99,), at=(458, 459))
    assert row["lecture"][458] < 0.99 <= row["lecture"][459]


# --- more slips, named -----------------------------------------------------------------------------------


def test_check_names_nesterovs_step_a_typed_in_beta_and_a_velocity_never_returned():
    nesterov = lesson.check_momentum_step(lambda x, v, g, lr, beta: (x - lr * (g + beta * (beta * v + g)),
                                                                      beta * v + g))
    assert "x_1 is (-4.46, 2.32)" in nesterov.message and "Hint: your values match Nesterov's step" in nesterov.message
    typed = lesson.check_momentum_step(lambda x, v, g, lr, beta: (x - lr * (0.9 * v + g), 0.9 * v + g))
    assert "x_2 is" in typed.message and "Hint: your values match β = 0.9 typed in; the check runs β = 0.8" in \
        typed.message

    def old_v_returned(x, v, g, lr, beta):  # the right x, but v handed back unchanged: the next step sees v = 0
        return x - lr * (beta * v + g), v

    lines = lesson.check_momentum_step(old_v_returned).message.splitlines()
    assert lines[0].startswith("✗ Not yet. x_2 is") and lines[1].startswith("  The check used: α = 0.3")
    assert lines[2].startswith("  Hint: the v your function returns is still (0, 0) at every step")
    assert "plain gradient descent): step with the velocity" not in "".join(lines)  # not the GD slip's hint
    gd = lesson.check_momentum_step(SLIPS["plain gradient descent"]).message
    assert "Hint: your x moves along the gradient alone" in gd  # whose v is updated: that hint stays


# --- predict, then look: each question's answer is what the playground shows --------------------------


def test_question_past_gds_limit_only_gradient_descent_diverges():
    pg = lesson.velocity_playground()
    assert pg.controls["lr"].value == lesson.VELOCITY_DEFAULTS["lr"] and pg.controls["beta"].value == 0.5
    pg.controls["lr"].value = 10**-0.25  # the slider's first position past 2/λ_max = 0.5
    assert round(pg.controls["lr"].value, 2) == 0.56
    assert pg.diverged["GD"] is not None and pg.diverged["Momentum"] is None
    assert lesson.gd_limit(4.0) < pg.controls["lr"].value < lesson.momentum_limit(4.0, 0.5) == 0.75


def test_question_more_momentum_at_045_takes_more_steps():
    pg = lesson.velocity_playground()
    loss_05 = pg.loss_lines["Momentum"].get_ydata()[-1]
    pg.controls["beta"].value = 0.9
    assert pg.diverged["Momentum"] is None and pg.loss_lines["Momentum"].get_ydata()[-1] > 1e6 * loss_05
    slow, fast = (lesson.steps_to(Momentum(0.45, b, form="sum"), steps=5000) for b in (0.9, 0.5))
    assert (slow, fast) == (292, 48)


def test_question_raising_alpha_nesterov_diverges_first():
    pg = lesson.nesterov_playground()
    assert pg.diverged == {"GD": None, "Momentum": None, "Nesterov": None}
    pg.controls["lr"].value = 10**-0.45  # two slider steps up from 0.3
    assert pg.diverged["Nesterov"] is not None and pg.diverged["Momentum"] is None
    assert round(float(lesson.nesterov_limit(4.0, 0.9)), 3) == 0.339
    assert lesson.nesterov_limit(4.0, 0.9) < pg.controls["lr"].value
    assert lesson.momentum_limit(4.0, 0.9) == pytest.approx(0.95)


def test_question_map_the_fastest_cells_sit_near_the_boundary_with_a_moderate_beta():
    pg = lesson.map_playground()
    best = lesson.best_on_map()
    assert (round(best["lr"], 3), round(best["beta"], 2), best["steps"]) == (0.668, 0.41, 36)
    assert best["lr"] < lesson.momentum_limit(4.0, best["beta"]) < 1.1 * best["lr"]  # just left of the line
    grid = lesson.steps_map()
    assert grid[0].min() == 156 and np.isinf(grid[-1]).all()  # β = 0 (GD) and β = 0.99
    pg.controls["lr"].value, pg.controls["beta"].value = 10 ** round(math.log10(best["lr"]), 3), best["beta"]
    assert pg.ax_panel.get_title().endswith("(at the circle: 36 steps)")
