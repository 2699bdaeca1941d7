"""lessons.adam: the widgets redraw on every control, the printed numbers are right, the check names each slip."""

import json
from pathlib import Path

import numpy as np
import pytest

from helpers.optimizers import SGD, Adam, run
from helpers.surfaces import beale, elongated_quadratic, rosenbrock, saddle
from lessons import adam as lesson

ROOT = Path(__file__).resolve().parent.parent


# --- widgets ------------------------------------------------------------------------------

MOVES = {
    "lr": [1e-4, 0.003, 0.3, 1.0, 0.1],
    "beta1": [0.0, 0.5, 0.99, 0.9],
    "beta2": [0.9, 0.99, 0.9999, 0.999],
    "bias_correction": [False, True],
}


def _snapshot(widget):
    paths = {name: line.get_xydata().copy() for name, line in widget.path_lines.items()}
    losses = {name: np.asarray(line.get_ydata(), dtype=float).copy() for name, line in widget.loss_lines.items()}
    return paths, losses, widget.image.value, widget.ax_path.get_title()


def _changed(before, after):
    return before.shape != after.shape or not np.allclose(before, after, equal_nan=True)


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_control_changes_the_paths_and_the_picture(name):
    widget = lesson.WIDGETS[name]()  # pyproject turns any warning into an error
    assert widget.image.value[:4] == b"\x89PNG"
    for control, values in MOVES.items():
        if control not in widget.controls:
            continue
        for value in values:
            paths, losses, image, title = _snapshot(widget)
            widget.controls[control].value = value
            new_paths, new_losses, new_image, new_title = _snapshot(widget)
            assert new_image != image, (control, value)
            assert new_title != title, (control, value)  # the title shows every slider's value
            assert any(_changed(paths[k], new_paths[k]) for k in paths), (control, value)
            assert any(_changed(losses[k], new_losses[k]) for k in losses), (control, value)


@pytest.mark.parametrize("name", list(lesson.WIDGETS))
def test_every_surface_and_start_draws(name):
    widget = lesson.WIDGETS[name]()
    for surface in widget.controls["surface"].options:
        widget.controls["surface"].value = surface
        assert widget.ax_path.get_title().startswith(widget.surfaces[surface].name)
        starts = widget.controls["start"].options if "start" in widget.controls else [None]
        for start in starts:
            if start is not None:
                image = widget.image.value
                widget.controls["start"].value = start
                assert start == starts[0] or widget.image.value != image
            for lr in (1e-4, 1.0):  # the extremes of the slider
                widget.controls["lr"].value = lr
                bottom, top = widget.ax_loss.get_ylim()
                assert 0 < bottom < top < np.inf


def test_start_menu_follows_the_surface():
    """Start names differ between surfaces; switching must not raise ."""
    pg = lesson.adam_playground()
    assert len(pg.controls["start"].options) == 2
    pg.controls["surface"].value = "saddle"
    assert pg.controls["start"].value == pg.controls["start"].options[0]
    pg.controls["start"].value = pg.controls["start"].options[1]
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], [-1.5, 1e-8])
    redraws = pg.redraws
    pg.controls["surface"].value = "Rosenbrock"  # one start only
    assert pg.redraws == redraws + 1  # the start menu's own change does not redraw a second time
    assert pg.controls["start"].options == ("(−1.5, 2)",)
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], rosenbrock().start)
    pg.controls["surface"].value = "1000 × elongated quadratic"
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], elongated_quadratic().start)


def test_divergence_is_labelled_and_the_step_panel_stops_there():
    pg = lesson.adam_playground()
    pg.controls["surface"].value = "1000 × elongated quadratic"  # GD diverges at α = 0.1; Adam does not
    assert pg.diverged["GD"] is not None and pg.diverged["Adam"] is None
    assert pg.path_lines["GD"].get_label() == f"GD: diverged at step {pg.diverged['GD']}"
    gd_steps = pg.panel.lines["GD"].get_ydata()
    assert np.all(np.isnan(gd_steps[pg.diverged["GD"]:]))
    adam_steps = pg.panel.lines["Adam"].get_ydata()
    assert abs(adam_steps[0] - 1) < 1e-6  # Adam's first step is α, whatever the scale
    bottom, top = pg.ax_panel.get_ylim()
    assert 0 < bottom < 1 < top <= 1e5


def test_bias_correction_toggle_shows_in_the_step_panel():
    pg = lesson.adam_playground()
    assert abs(pg.panel.lines["Adam"].get_ydata()[0] - 1) < 1e-6
    pg.controls["bias_correction"].value = False
    assert abs(pg.panel.lines["Adam"].get_ydata()[0] - 0.1 / np.sqrt(0.001)) < 1e-4
    assert "bias correction OFF" in pg.ax_path.get_title()


def test_race_contenders_read_the_shared_sliders():
    params = {"lr": 0.05, "beta1": 0.7, "beta2": 0.95}
    gd, momentum, rmsprop, adam = (c.make(params) for c in lesson.RACE)
    assert gd.lr == momentum.lr == rmsprop.lr == adam.lr == 0.05
    assert momentum.beta == adam.beta1 == 0.7 and momentum.form == "ewma"
    assert rmsprop.beta == adam.beta2 == 0.95
    widget = lesson.race()
    assert set(widget.controls) == {"lr", "beta1", "beta2", "surface"}
    assert widget.controls["beta1"].description == "β₁ (momentum)"
    assert widget.controls["beta2"].description == "β₂ (RMS)"
    assert widget.controls["lr"].description == "learning rate α"


# --- the numbers the prose claims -----------------------------------------------------------


def test_step_lengths():
    path = np.array([[0.0, 0.0], [0.5, -2.0], [0.5, -1.0]])
    np.testing.assert_allclose(lesson.step_lengths(path), [2.0, 1.0])


def test_bias_correction_table_against_the_closed_form():
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for row in lesson.bias_correction_table(ts=(1, 2, 10, 1000)):
        t = row["t"]
        m, v = 1 - beta1**t, 1 - beta2**t  # moments of a constant gradient g = 1
        assert row["with"] == pytest.approx(1 / (1 + eps), rel=1e-9)
        assert row["without"] == pytest.approx(m / (np.sqrt(v) + eps), rel=1e-9)
        assert row["ratio"] == pytest.approx(row["without"] / row["with"])
        assert row["formula"] == pytest.approx(m / np.sqrt(v), rel=1e-12)
    assert lesson.uncorrected_ratio(1) == pytest.approx(0.1 / np.sqrt(0.001))
    ratio = lesson.uncorrected_ratio(np.arange(1, 5001))
    assert ratio.argmax() + 1 == 12 and ratio.max() == pytest.approx(6.5685, abs=1e-4)


def test_the_papers_step_bound_is_reported_as_the_papers():
    assert lesson.paper_step_bound(0.9, 0.999) == pytest.approx(0.1 / np.sqrt(0.001))
    assert lesson.paper_step_bound(0.9, 0.99) == 1.0  # 1 − β₁ = √(1 − β₂): the paper says |Δ| ≤ α
    assert lesson.sparse_step(0.9, 0.999) == pytest.approx(3.16228, abs=1e-5)


def test_step_bound_is_the_cauchy_schwarz_supremum():
    # the closed forms the issue quotes: 7.27 α at the defaults, 2.35 α at β₂ = 0.99
    assert lesson.step_bound(0.9, 0.999) == pytest.approx(7.2703, abs=1e-4)
    assert lesson.step_bound(0.9, 0.99) == pytest.approx(2.3452, abs=1e-4)
    # both far above what the paper gives (the old, wrong, step_bound returned 3.162 and 1.0)
    assert lesson.step_bound(0.9, 0.999) > 2 * lesson.paper_step_bound(0.9, 0.999)
    assert lesson.step_bound(0.9, 0.99) > 2 * lesson.paper_step_bound(0.9, 0.99)
    assert lesson.step_bound(0.99, 0.9) == np.inf  # β₁² ≥ β₂: no bound at all
    # the finite-t bound is √(Σ w_i²/u_i), summed directly, and grows to the limit
    beta1, beta2 = 0.9, 0.999
    for t in (1, 2, 7, 100, 2500):
        i = np.arange(1, t + 1)
        w = (1 - beta1) * beta1 ** (t - i) / (1 - beta1**t)
        u = (1 - beta2) * beta2 ** (t - i) / (1 - beta2**t)
        assert lesson.step_bound(beta1, beta2, t) == pytest.approx(np.sqrt(np.sum(w**2 / u)), rel=1e-10)
    bounds = lesson.step_bound(beta1, beta2, np.arange(1, 20_001))
    assert np.all(np.diff(bounds) > 0) and bounds[-1] < lesson.step_bound(beta1, beta2)
    assert bounds[-1] == pytest.approx(lesson.step_bound(beta1, beta2), rel=1e-8)


def test_no_gradient_stream_beats_the_bound_and_the_worst_one_reaches_it():
    rng = np.random.default_rng(0)
    t = 60
    bound = lesson.step_bound(0.9, 0.999, t)
    streams = np.concatenate([rng.standard_normal((t, 300)), np.exp(rng.standard_normal((t, 300)).cumsum(axis=0)),
                              lesson.worst_gradients(t)[:, None] * (1 + 0.01 * rng.standard_normal((t, 100)))],
                             axis=1)
    steps = np.abs(lesson.stream_steps(streams, eps=0.0))
    assert steps.max() <= bound * (1 + 1e-12)
    worst = lesson.stream_steps(lesson.worst_gradients(3000), eps=0.0)
    np.testing.assert_allclose(worst, lesson.step_bound(0.9, 0.999, np.arange(1, 3001)), rtol=1e-10)


def test_helpers_adam_nearly_reaches_the_supremum():
    assert lesson.quiet_then_worst(10_000, 200) == pytest.approx(7.2702, abs=1e-4)
    assert lesson.quiet_then_worst(10_000, 200, beta2=0.99) == pytest.approx(2.3452, abs=1e-4)
    assert lesson.quiet_then_worst(3000, 100) == pytest.approx(7.10, abs=0.01)  # the 7.10 α: a shorter quiet


def test_growth_limit_against_helpers():
    rates = np.array([0.99, 1.0, 1.001, 1.01, 1.05, 0.999 / 0.9, 1.5, 10.0])
    limit = lesson.growth_limit(rates)
    np.testing.assert_allclose(lesson.growth_steps(rates, steps=10_000), limit, atol=2e-4)
    assert limit[1] == 1.0 and limit[0] == 0.0
    assert limit.max() == pytest.approx(lesson.step_bound(), rel=1e-12)  # reached at r = β₂/β₁
    assert lesson.growth_limit(1e9) == pytest.approx(lesson.sparse_step(), rel=1e-6)


def test_invariance_only_per_coordinate_and_only_with_eps_zero():
    inv = lesson.invariance_table(lr=0.1, steps=300, degrees=45)
    assert inv["per coordinate"][0.0] < 1e-12 and inv["loss × 1e-6"][0.0] < 1e-12
    assert inv["per coordinate"][1e-8] > 1e-7 and inv["loss × 1e-6"][1e-8] > 1e-2
    assert inv["turned"]["GD"] < 1e-12 and inv["turned"]["Adam"] > 1
    assert inv["steps"]["GD"][0] == inv["steps"]["GD"][1] and inv["steps"]["Adam"] == (145, 348)
    bowl, rescaled = elongated_quadratic(), lesson.rescaled_bowl()
    x = np.array([0.3, -1.7])
    np.testing.assert_allclose(rescaled.grad(x), bowl.grad(x) * [500, 0.0005])


def test_amsgrad_forms_on_a_loud_start():
    steps = lesson.amsgrad_last_steps(loud=10, quiet=989)
    assert steps["AMSGrad(form='pytorch')"] == pytest.approx(0.804, abs=1e-3)
    assert steps["AMSGrad(form='optax')"] == pytest.approx(0.101, abs=1e-3)
    assert steps["AMSGrad(form='paper')"] == pytest.approx(1.011, abs=1e-3)
    assert steps["Adam"] == pytest.approx(1.171, abs=1e-3)


def test_weight_decay_two_ways():
    decay = lesson.decay_per_step(weight_decay=0.01, lrs=(1e-3, 1e-2))
    assert decay[1e-3] == pytest.approx({"pytorch": 1 - 1e-5, "paper": 0.99}, rel=1e-12)
    assert decay[1e-2] == pytest.approx({"pytorch": 1 - 1e-4, "paper": 0.99}, rel=1e-12)
    # the paper's form with λ_wd = α·(PyTorch's λ_wd) is PyTorch's AdamW, step for step
    from helpers.optimizers import AdamW
    bowl = elongated_quadratic()
    x, state = bowl.start, Adam(0.05).init(bowl.start)
    path = [x]
    for _ in range(30):
        x, state = lesson.adamw_paper_step(x, bowl.grad(x), state, 0.05, 0.05 * 0.2)
        path.append(x)
    np.testing.assert_allclose(path, run(AdamW(0.05, weight_decay=0.2), bowl.grad, bowl.start, 30), rtol=1e-12)
    assert lesson.sgd_l2_is_decay() < 1e-12
    l2 = lesson.l2_against_decoupled(lr=1e-3, weight_decay=0.1, steps=1000, loud=10.0)
    assert l2["Adam (L2)"][0] > 0.99 and l2["Adam (L2)"][1] < 0.3  # decay depends on the gradients
    np.testing.assert_allclose(l2["AdamW"], l2["decay alone"], atol=2e-3)  # the same for both


def test_playground_facts():
    facts = lesson.playground_facts()
    assert facts["scaled"]["adam_difference"] < 1e-7 and facts["scaled"]["gd_diverged"] == 2
    assert facts["uncorrected"][0.999, True][0] == pytest.approx(1.0, abs=1e-6)
    assert facts["uncorrected"][0.999, False][0] == pytest.approx(5.7, abs=0.05)
    assert facts["uncorrected"][0.9999, False][0] == pytest.approx(14.9, abs=0.05)
    assert facts["saddle"][1e-8]["adam_first_y"] == pytest.approx(0.5)  # |g_y| = ε: half a step
    assert facts["saddle"][1e-3]["adam_first_y"] == pytest.approx(1.0, abs=1e-4)
    assert facts["beta1"] == {0.9: 8, 0.0: 0}


def test_scale_table_gd_grows_adam_does_not():
    table = lesson.scale_table(scale=1000, steps=3, lr=1e-3)
    # GD: x_1 − x_0 = −α g_0 with g_0 = (−1, −8) (×1000 on the scaled bowl)
    assert table["GD"]["original"][0] == pytest.approx(8e-3)
    assert table["GD"]["scaled"][0] == pytest.approx(8.0)
    np.testing.assert_allclose(table["GD"]["scaled"][1:] / table["GD"]["scaled"][:-1], 3.0)  # |1 − α·4000| = 3
    np.testing.assert_allclose(table["Adam"]["original"], 1e-3, rtol=1e-4)
    np.testing.assert_allclose(table["Adam"]["scaled"], table["Adam"]["original"], rtol=1e-7)  # ε aside


def test_gd_stability_limit():
    assert lesson.gd_stability_limit(elongated_quadratic()) == pytest.approx(0.5)  # 2/λ_b, λ_b = 4
    assert lesson.gd_stability_limit(elongated_quadratic().scaled(1000)) == pytest.approx(5e-4)


def test_race_table_against_direct_runs():
    table = lesson.race_table(tol=1e-2, max_steps=2000)
    assert set(table) == {"elongated quadratic", "Rosenbrock", "Beale", "saddle"}
    q = elongated_quadratic()
    path = run(Adam(0.1, 0.9, 0.999), q.grad, q.start, 2000)
    first = int(np.argmax(np.abs(path).max(axis=1) <= 1e-2))
    assert table["elongated quadratic"]["Adam"] == first
    path = run(SGD(0.1), q.grad, q.start, 2000)  # GD on a quadratic: each coordinate shrinks by |1 − αλ|
    w_steps = np.log(1e-2 / 5) / np.log(1 - 0.1 * 0.2)
    assert table["elongated quadratic"]["GD"] == int(np.ceil(w_steps))
    assert table["Rosenbrock"]["GD"].startswith("diverged at")
    assert all(isinstance(row["Adam"], int) for row in table.values())
    assert table["Rosenbrock"]["RMSProp"] == "> 2000"
    slow = lesson.race_table({"lr": 0.002}, max_steps=5000, surfaces={"Rosenbrock": rosenbrock()})
    assert isinstance(slow["Rosenbrock"]["GD"], int) and slow["Rosenbrock"]["Adam"] == "> 5000"
    for s in (beale(), saddle()):  # the surfaces' minima are where the table measures from
        assert np.allclose(s.grad(s.minimum), 0)


def test_race_table_counts_the_step_from_which_a_run_stays_close():
    """A run that passes within tol and leaves again has not arrived (RMSProp passes at step 7 and rattles on)."""
    table = lesson.race_table(tol=1e-2, max_steps=2000)
    contenders = {c.name: c.make(lesson.RACE_DEFAULTS) for c in lesson.RACE}
    q, sad = elongated_quadratic(), saddle()
    close = np.abs(run(contenders["RMSProp"], q.grad, q.start, 2000)).max(axis=1) <= 1e-2
    assert close[7] and not close[1729]  # in, then out again
    assert table["elongated quadratic"]["RMSProp"] == "in and out"
    close = np.abs(run(contenders["Momentum"], sad.grad, sad.start, 2000) - sad.minimum).max(axis=1) <= 1e-2
    stays = int(np.flatnonzero(~close)[-1]) + 1
    assert np.argmax(close) < stays == table["saddle"]["Momentum"]  # later than its first pass
    assert lesson.rattle() == {"first": 7, "worst": pytest.approx(1.0449, abs=1e-4), "worst_step": 1729}


# --- where ε goes --------------------------------------------------------------------------------


def test_variant_1_is_the_helper():
    s = rosenbrock()
    ours = lesson.run_variant(lesson.step_paper, s.grad, s.start, 100, lr=0.01)
    np.testing.assert_allclose(ours, run(Adam(0.01), s.grad, s.start, 100), rtol=1e-13, atol=1e-15)


def test_variant_first_steps_closed_forms():
    _beta1, beta2, eps = 0.9, 0.999, 1e-8
    for g in (1.0, 1e-4, 1e-6, 1e-8):
        first = {k: v[0] for k, v in lesson.variant_steps(g, ts=(1,)).items()}
        paper, inside, hat = (first[k] for k in lesson.VARIANTS)
        assert paper == pytest.approx(g / (g + eps), rel=1e-9)
        assert inside == pytest.approx(g / np.sqrt(g**2 + eps), rel=1e-9)
        root = np.sqrt(1 - beta2)  # ε̂ acts like ε / √(1 − β₂) on step 1
        assert hat == pytest.approx(g / (g + eps / root), rel=1e-9)
    later = lesson.variant_steps(1e-6, ts=(1, 10, 1000))["3: √v + ε̂"]
    assert later[0] < later[1] < later[2] < 1


def test_eps_hat_with_scaled_eps_is_algorithm_1():
    assert lesson.eps_hat_equivalence(steps=200, scale=1e-6) < 1e-15
    assert lesson.eps_hat_equivalence(steps=200, scale=1.0) < 1e-14
    assert lesson.effective_eps(1e-7, 1) == pytest.approx(1e-7 / np.sqrt(1e-3))


def test_torch_fixtures_are_the_committed_ones():
    fixture = json.loads((ROOT / "tests" / "golden" / "torch_trajectories.json").read_text())
    assert lesson.TORCH_FIXTURE == ROOT / "tests" / "golden" / "torch_trajectories.json"
    cases = lesson.torch_adam_cases()
    plain = [c for c in fixture["cases"] if c["optimizer"] == "Adam" and "weight_decay" not in c["kwargs"]]
    assert len(cases) == len(plain) == 8
    assert all(c["torch"].startswith("torch.optim.Adam(") for c in cases)
    deviation, n = lesson.deviation_from_torch()
    assert n == 8 and deviation <= 1e-12
    assert lesson.deviation_from_torch(lesson.step_paper)[0] <= 1e-12
    for step in (lesson.step_eps_inside, lesson.step_eps_hat):
        assert lesson.deviation_from_torch(step)[0] > 1e-9  # a different optimizer, not rounding


def test_relative_deviation_matches_test_golden():
    ours = np.array([[1.0, 2.0], [3.0, 4.0]])
    theirs = np.array([[1.0, 2.5], [0.1, 0.2]])
    assert lesson._relative_deviation(ours, theirs) == pytest.approx(3.8)  # (4 − 0.2) / max(0.2, 1)


# --- the exercise check ------------------------------------------------------------------------


def adam_right(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def slip(kind):
    """A learner's adam_step with one slip, written independently of lessons.adam."""

    def adam_step(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        x_old = x
        b1, b2 = (beta2, beta1) if kind == "swapped" else (beta1, beta2)
        m = b1 * m + (g if kind == "no 1-b1" else (1 - b1) * g)
        g2 = g if kind == "g not g2" else g * g
        v = b2 * v + (g2 if kind == "no 1-b2" else (1 - b2) * g2)
        power = {"t-1": t - 1, "t+1": t + 1}.get(kind, t)
        m_hat = m if kind in ("uncorrected", "m not m_hat") else m / (1 - b1**power)
        v_hat = v if kind in ("uncorrected", "v not v_hat") else v / (1 - b2**power)
        top = g if kind == "g not m_hat" else m_hat
        if kind == "eps hat":  # the paper's end-of-section-2 form, ε̂ = ε
            step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            return x - step * m / (np.sqrt(v) + eps), m, v
        if kind == "eps inside":
            x = x - lr * top / np.sqrt(v_hat + eps)
        elif kind == "no sqrt":
            x = x - lr * top / (v_hat + eps)
        else:
            x = x - lr * top / (np.sqrt(v_hat) + eps)
        if kind == "uphill":
            x = 2 * x_old - x
        if kind == "hats":
            return x, m_hat, v_hat
        return x, m, v

    return adam_step


SLIP_HINTS = {
    "uncorrected": "without bias correction",
    "t-1": "1 − β^(t−1)",
    "t+1": "t + 1",
    "eps inside": "ε inside the square root",
    "m not m_hat": "you corrected v but not m",
    "v not v_hat": "you corrected m but not v",
    "g not g2": "your v averages g, not g²",
    "no sqrt": "without the square root",
    "no 1-b1": "your m has no (1 − β₁)",
    "no 1-b2": "your v has no (1 − β₂)",
    "g not m_hat": "your numerator is g_t",
    "hats": "you returned m̂ and v̂ as the new state",
    "swapped": "β₁ and β₂ swapped",
    "eps hat": "the paper's \"more efficient\" order",
    "uphill": "your step goes uphill",
}


def test_a_correct_step_passes():
    feedback = lesson.check_adam_step(adam_right)
    assert feedback.passed and feedback.message.startswith("✓ Correct: all 10 steps of x match helpers.optimizers.Adam")
    assert "again with α = 0.01, β₁ = 0.8, β₂ = 0.99, ε = 1e-06" in feedback.message
    assert "Your m and v match too" in feedback.message


def test_the_unfilled_stub_says_not_yet():
    def adam_step(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        raise NotImplementedError  # your code here

    feedback = lesson.check_adam_step(adam_step)
    assert not feedback.passed and feedback.message.startswith("Not yet: adam_step still raises")


@pytest.mark.parametrize("kind", list(SLIP_HINTS))
def test_each_known_slip_gets_its_hint(kind):
    feedback = lesson.check_adam_step(slip(kind))
    assert not feedback.passed
    assert "✗ Not yet. x_" in feedback.message
    hint = feedback.message.split("Hint:")[1]
    assert SLIP_HINTS[kind] in hint, feedback.message


def test_every_verdict_states_the_checks_setup():
    for kind in ("uncorrected", "eps hat", "t-1"):
        message = lesson.check_adam_step(slip(kind)).message
        assert ("The check used: α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-08, 10 steps (t = 1…10) on "
                "f(w, b) = 0.1 w² + 2 b² from x_0 = (4, 0.001) with m_0 = v_0 = (0, 0)") in message


def test_the_efficient_eps_hat_form_with_a_matching_eps_passes():
    def efficient(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        return x - step * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2**t)), m, v

    assert lesson.check_adam_step(efficient).passed


@pytest.mark.parametrize("order", [(1, 2, 0), (0, 2, 1), (2, 0, 1), (1, 0, 2), (2, 1, 0)])
def test_a_wrong_return_order_is_named(order):
    def adam_step(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        out = adam_right(x, g, m, v, t, lr, beta1, beta2, eps)
        return tuple(out[j] for j in order)

    message = lesson.check_adam_step(adam_step).message
    named = "(" + ", ".join("xmv"[j] for j in order) + ")"
    assert f"returns them as {named}" in message, message
    assert "not numbers" not in message


def test_slips_are_far_apart_on_the_exercise_problem():
    """Every slip's path differs from Adam's, and from every other slip's, by far more than compare's rtol."""
    right = lesson._run_steps(lesson._slipped_step)[0]
    paths = {s: lesson._run_steps(lesson._slipped_step, s)[0] for s in lesson._SLIPS}
    names = list(paths)
    for i, a in enumerate(names):
        assert not np.allclose(paths[a], right, rtol=1e-6, atol=1e-10, equal_nan=True), a
        for b in names[i + 1:]:
            assert not np.allclose(paths[a], paths[b], rtol=1e-6, atol=1e-10, equal_nan=True), (a, b)


def test_an_unknown_slip_is_traced_to_the_moment_that_goes_wrong():
    def odd_m(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        x, m, v = adam_right(x, g, m, v, t, lr, beta1, beta2, eps)
        return x, (m * 1.5 if t == 3 else m), v

    def odd_x(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        x_new, m, v = adam_right(x, g, m, v, t, lr, beta1, beta2, eps)
        return x + 2 * (x_new - x), m, v

    def half_corrected(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return x - lr * (m / (1 - beta1 ** (t - 1))) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    message = lesson.check_adam_step(odd_m).message
    assert "x_4 is" in message and "your m_3 is" in message and "m_t = β₁ m_{t−1}" in message
    message = lesson.check_adam_step(odd_x).message
    assert "x_1 is" in message and "your x_1 is" in message
    message = lesson.check_adam_step(half_corrected).message
    assert "not numbers (inf or nan)" in message


def test_unusable_results_are_explained():
    def two(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return x, m

    def no_return(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        x - lr * g

    def mutates(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m *= beta1  # in place: the check passes copies, so this cannot corrupt its own record
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g**2
        x -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return x, m, v

    assert "should return 3 things, (x, m, v), in that order" in lesson.check_adam_step(two).message
    assert "returned None" in lesson.check_adam_step(no_return).message
    assert lesson.check_adam_step(mutates).passed


# --- figures -------------------------------------------------------------------------------------


def test_static_figures_are_labelled():
    for fig in (lesson.idea_figure(), lesson.bias_correction_figure(steps=100)):
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
            assert ax.get_legend() is not None


def test_idea_figure_quantities():
    g = lesson.gradient_stream()
    q = lesson.adam_quantities(g)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = v = 0.0
    for t, g_t in enumerate(g, start=1):  # an independent loop
        m = beta1 * m + (1 - beta1) * g_t
        v = beta2 * v + (1 - beta2) * g_t**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        assert q["m_hat"][t - 1] == pytest.approx(m_hat, rel=1e-12)
        assert q["rms"][t - 1] == pytest.approx(np.sqrt(v_hat), rel=1e-12)
        assert q["step"][t - 1] == pytest.approx(m_hat / (np.sqrt(v_hat) + eps), rel=1e-9, abs=1e-12)


def test_the_notebook_needs_no_torch_and_checks_the_stub_it_shows():
    nb = json.loads((ROOT / "notebooks" / "06_adam.ipynb").read_text())
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "import torch" not in source and "from torch" not in source
    assert "def adam_step(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):" in source
    assert "raise NotImplementedError  # your code here" in source
    assert "lesson.check_adam_step(adam_step)" in source


def test_a_number_typed_in_for_a_hyperparameter_is_caught_by_the_second_run():
    def typed(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):  # right at the defaults only
        return adam_right(x, g, m, v, t, 1e-3, 0.9, 0.999, 1e-8)

    def one_tenth(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):  # 0.1 for 1 − β₁
        m = beta1 * m + 0.1 * g
        v = beta2 * v + (1 - beta2) * g**2
        return x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    message = lesson.check_adam_step(typed).message
    assert "right with the paper's defaults (the first run), but not with α = 0.01, β₁ = 0.8" in message
    assert "does not change when α (lr) or β₁ (beta1) or β₂ (beta2) or ε (eps) does" in message
    assert "The check used: α = 0.01, β₁ = 0.8, β₂ = 0.99, ε = 1e-06" in message
    message = lesson.check_adam_step(one_tenth).message
    assert "0.1 is 1 − β₁ only for β₁ = 0.9" in message


def test_m_and_v_are_compared_once_x_is_right():
    def minus_m(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):  # averages −g, adds the step
        m = beta1 * m - (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return x + lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    calls = []

    def wrong_last_v(x, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        calls.append(t)
        x, m, v = adam_right(x, g, m, v, t, lr, beta1, beta2, eps)
        return x, m, v * (2.0 if len(calls) == 20 else 1.0)  # only the second run's v_10 is off

    feedback = lesson.check_adam_step(minus_m)
    assert feedback.passed and "Your m is −m" in feedback.message
    feedback = lesson.check_adam_step(wrong_last_v)
    assert not feedback.passed and "every x is right, but v is not. v_10 is" in feedback.message


# --- predict, then look: each question's answer is what its figure shows ---------------------------------


def test_question_a_loss_a_thousand_times_larger_leaves_adams_path_alone():
    pg = lesson.adam_playground()
    adam = pg.path_lines["Adam"].get_xydata().copy()
    pg.controls["surface"].value = "1000 × elongated quadratic"
    np.testing.assert_allclose(pg.path_lines["Adam"].get_xydata(), adam, atol=1e-7)
    assert pg.diverged == {"GD": 2, "Adam": None}


def test_question_without_bias_correction_the_first_steps_are_several_alpha():
    pg = lesson.adam_playground()
    steps = pg.panel.lines["Adam"].get_ydata()[:30]
    assert np.nanmax(steps) == pytest.approx(1.0, abs=1e-3)
    pg.controls["bias_correction"].value = False
    steps = pg.panel.lines["Adam"].get_ydata()[:30]
    assert np.nanmax(steps) == pytest.approx(5.7, abs=0.05) and np.nanargmax(steps) + 1 == 6


def test_question_on_rosenbrock_gradient_descent_and_momentum_diverge():
    race = lesson.race()
    race.controls["surface"].value = "Rosenbrock"
    assert race.diverged == {"GD": 2, "Momentum": 3, "RMSProp": None, "Adam": None}
    assert race.path_lines["Momentum"].get_label() == "Momentum: diverged at step 3"
