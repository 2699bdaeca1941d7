"""lessons.playground: every control redraws, divergence is labelled, no warning escapes."""

import numpy as np
import pytest

from helpers.optimizers import SGD, Adam, Momentum
from helpers.surfaces import SURFACES, elongated_quadratic
from lessons.playground import Contender, Playground, divergence_step
from lessons.widgets import beta_slider, lr_slider


class VelocityPanel:
    def setup(self, ax):
        (self.line,) = ax.plot([], [])

    def update(self, ax, traces, surface, params):
        v = traces["Momentum"].history("v")[:, 1]
        self.line.set_data(np.arange(len(v)), v)


def make(panel=None, starts=None):
    return Playground(
        contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                    Contender("Momentum", lambda p: Momentum(p["lr"], p["beta"])),
                    Contender("Adam", lambda p: Adam(p["lr"]))],
        controls={"lr": lr_slider(0.1, -3, 0), "beta": beta_slider(0.9, 0.0, 0.99)},
        surfaces={name: factory() for name, factory in SURFACES.items()},
        starts=starts,
        steps=60,
        panel=panel,
        describe=lambda p: f"α = {p['lr']:.2g}, β = {p['beta']:.2f}",
    )


def test_every_control_changes_the_paths_and_the_picture():
    pg = make()
    for name, value in [("lr", 0.02), ("beta", 0.5), ("surface", "Rosenbrock"), ("surface", "saddle")]:
        before = {k: line.get_xydata().copy() for k, line in pg.path_lines.items()}
        image = pg.image.value
        pg.controls[name].value = value
        after = {k: line.get_xydata() for k, line in pg.path_lines.items()}
        assert pg.image.value != image
        changed = [k for k in before if before[k].shape != after[k].shape or not np.allclose(before[k], after[k])]
        assert changed, name
    assert pg.ax_path.get_title().startswith("saddle: α = 0.02, β = 0.50")
    assert pg.ax_path.get_xlim() == SURFACES["saddle"]().xlim


def test_divergence_is_labelled_and_clipped():
    pg = make()
    pg.controls["lr"].value = 1.0  # GD on 0.1 w² + 2 b² diverges for α > 0.5
    assert pg.diverged["GD"] is not None
    label = pg.path_lines["GD"].get_label()
    assert label == f"GD: diverged at step {pg.diverged['GD']}"
    assert label in [t.get_text() for t in pg.ax_path.get_legend().get_texts()]
    xy = pg.path_lines["GD"].get_xydata()
    assert np.all(np.abs(xy[:, 1]) <= 6.0)  # clipped to the window plus its margin, not 1e300
    assert pg.diverged["Adam"] is None


@pytest.mark.parametrize("lr", np.geomspace(1e-3, 1.0, 7))
@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_slider_position_draws_without_warnings(lr, surface):
    pg = make()  # pyproject turns any warning into an error
    pg.controls["surface"].value = surface
    pg.controls["lr"].value = lr
    pg.controls["beta"].value = 0.99
    assert pg.image.value[:4] == b"\x89PNG"
    bottom, top = pg.ax_loss.get_ylim()
    assert 0 < bottom < top < np.inf


def test_start_menu_follows_the_surface_and_the_extra_panel_updates():
    def starts(surface):
        return {"default": surface.start, "near the minimum": surface.minimum + 0.1}

    pg = make(panel=VelocityPanel(), starts=starts)
    assert pg.controls["start"].options == ("default", "near the minimum")
    pg.controls["start"].value = "near the minimum"
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], SURFACES["elongated quadratic"]().minimum + 0.1)
    v_before = pg.panel.line.get_ydata().copy()
    pg.controls["beta"].value = 0.3
    assert not np.allclose(pg.panel.line.get_ydata(), v_before)
    pg.controls["surface"].value = "Beale"  # the same start names: the choice is kept
    assert pg.controls["start"].value == "near the minimum"
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], SURFACES["Beale"]().minimum + 0.1)


def test_divergence_step():
    q = elongated_quadratic()
    assert divergence_step(q, np.array([[1.0, 1.0], [0.5, 0.5]])) is None
    assert divergence_step(q, np.array([[1.0, 1.0], [1e4, 0.0]])) == 1  # loss grew a million-fold
    assert divergence_step(q, np.array([[1.0, 1.0], [2.0, 2.0], [np.nan, np.nan]])) == 2


def test_surfaces_with_different_start_names_switch_cleanly():
    def starts(surface):
        return {f"{surface.name} start": surface.start, f"{surface.name}, near": surface.minimum + 0.1}

    pg = make(starts=starts)
    redraws = pg.redraws
    pg.controls["start"].value = pg.controls["start"].options[1]
    pg.controls["surface"].value = "Rosenbrock"
    assert pg.controls["start"].value == "Rosenbrock start"
    assert pg.redraws == redraws + 2  # one for the start, one for the surface: none for refreshing the menu
    np.testing.assert_allclose(pg.start_marker.get_xydata()[0], SURFACES["Rosenbrock"]().start)


def test_markers_follow_a_steps_control():
    from ipywidgets import IntSlider

    pg = Playground(contenders=[Contender("GD", lambda p: SGD(p["lr"]))],
                    controls={"lr": lr_slider(0.1, -3, 0), "steps": IntSlider(100, min=20, max=1000)},
                    surfaces={"q": elongated_quadratic()})
    pg.controls["steps"].value = 1000
    assert pg.path_lines["GD"].get_markevery() == 50
    assert len(pg.loss_lines["GD"].get_xdata()) == 1001


def test_surface_defaults_set_each_surfaces_learning_rate_in_one_redraw():
    defaults = {"elongated quadratic": {"lr": 0.1}, "Rosenbrock": {"lr": 1e-3, "beta": 0.5}}
    for starts in (None, lambda s: {"default": s.start, "near": s.minimum + 0.1}):  # with and without a start menu
        pg = Playground(contenders=[Contender("GD", lambda p: SGD(p["lr"])),
                                    Contender("Momentum", lambda p: Momentum(p["lr"], p["beta"]))],
                        controls={"lr": lr_slider(0.1, -4, 0), "beta": beta_slider(0.9, 0.0, 0.99)},
                        surfaces={name: factory() for name, factory in SURFACES.items()},
                        starts=starts, surface_defaults=defaults)
        redraws = pg.redraws
        pg.controls["surface"].value = "Rosenbrock"
        assert pg.redraws == redraws + 1  # the new α and β ride on the surface's own redraw
        assert pg.controls["lr"].value == pytest.approx(1e-3) and pg.controls["beta"].value == 0.5
        assert pg.diverged == {"GD": None, "Momentum": None}  # at the quadratic's α = 0.1 both would blow up
        assert pg.ax_path.get_title().startswith("Rosenbrock")
        pg.controls["lr"].value = 2e-3  # the learner may still move the slider on this surface
        assert pg.traces["GD"].path.shape == (101, 2) and pg.redraws == redraws + 2
        pg.controls["surface"].value = "saddle"  # no defaults: the sliders keep their values
        assert pg.controls["lr"].value == pytest.approx(2e-3)
        pg.controls["surface"].value = "elongated quadratic"
        assert pg.controls["lr"].value == pytest.approx(0.1) and pg.controls["beta"].value == 0.5


def test_without_surface_defaults_nothing_moves_and_bad_defaults_are_named():
    pg = make()
    pg.controls["lr"].value = 0.3
    pg.controls["surface"].value = "Beale"
    assert pg.controls["lr"].value == pytest.approx(0.3)
    with pytest.raises(ValueError, match="surface_defaults must map a surface"):
        Playground(contenders=[Contender("GD", lambda p: SGD(p["lr"]))], controls={"lr": lr_slider(0.1)},
                   surfaces={"q": elongated_quadratic()}, surface_defaults={"q": {"learning rate": 0.1}})
    with pytest.raises(ValueError, match="got 'Rosenbrock'"):
        Playground(contenders=[Contender("GD", lambda p: SGD(p["lr"]))], controls={"lr": lr_slider(0.1)},
                   surfaces={"q": elongated_quadratic()}, surface_defaults={"Rosenbrock": {"lr": 0.1}})


def test_a_noisy_gradient_and_a_schedule_per_contender():
    from helpers.optimizers import run
    from helpers.schedules import CosineAnnealingLR
    from helpers.stochastic import NoisyGradient
    from lessons.widgets import seed_slider

    look = {"color": "#009E73", "linestyle": "-.", "marker": "d"}

    def make_pg():
        return Playground(
            contenders=[Contender("SGD", lambda p: SGD(p["lr"]), look="GD"),
                        Contender("SGD, cosine", lambda p: SGD(p["lr"]), look=look,
                                  schedule=lambda p: CosineAnnealingLR(60))],
            controls={"lr": lr_slider(0.1, -3, 0), "seed": seed_slider(0)},
            surfaces={"q": elongated_quadratic()},
            steps=60,
            gradient=lambda surface, p: NoisyGradient(surface.grad, 0.5, rng=p["seed"]),
        )

    pg, again = make_pg(), make_pg()
    q = elongated_quadratic()
    np.testing.assert_array_equal(pg.traces["SGD"].path, run(SGD(0.1), NoisyGradient(q.grad, 0.5, rng=0), q.start, 60))
    np.testing.assert_array_equal(pg.traces["SGD, cosine"].path,
                                  run(SGD(0.1), NoisyGradient(q.grad, 0.5, rng=0), q.start, 60,
                                      schedule=CosineAnnealingLR(60)))
    assert pg.image.value == again.image.value  # the same seed, the same picture
    first = pg.traces["SGD"].path.copy()
    pg.controls["seed"].value = 1
    assert not np.allclose(pg.traces["SGD"].path, first)
    pg.controls["seed"].value = 0
    np.testing.assert_array_equal(pg.traces["SGD"].path, first)
    line = pg.path_lines["SGD, cosine"]
    assert (line.get_color(), line.get_linestyle(), line.get_marker()) == ("#009E73", "-.", "d")
    assert pg.contenders[0].style_name == "GD" and pg.contenders[1].style_name == "SGD, cosine"
