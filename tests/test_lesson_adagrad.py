"""lessons.adagrad: every widget redraws on every control, the prose's numbers, the exercise check."""

import numpy as np
import pytest

from helpers.optimizers import AdaGrad, run
from helpers.surfaces import elongated_quadratic, rosenbrock
from lessons import adagrad as lesson

# --- the interactive figures ----------------------------------------------------------------------


def _values(control):
    """Several positions of a control, extremes included, ending away from its current value."""
    options = getattr(control, "options", None)
    if options:
        return [v for v in list(options)[::-1] if v != control.value] + [control.value]
    low, high = control.base**control.min, control.base**control.max
    return [low, high, float(np.sqrt(low * high)), control.value]


def _lines(widget):
    return [line for ax in widget.fig.axes for line in ax.get_lines()]


def _snapshot(widget):
    return [(line.get_xydata().copy(), line.get_label()) for line in _lines(widget)]


def _changed(before, after):
    if len(before) != len(after):
        return True
    for (xy0, label0), (xy1, label1) in zip(before, after, strict=False):
        if label0 != label1 or xy0.shape != xy1.shape or not np.allclose(xy0, xy1, equal_nan=True):
            return True
    return False


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_control_changes_the_figure(name):
    widget = lesson.WIDGETS[name]()  # pyproject turns any warning into an error
    assert widget.image.value[:4] == b"\x89PNG"
    for key in list(widget.controls):
        control = widget.controls[key]
        for value in _values(control):
            if value == control.value:
                continue
            before, image = _snapshot(widget), widget.image.value
            control.value = value
            assert widget.image.value != image, (key, value)
            assert _changed(before, _snapshot(widget)), (key, value)
    for ax in widget.fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None


def test_playground_every_surface_start_and_extreme_draws():
    pg = lesson.playground()
    lr, eps = pg.controls["lr"], pg.controls["eps"]
    for surface in pg.controls["surface"].options:
        pg.controls["surface"].value = surface
        for start in pg.controls["start"].options:
            pg.controls["start"].value = start
            for value, e in ((10**lr.min, 10**eps.max), (10**lr.max, 10**eps.min)):  # the four extremes
                lr.value, eps.value = value, e
                for ax in (pg.ax_loss, pg.ax_panel):
                    bottom, top = ax.get_ylim()
                    assert 0 < bottom < top < np.inf, (surface, start, value, e)
                assert pg.ax_path.get_title().startswith(pg.surfaces[surface].name)


def test_playground_labels_divergence_and_shows_the_effective_rate():
    pg = lesson.playground()
    pg.controls["lr"].value = 1.0  # GD on 0.1 w² + 2 b² diverges for α > 0.5; AdaGrad does not
    k = pg.diverged["GD"]
    assert k is not None and pg.path_lines["GD"].get_label() == f"GD: diverged at step {k}"
    assert pg.diverged["AdaGrad"] is None
    s = pg.traces["AdaGrad"].history("s")[1:]
    rate_x, rate_y = (line.get_ydata() for line in pg.panel.lines)
    np.testing.assert_allclose(rate_x, 1.0 / (np.sqrt(s[:, 0]) + 1e-10))
    np.testing.assert_allclose(rate_y, 1.0 / (np.sqrt(s[:, 1]) + 1e-10))
    assert np.all(np.diff(rate_x) <= 0) and np.all(np.diff(rate_y) <= 0)  # s only grows
    np.testing.assert_allclose(pg.panel.gd.get_ydata(), 1.0)
    pg.controls["steps"].value = 500
    assert len(pg.loss_lines["AdaGrad"].get_xdata()) == 501 and len(rate_x) != len(pg.panel.lines[0].get_ydata())


def test_playground_starts_follow_the_surface():
    pg = lesson.playground()
    assert pg.controls["start"].options == ("default start", "equally far in w and b (−2.5, −2.5)")
    pg.controls["start"].value = "equally far in w and b (−2.5, −2.5)"
    path = pg.traces["AdaGrad"].path
    np.testing.assert_allclose(path[:, 0], path[:, 1], atol=1e-9)  # straight down the diagonal
    pg.controls["surface"].value = "Rosenbrock"
    assert pg.controls["start"].options == ("default start", "on the valley floor (−1, 1)")
    assert pg.controls["start"].value == "default start"
    pg.controls["start"].value = "on the valley floor (−1, 1)"
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], [-1.0, 1.0])
    pg.controls["surface"].value = "saddle"
    assert pg.controls["start"].options == ("default start",)


def test_playground_opens_where_adagrad_wins_and_names_the_coordinates_as_the_axes_do():
    pg = lesson.playground()
    assert pg.controls["surface"].value == lesson.STRETCHED
    loss = {name: line.get_ydata() for name, line in pg.loss_lines.items()}
    assert loss["AdaGrad"][-1] < loss["GD"][-1] / 10  # κ = 200, α = 0.4: AdaGrad ahead after 100 steps
    labels = [t.get_text() for t in pg.ax_panel.get_legend().get_texts()]
    assert labels[:2] == ["AdaGrad, w", "AdaGrad, b"] and pg.ax_path.get_xlabel().startswith("w")
    assert pg.ax_loss.get_ylabel() == r"$f(x_k) - f^*$"  # typeset, by helpers.plotting.loss_axis
    pg.controls["surface"].value = "Rosenbrock"
    labels = [t.get_text() for t in pg.ax_panel.get_legend().get_texts()]
    assert labels[:2] == ["AdaGrad, x", "AdaGrad, y"] and pg.ax_path.get_xlabel() == "x"
    pg.controls["surface"].value = "elongated quadratic"  # lesson 03's bowl: GD ahead at the same α
    loss = {name: line.get_ydata() for name, line in pg.loss_lines.items()}
    assert loss["GD"][-1] < loss["AdaGrad"][-1] / 10


def test_rate_panel_leaves_room_for_its_legend_above_the_curves():
    pg = lesson.playground()
    for surface in pg.controls["surface"].options:
        pg.controls["surface"].value = surface
        legend = pg.ax_panel.get_legend()
        assert legend._loc == 1  # upper right
        drawn = np.concatenate([line.get_ydata() for line in pg.ax_panel.get_lines()])
        drawn = drawn[np.isfinite(drawn) & (drawn > 0)]
        low, high = pg.ax_panel.get_ylim()
        # the curves fill at most the lower two thirds of the log axis: the top third is the legend's
        assert np.log(drawn.max() / low) <= 2 / 3 * np.log(high / low) + 1e-9, surface


def test_sparse_figure_labels_and_divergence():
    fig = lesson.sparse_features()
    labels = [fig.lines[(name, 1)].get_label() for name in ("GD", "AdaGrad")]
    assert labels == ["GD: within 1 % from step 459", "AdaGrad: within 1 % from step 29"]
    fig.controls["lr"].value = 10 ** fig.controls["lr"].max
    assert fig.lines[("GD", 0)].get_label().startswith("GD: diverged at step")
    assert np.all(np.abs(fig.lines[("GD", 0)].get_ydata()[np.isfinite(fig.lines[("GD", 0)].get_ydata())]) < 1e4)
    fig.controls["p"].value = 10 ** fig.controls["p"].min
    assert fig.axes[1].get_title() == "rare feature (in 2 of 1000 samples, 0.2%)"


# --- static figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lesson.idea_figure, lesson.stall_figure])
def test_static_figures_are_labelled(make):
    fig = make()
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None


# --- the numbers the prose claims ----------------------------------------------------------------------


def test_first_step_is_alpha_only_from_zero_and_for_gradients_well_above_eps():
    g = np.array([1.0, 0.1, 1e-2, 1e-4, 1e-8, 1e-10, 1e-12])
    np.testing.assert_allclose(lesson.first_steps(g, eps=1e-10), g / (g + 1e-10), rtol=1e-12)
    assert lesson.first_steps([1e-10], eps=1e-10)[0] == pytest.approx(0.5)  # |g| = ε: half a step
    keras = lesson.first_steps(g, eps=1e-10, initial_accumulator=0.1)
    np.testing.assert_allclose(keras, g / (np.sqrt(0.1 + g**2) + 1e-10), rtol=1e-12)
    assert keras[0] == pytest.approx(0.9535, abs=1e-4) and keras[1] == pytest.approx(0.3015, abs=1e-4)


def test_opening_race_wins_on_the_stretched_bowl_and_loses_on_the_mild_one():
    r = lesson.opening_race(lr=0.4, steps=200, kappas=(20, 200))
    np.testing.assert_allclose(r[20]["AdaGrad"], r[200]["AdaGrad"], atol=1e-8)  # λ cancels (ε aside)
    assert r[20]["GD steps"] == 103 and r[200]["GD steps"] == 1061
    assert r[20]["AdaGrad steps"] == r[200]["AdaGrad steps"] == 381
    assert r[200]["AdaGrad"][-1] < r[200]["GD"][-1] / 10 and r[20]["GD"][-1] < r[20]["AdaGrad"][-1] / 1e4


def test_first_step_moves_every_coordinate_by_alpha():
    sizes = lesson.first_step_sizes(lr=0.4, steps=5)
    g0 = np.abs(elongated_quadratic().grad(np.array([-5.0, -2.0])))
    np.testing.assert_allclose(sizes["GD"][0], 0.4 * g0)  # (0.4, 3.2)
    np.testing.assert_allclose(sizes["AdaGrad"][0], [0.4, 0.4], rtol=1e-9)
    # GD on a quadratic: x_k = (1 − αλ)^k x_0, so |Δx_k| = αλ |1 − αλ|^(k−1) |x_0|
    lam, x0, k = np.array([0.2, 4.0]), np.array([5.0, 2.0]), np.arange(1, 6)[:, None]
    np.testing.assert_allclose(sizes["GD"], 0.4 * lam * np.abs(1 - 0.4 * lam) ** (k - 1) * x0)


def test_steps_by_condition_number_against_closed_form():
    kappas = (1, 20, 100)
    counts = lesson.steps_by_condition_number(kappas, lr_gd=0.4, lr_adagrad=1.0)
    assert len(set(counts["AdaGrad"])) == 1  # AdaGrad's path ignores the curvatures
    for kappa, n in zip(kappas, counts["GD"], strict=False):
        lam = np.array([4.0 / kappa, 4.0])
        k = np.arange(20_000)[:, None]
        dist = np.linalg.norm(np.abs(1 - 0.4 * lam) ** k * np.array([5.0, 2.0]), axis=1)
        assert n == np.argmax(dist <= 1e-3)


def test_adagrad_path_is_the_same_on_every_axis_aligned_bowl():
    paths = [run(AdaGrad(0.4), elongated_quadratic(k).grad, np.array([-5.0, -2.0]), 200) for k in (1, 7, 300)]
    np.testing.assert_allclose(paths[0], paths[1], atol=1e-8)
    np.testing.assert_allclose(paths[0], paths[2], atol=1e-8)


def test_constant_slope_steps_shrink_like_one_over_root_t():
    out = lesson.constant_slope(lr=0.1, steps=10_000)
    t = np.arange(1, 10_001)
    np.testing.assert_allclose(out["step"], 0.1 / (np.sqrt(t) + 1e-10), rtol=1e-9)
    assert out["distance"] == pytest.approx(np.sum(0.1 / np.sqrt(t)), rel=1e-9)
    assert out["estimate"] == pytest.approx(20.0) and out["gd_distance"] == pytest.approx(1000.0)
    assert 0.99 * out["estimate"] < out["distance"] < out["estimate"]  # Σ 1/√t < 2√T


def test_rosenbrock_stall_against_a_plain_loop():
    stall = lesson.rosenbrock_stall(lr=0.02, lr_gd=0.001, steps=2000, checkpoints=(10, 2000))
    surface = rosenbrock()
    x, s = surface.start.copy(), np.zeros(2)
    for _ in range(2000):
        g = surface.grad(x)
        s = s + g * g
        x = x - 0.02 * g / (np.sqrt(s) + 1e-10)
    np.testing.assert_allclose(stall.points[-1], x, rtol=1e-10)
    np.testing.assert_allclose(stall.rates[-1], 0.02 / (np.sqrt(s) + 1e-10), rtol=1e-10)
    assert stall.distances[-1] == pytest.approx(np.linalg.norm(x - [1.0, 1.0]))
    assert stall.start_distance == pytest.approx(np.hypot(2.5, 1.0))
    assert np.all((stall.early_share > 0) & (stall.early_share <= 1))
    assert stall.distances[-1] > 2.0 > 1.0 > stall.gd_distance  # AdaGrad barely moved; GD is far ahead
    np.testing.assert_allclose(stall.early_share, stall.adagrad_s[10] / s, rtol=1e-10)


def test_sparse_problem():
    problem = lesson.sparse_problem(p=0.02)
    assert problem.n == 1000 and problem.active == 20 and problem.p == pytest.approx(0.02)
    assert set(np.unique(problem.X[:, 1])) == {0.0, 1.0}
    # w_hat solves the normal equations: the gradient vanishes there
    np.testing.assert_allclose(problem.grad(problem.w_hat), 0.0, atol=1e-12)
    w, h = np.array([0.3, -0.7]), 1e-6
    numeric = [(problem.loss(w + h * e) - problem.loss(w - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(problem.grad(w), numeric, rtol=1e-6)
    np.testing.assert_allclose(problem.curvatures(), np.diag(problem.X.T @ problem.X) / problem.n)
    # nested: more frequent keeps the rare samples already there
    more = lesson.sparse_problem(p=0.1)
    assert np.all(more.X[problem.X[:, 1] == 1, 1] == 1) and more.active == 100
    assert lesson.sparse_problem(p=1e-6).active == 1
    with pytest.raises(ValueError, match="p must be in"):
        lesson.sparse_problem(p=0.0)


def test_rare_weight_is_learned_much_faster_by_adagrad():
    race = lesson.sparse_race(lesson.sparse_problem(0.02), lr=0.5, steps=1000)
    gd, ada = race["GD"]["learned"], race["AdaGrad"]["learned"]
    assert gd[1] > 10 * ada[1] and ada[1] < 5 * ada[0]
    assert race["GD"]["diverged"] is None and race["AdaGrad"]["diverged"] is None
    assert lesson.sparse_race(lesson.sparse_problem(0.02), lr=3.0, steps=100)["GD"]["diverged"] is not None


def test_steps_to_learn_and_weights_diverged():
    target = np.array([1.0, 2.0])
    path = np.array([[0.0, 0.0], [0.995, 1.0], [1.02, 1.999], [1.001, 2.0], [1.0, 2.0]])
    np.testing.assert_array_equal(lesson.steps_to_learn(path, target, tol=0.01), [3, 2])
    np.testing.assert_array_equal(lesson.steps_to_learn(path[:1], target), [np.inf, np.inf])
    np.testing.assert_array_equal(lesson.steps_to_learn(np.array([[1.0, np.nan]]), target), [0, np.inf])
    assert lesson.weights_diverged(path, 2.0) is None
    assert lesson.weights_diverged(np.array([[0.0, 0.0], [1e4, 0.0], [np.nan, np.nan]]), 2.0) == 1


def test_race_matches_run():
    surface = elongated_quadratic()
    r = lesson.race(surface, lr=1.0, steps=50)
    np.testing.assert_allclose(r["AdaGrad"]["path"], run(AdaGrad(1.0), surface.grad, surface.start, 50))
    assert r["GD"]["diverged"] is not None and r["AdaGrad"]["diverged"] is None
    np.testing.assert_allclose(r["GD"]["rates"], 1.0)
    s = np.cumsum(np.array([surface.grad(x) for x in r["AdaGrad"]["path"][:-1]]) ** 2, axis=0)
    np.testing.assert_allclose(r["AdaGrad"]["rates"], 1.0 / (np.sqrt(s) + 1e-10), rtol=1e-9)


def test_small_helpers():
    assert lesson.at_most(6e-9) == "below 1e-08" and lesson.at_most(0.0) == "0"
    assert lesson.at_most(1e-9) == "below 1e-08" and lesson.at_most(3.0) == "below 1e+01"


# --- the exercise check ------------------------------------------------------------------------------------


def correct(x, g, s, lr, eps):
    s = s + g**2
    return x - lr * g / (np.sqrt(s) + eps), s


def in_place(x, g, s, lr, eps):  # mutating the arguments is allowed: the check passes copies
    s += g**2
    x -= lr * g / (np.sqrt(s) + eps)
    return x, s


def as_lists(x, g, s, lr, eps):  # lists of numbers are numbers too
    return [list(v) for v in correct(x, g, s, lr, eps)]


def test_check_passes_correct_solutions():
    for solution in (correct, in_place, as_lists):
        fb = lesson.check_adagrad_step(solution)
        assert fb.passed and fb.message.startswith("✓ Correct: all 6 steps of x and s match"), fb.message
        assert "again with α = 0.3, ε = 0.05" in fb.message


def _ewma(beta):
    def step(x, g, s, lr, eps):
        s = beta * s + (1 - beta) * g**2
        return x - lr * g / (np.sqrt(s) + eps), s
    return step


SLIPS = {
    "ε is inside the square root": lambda x, g, s, lr, eps: (x - lr * g / np.sqrt(s + g**2 + eps), s + g**2),
    "did you forget to square g?": lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s + g) + eps), s + g),
    "you divided by √s_{t−1}": lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s) + eps), s + g**2),
    "did you forget to add the previous s?": _ewma(0.0),
    "you return the old s": lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s + g**2) + eps), s),
    "did you forget the square root?": lambda x, g, s, lr, eps: (x - lr * g / (s + g**2 + eps), s + g**2),
    "where is ε?": lambda x, g, s, lr, eps: (x - lr * g / np.sqrt(s + g**2), s + g**2),
    "the step goes uphill": lambda x, g, s, lr, eps: (x + lr * g / (np.sqrt(s + g**2) + eps), s + g**2),
    "that is gradient descent's step": lambda x, g, s, lr, eps: (x - lr * g, s + g**2),
    "AdaGrad keeps one sum per coordinate":
        lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(np.sum(s + g**2)) + eps), s + g**2),
    "did you return (s, x)?": lambda x, g, s, lr, eps: correct(x, g, s, lr, eps)[::-1],
    "(here β = 0.9): that is next lesson's RMSProp": _ewma(0.9),
    "(here β = 0.99): that is next lesson's RMSProp": _ewma(0.99),
}

SETUP = ("The check used: α = 0.5, ε = 0.1, 6 steps on f(w, b) = 0.1 w² + 2 b² from x_0 = (3, 1.5) with s_0 = (0, 0), "
         "each step given g = surface.grad(x) at the current x.")


@pytest.mark.parametrize("hint", list(SLIPS))
def test_check_names_each_slip_and_states_its_setup(hint):
    fb = lesson.check_adagrad_step(SLIPS[hint])
    assert not fb.passed
    assert "✗ Not yet. x_" in fb.message and "Hint:" in fb.message and hint in fb.message, fb.message
    assert fb.message.count("Hint:") == 1 and SETUP in fb.message


def test_a_slip_s_hint_needs_its_s_too():
    def corrected(x, g, s, lr, eps):  # the right s, but a step whose x happens to match no known slip's
        s = s + g**2
        return x - lr * g / (np.sqrt(2 * s) + eps), s

    fb = lesson.check_adagrad_step(corrected)
    assert "Hint" not in fb.message and "Given the same x_0, g_1 and s_0, your x_1 is" in fb.message


def test_a_number_typed_in_for_a_hyperparameter_is_named():
    def lr_typed(x, g, s, lr, eps):  # right in the check's first run (α = 0.5) only
        s = s + g**2
        return x - 0.5 * g / (np.sqrt(s) + eps), s

    def eps_typed(x, g, s, lr, eps):
        s = s + g**2
        return x - lr * g / (np.sqrt(s) + 0.1), s

    def pytorch_lr(x, g, s, lr, eps):  # wrong already in the first run
        s = s + g**2
        return x - 0.01 * g / (np.sqrt(s) + eps), s

    for step, symbol in ((lr_typed, "α (lr)"), (eps_typed, "ε (eps)")):
        fb = lesson.check_adagrad_step(step)
        assert not fb.passed and "your step is right for α = 0.5, ε = 0.1 (the first run), but not for α = 0.3" \
            in fb.message, fb.message
        assert f"does not change when {symbol} does" in fb.message and "The check used: α = 0.3, ε = 0.05" in fb.message
    fb = lesson.check_adagrad_step(pytorch_lr)
    assert "x_1 is" in fb.message and "does not change when α (lr) does" in fb.message and SETUP in fb.message


def test_check_explains_other_failures():
    def stub(x, g, s, lr, eps):
        raise NotImplementedError

    def only_x(x, g, s, lr, eps):
        return x - lr * g

    def crashes(x, g, s, lr, eps):
        return x / "s"

    def forgot_return(x, g, s, lr, eps):
        s = s + g**2

    def summed(x, g, s, lr, eps):
        s = np.sum(s + g**2)
        return x - lr * g / (np.sqrt(s) + eps), s

    def unknown(x, g, s, lr, eps):  # a slip the check does not know: no hint, but the first wrong output
        s = s + g**2
        return x - 0.9 * lr * g / (np.sqrt(s) + eps), s

    assert lesson.check_adagrad_step(stub).message.startswith("Not yet: stub still raises NotImplementedError")
    fb = lesson.check_adagrad_step(only_x)
    assert "should return 2 things, (x_new, s_new), in that order; at step 1 it returned ndarray" in fb.message
    assert SETUP in fb.message
    fb = lesson.check_adagrad_step(crashes)
    assert "✗ crashes raised TypeError" in fb.message and "in crashes: return x / \"s\"" in fb.message
    assert "did you forget the `return`?" in lesson.check_adagrad_step(forgot_return).message
    assert "its s_new has shape ()" in lesson.check_adagrad_step(summed).message
    fb = lesson.check_adagrad_step(unknown)
    assert not fb.passed and "x_1 is" in fb.message and "Hint" not in fb.message
    assert "check x_t = x_{t−1} − α g_t / (√s_t + ε)" in fb.message


def test_check_reports_a_wrong_s_even_when_x_is_right():
    def returns_half_s(x, g, s, lr, eps):
        x_new, s_new = correct(x, g, 2 * s, lr, eps)  # undo the halving before using s
        return x_new, s_new / 2

    fb = lesson.check_adagrad_step(returns_half_s)
    assert not fb.passed and "every x is right, but s is not. s_1 is" in fb.message and SETUP in fb.message


# --- predict, then look: each question's answer is what its figure shows ---------------------------------


def test_question_switching_to_the_milder_bowl_leaves_adagrads_path_as_it_is():
    pg = lesson.playground()
    adagrad, gd = pg.path_lines["AdaGrad"].get_xydata().copy(), pg.loss_lines["GD"].get_ydata().copy()
    pg.controls["surface"].value = "elongated quadratic"  # lesson 03's bowl, κ = 20
    np.testing.assert_allclose(pg.path_lines["AdaGrad"].get_xydata(), adagrad, atol=1e-8)  # "the same path"
    assert pg.loss_lines["GD"].get_ydata()[-1] < gd[-1] / 100  # "a faster path" is gradient descent's


def test_question_alpha_one_on_the_stretched_bowl_diverges_gradient_descent_only():
    pg = lesson.playground()
    pg.controls["lr"].value = 1.0
    assert pg.diverged == {"GD": 7, "AdaGrad": None}
    assert "diverged at step 7" in pg.path_lines["GD"].get_label()
    steps = np.abs(np.diff(pg.traces["AdaGrad"].path, axis=0))
    assert steps.max() <= 1.0 + 1e-12  # AdaGrad's step is never longer than α


def test_question_a_rarer_feature_takes_gradient_descent_ten_times_longer_or_more():
    figure = lesson.sparse_features()
    assert figure.lines[("GD", 1)].get_label() == "GD: within 1 % from step 459"
    figure.controls["p"].value = figure.controls["p"].base ** figure.controls["p"].min  # p = 0.2 %
    assert figure.axes[1].get_title().startswith("rare feature (in 2 of 1000 samples")
    assert figure.lines[("GD", 1)].get_label() == "GD: not within 1 % in 1000 steps"
    assert figure.lines[("AdaGrad", 1)].get_label() == "AdaGrad: within 1 % from step 30"
